"""Done means: every JSON log line of a full journey with sensitive data set holds none of it.

The logs are JSON at DEBUG, the most the application can write; the second journey goes
through the API, the worker and the command line (a retention run) with free text as well.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from litestar import Litestar
from typer.testing import CliRunner

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.entrypoints.cli import app as cli_app
from ipm_workflow.entrypoints.worker import worker_for
from ipm_workflow.services.commands import Actor
from journey import ApiJourney, Journey, kept_logging

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


# Free text and third parties' contacts, beside the person's own data.
FREE_TEXT = {
    "suspension reason": "hospitalisée à Villefranche-Zorglub",
    "contact note": "rappelée chez sa tante Pistachon",
    "mentor": "Barnabé Frangipanier",
    "host email": "frangipanier@host.example",
    "withdrawal text": "part travailler chez Frangipanier",
}


@pytest.fixture
def container(db_url: str, clock: ManualClock, registry: WorkflowRegistry) -> Iterator[Container]:
    """The application with JSON logs at DEBUG: every line it could ever write."""
    settings = Settings(
        database_url=db_url,
        workflows_dir=ROOT / "workflows",
        log_format="json",
        log_level="DEBUG",
    )
    built = bootstrap(settings, clock=clock, registry=registry)
    yield built
    built.close()


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


def test_api_worker_and_cli_log_no_personal_value(
    api: ApiJourney,
    container: Container,
    clock: ManualClock,
    advisor: Actor,
    json_lines: io.StringIO,
    db_url: str,
) -> None:
    """Register, sensitive data, a case with free text through the API; the worker delivers
    (its SMTP server is absent: failures are logged too); the case is withdrawn and the command
    line's retention run pseudonymises the person: no personal value in any log line."""
    secrets = {**SECRETS, **FREE_TEXT}
    pid = api.person(
        first_name=SECRETS["first name"],
        last_name=SECRETS["last name"],
        birth_date="1999-01-01",  # 27 when the retention runs (on the real clock)
        email=SECRETS["email"],
        phone=SECRETS["phone"],
        imilo_id=SECRETS["i-milo id"],
    )
    api.guardian(
        pid, name=SECRETS["guardian name"], email=SECRETS["guardian email"], phone="+33698765432"
    )
    sensitive = {
        "rqth": True,  # the age limit of the programme rises to 29
        "fewer_opportunities": True,
        "fewer_opportunities_reason": SECRETS["reason"],
        "health_needs": SECRETS["health needs"],
        "inclusion_support_justification": SECRETS["justification"],
        "inclusion_support_amount": SECRETS["amount"],
    }
    assert api.sensitive(pid, body=sensitive).status_code == 200
    case_id = api.open(pid)
    assert api.suspend(case_id, FREE_TEXT["suspension reason"]).status_code == 200
    assert api.resume(case_id).status_code == 200
    assert api.attempt(case_id, "call", note=FREE_TEXT["contact note"]).status_code == 201
    walker = Journey(container, advisor, clock)
    walker.select(case_id)
    extra = {"mentor_name": FREE_TEXT["mentor"], "host_email": FREE_TEXT["host email"]}
    walker.match(case_id, date(2026, 4, 20), date(2026, 7, 17), **extra)
    clock.set(clock.now().replace(day=20))

    handled = asyncio.run(worker_for(container).run_once())

    assert handled > 0
    withdrawn = api.fire(
        case_id, "withdraw", {"withdrawal_reason": "other"}, reason=FREE_TEXT["withdrawal text"]
    )
    assert withdrawn.status_code == 200, withdrawn.text
    env = {"IPM_DATABASE_URL": db_url, "IPM_LOG_FORMAT": "json", "IPM_LOG_LEVEL": "DEBUG"}
    with kept_logging():
        result = CliRunner().invoke(cli_app, ["retention", "run"], env=env)
    assert result.exit_code == 0, result.output
    cli_lines = [line for line in result.output.splitlines() if line.startswith("{")]

    written = json_lines.getvalue()
    lines = [json.loads(line) for line in [*written.splitlines(), *cli_lines]]
    events = {line["event"] for line in lines}
    assert {"transition", "retention_run"} <= events
    assert {"reminder_retry", "reminder_sent"} & events  # the worker delivered (or tried)
    # Pseudonymised (deleted instead once the Erasmus+ audit period is over, from 2031).
    assert {"person_pseudonymised", "person_deleted"} & events
    everything = written + "\n".join(cli_lines)
    leaked = [what for what, value in secrets.items() if value in everything]
    assert not leaked, leaked
