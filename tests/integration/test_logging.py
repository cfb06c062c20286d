"""Logs name cases and actors, never the young person nor free text."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import structlog

from ipm_workflow.domain.people import Person
from ipm_workflow.logging import configure_logging
from journey import HOST, Journey

BIRTH = date(2005, 6, 15)
SECRETS = {
    "first name": "Capucine",
    "last name": "Secretdupont",
    "email": "capucine.secretdupont@example.org",
    "phone": "+33 6 12 34 56 78",
    "birth date": BIRTH.isoformat(),
    "birth date (repr)": repr(BIRTH),
    "mentor": HOST["mentor_name"],
    "new mentor": "Tutrice Confidentielle",
    "postponement reason": "the mother's surgery was moved",
    "incident reason": "a fight at the host's flat",
}


def _continue(journey: Journey, case_id: int) -> None:
    """Walk to the end with a postponement, a mentor change and an incident, each with text."""
    case = journey.walk_to(case_id, "MATCHED")
    dates = {"planned_start": case.data["planned_start"], "planned_end": case.data["planned_end"]}
    journey.fire(case_id, "postpone", dates, reason=SECRETS["postponement reason"])
    journey.fire(case_id, "resume")
    journey.set(case_id, mentor_name=SECRETS["new mentor"])
    journey.walk_to(case_id, "ABROAD")
    inputs = {"incident_severity": "high"}
    journey.fire(case_id, "report_incident", inputs, reason=SECRETS["incident reason"])
    journey.walk_to(case_id, "FOLLOW_UP")
    journey.fire(
        case_id,
        "record_outcome_m3",
        {
            "outcome_m3": "cdi",
            "outcome_m3_source": "mission_locale",
            "outcome_m3_confidence": "declared",
        },
    )
    journey.fire(case_id, "close", {"final_outcome": "cdi"})


class TestJourneyLogs:
    """What a full journey writes to the logs."""

    @pytest.fixture
    def logs(self, journey: Journey) -> tuple[int, list[dict[str, Any]]]:
        """The events logged by a full journey of a person with secret names."""
        with structlog.testing.capture_logs() as captured:
            secret = Person(
                None,
                SECRETS["first name"],
                SECRETS["last name"],
                BIRTH,
                SECRETS["email"],
                SECRETS["phone"],
            )
            person = journey.container.people.register(secret, journey.advisor).person
            assert person.id is not None
            case_id = journey.open(person.id)
            _continue(journey, case_id)
        return case_id, captured

    def test_transitions_name_case_and_actor(
        self, journey: Journey, logs: tuple[int, list[dict[str, Any]]]
    ) -> None:
        """Every transition is logged once, with the case id, the trigger and the actor."""
        case_id, captured = logs
        moves = [e for e in captured if e["event"] == "transition"]
        fired = [e for e in journey.history(case_id) if e.kind == "transition"]
        expected = [(case_id, e.trigger, e.actor) for e in fired]
        assert expected == [(e.get("case_id"), e.get("trigger"), e.get("actor")) for e in moves]
        expected_actors = {journey.advisor.id, "system"}
        assert expected_actors == {e["actor"] for e in moves}

    def test_every_case_event_names_case_and_actor(
        self, logs: tuple[int, list[dict[str, Any]]]
    ) -> None:
        """Data changes and documents are logged with the case id and the actor too."""
        case_id, captured = logs
        case_events = [e for e in captured if e["event"] != "person_registered"]
        assert case_events
        expected = {(case_id, True)}
        assert expected == {(e.get("case_id"), bool(e.get("actor"))) for e in case_events}

    def test_no_personal_data_nor_free_text(self, logs: tuple[int, list[dict[str, Any]]]) -> None:
        """Names, contacts, birth date, mentor and reasons never reach a log event."""
        _, captured = logs
        dumped = json.dumps(captured, default=repr, ensure_ascii=False)
        leaked = [what for what, value in SECRETS.items() if value in dumped]
        assert not leaked, leaked


class TestRedaction:
    """The configured processors drop personal keys a caller might bind by mistake."""

    @pytest.fixture(autouse=True)
    def _restore_logging(self) -> Iterator[None]:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        saved = structlog.get_config()
        yield
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**saved)

    def test_personal_keys_are_redacted_in_json_logs(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A log call carrying an e-mail, a name or a reason prints them redacted."""
        configure_logging("json", "INFO")
        structlog.get_logger("test").info(
            "oops", case_id=7, email=SECRETS["email"], first_name="Capucine", reason="x y z"
        )
        [line] = capsys.readouterr().err.splitlines()
        event = json.loads(line)
        expected = (7, "[redacted]", "[redacted]", "[redacted]")
        assert expected == (event["case_id"], event["email"], event["first_name"], event["reason"])
