"""Done means: every JSON log line of a full journey with sensitive data set holds none of it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from litestar import Litestar

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.services.commands import Actor
from journey import ApiJourney, Journey

SECRETS = {
    "first name": "Capucine",
    "last name": "Secretdupont",
    "email": "capucine.secretdupont@example.org",
    "phone": "+33 6 12 34 56 78",
    "phone (E.164)": "+33612345678",
    "guardian name": "Gaspard Secretdupont",
    "guardian email": "gaspard.secretdupont@example.org",
    "guardian phone": "+33698765432",
    "i-milo id": "IMILO778899",
    "health needs": "insulinodépendance (exemple)",
    "justification": "accompagnateur pour fauteuil (exemple)",
    "amount": "1234.56",
    "reason": "discrimination",
}


@pytest.fixture
def json_lines(app: Litestar) -> Iterator[io.StringIO]:
    """Every line the application's JSON renderer writes, captured beside stderr."""
    root = logging.getLogger()
    [handler] = root.handlers
    sink = io.StringIO()
    copy = logging.StreamHandler(sink)
    copy.setFormatter(handler.formatter)
    root.addHandler(copy)
    yield sink
    root.removeHandler(copy)


def test_no_sensitive_value_reaches_a_log_line(
    api: ApiJourney,
    container: Container,
    clock: ManualClock,
    advisor: Actor,
    json_lines: io.StringIO,
) -> None:
    """Register, guardians, sensitive data set, read, refused, corrected; then a whole journey
    with its reminders: the logs name ids and events only."""
    pid = api.person(
        first_name=SECRETS["first name"],
        last_name=SECRETS["last name"],
        birth_date="2008-03-01",  # a minor at referral, of age at departure
        email=SECRETS["email"],
        phone=SECRETS["phone"],
        imilo_id=SECRETS["i-milo id"],
    )
    api.guardian(
        pid,
        name=SECRETS["guardian name"],
        email=SECRETS["guardian email"],
        phone=SECRETS["guardian phone"],
    )
    case_id = api.open(pid)
    sensitive = {
        "rqth": True,
        "fewer_opportunities": True,
        "fewer_opportunities_reason": SECRETS["reason"],
        "inclusion_support_amount": SECRETS["amount"],
        "inclusion_support_justification": SECRETS["justification"],
        "health_needs": SECRETS["health needs"],
    }
    assert api.sensitive(pid, body=sensitive).status_code == 200
    assert api.sensitive(pid, case_id=case_id).status_code == 200
    assert api.sensitive(pid, "admin").status_code == 403
    refused = {**sensitive, "health_needs": SECRETS["health needs"] + "\x00"}
    assert api.sensitive(pid, body=refused).status_code == 422
    assert api.patch_person(pid, email="not an address " + SECRETS["email"]).status_code == 422

    walker = Journey(container, advisor, clock)
    walker.walk_to(case_id, "FOLLOW_UP", planned_start=date(2026, 4, 20))
    walker.run_reminders()
    api.sensitive(pid, case_id=case_id)

    written = json_lines.getvalue()
    lines = [json.loads(line) for line in written.splitlines()]
    events = {line["event"] for line in lines}
    assert {"sensitive_read", "sensitive_changed", "guardian_added", "transition"} <= events
    leaked = [what for what, value in SECRETS.items() if value in written]
    assert not leaked, leaked
