"""Time as Ipm counts it: business days with French public holidays, calendar months, clocks
that pause (postponement, suspension), breaches told to supervisors; messages dated and
numbered in the reader's language and addressed by name, in-app included."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor
from journey import ML_EMAIL, SUPERVISOR_EMAIL, YP_EMAIL, ApiJourney, Journey, utc
from journey.apps import serving
from journey.fixtures import workflows_of

FIXTURE = Path(__file__).parent / "fixtures" / "clocks"
DAY = timedelta(days=1)
pytestmark = pytest.mark.anyio


workflows_dir, registry = workflows_of(FIXTURE)


@pytest.fixture
def clocked(container: Container, advisor: Actor, clock: ManualClock) -> Journey:
    """The journey driver on the `clocked` workflow (no opening inputs)."""
    return Journey(
        container,
        advisor,
        clock,
        workflow="clocked",
        opening={},
        first_name="Camille",
        contact={"email": YP_EMAIL},
    )


@pytest.fixture
def api_clocked(
    container: Container, directory: dict[str, User], restore_logging: None
) -> Iterator[ApiJourney]:
    """The HTTP API on the test container, with the directory's tokens."""
    # The tests run in 2029: tokens that outlive the jump.
    tokens = {
        key: container.tokens.issue(user.username, days=3650).token
        for key, user in directory.items()
    }
    with serving(container) as app, TestClient(app) as client:
        yield ApiJourney(client, tokens, users=directory)


def _open(api: ApiJourney) -> int:
    case_id: int = api.open_case(workflow="clocked", inputs={})["id"]
    return case_id


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _body(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _clock(case: dict[str, Any]) -> tuple[Any, ...]:
    c = case["clock"]
    return (_moment(c["due_at"]), c["paused_seconds"], c["used_seconds"], c["overdue"])


class TestBusinessDays:
    """`time_limit: {business_days: 2}` on REFERRED."""

    def test_a_time_limit_skips_a_weekend_and_easter_monday(
        self, clocked: Journey, clock: ManualClock
    ) -> None:
        """Opened Friday 30 March 2029 at 10:00 in Paris: due Wednesday 4 April at 10:00
        (Saturday, Sunday and Easter Monday 2 April are not worked); overdue only then."""
        clock.set(utc(2029, 3, 30, 8))
        cid = clocked.open(clocked.person())
        due = utc(2029, 4, 4, 8)
        assert due == clocked.case(cid).due_at
        clock.set(due - timedelta(minutes=1))
        assert clocked.overdue() == []
        clock.set(due + timedelta(minutes=1))
        assert [cid] == clocked.overdue()


class TestPostponementPausesTheClock:
    """PREPARING has `time_limit: P1M`; POSTPONED has `pauses_clock: true`."""

    async def test_overdue_only_after_the_paused_time_is_added_back(
        self, api_clocked: ApiJourney, clock: ManualClock, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Entered on 31 January (due 28 February: the month is clamped), postponed ten days:
        due 10 March, in the listing, the case and the supervisors' breach alike."""
        api = api_clocked
        clock.set(utc(2029, 1, 31, 9))  # 10:00 in Paris
        cid = _open(api)
        api.fired(cid, "contact")
        assert (utc(2029, 2, 28, 9), 0, 0, False) == _clock(api.case(cid))

        clock.set(utc(2029, 2, 10, 9))
        paused = api.fired(cid, "postpone")
        assert _clock(paused) == (None, 0, 10 * 86400, False)
        clock.set(utc(2029, 2, 20, 9))
        back = api.fired(cid, "carry_on")
        assert ("PREPARING", utc(2029, 3, 10, 9)) == (back["state"], _moment(back["sla_due_at"]))

        await pump.until(utc(2029, 3, 1, 9))  # the first deadline is past
        assert ([], (utc(2029, 3, 10, 9), 10 * 86400, 19 * 86400, False)) == (
            api.overdue(workflow="clocked"),
            _clock(api.case(cid)),
        )
        await pump.until(utc(2029, 3, 10, 9, 1))
        assert [cid] == api.overdue(workflow="clocked")
        assert _clock(api.case(cid))[3] is True
        breaches = [m for m in smtp.received if m.to == (SUPERVISOR_EMAIL,)]
        assert [utc(2029, 3, 10, 9)] == [m.at for m in breaches]


class TestSuspension:
    """Suspend and resume, an engine-level action on any active case, with a reason."""

    def test_suspend_and_resume_move_the_deadline_and_the_reminders(
        self, api_clocked: ApiJourney, clock: ManualClock
    ) -> None:
        """27 days suspended: the deadline and the +7-day check move by 27 days; both steps are
        in the history with the reason; the overdue listing ignores a suspended case."""
        api = api_clocked
        clock.set(utc(2029, 6, 1, 8))
        cid = _open(api)
        api.fired(cid, "contact")
        clock.set(utc(2029, 6, 5, 8))
        response = api.suspend(cid, "hospital stay (test)")
        assert response.status_code == 200, response.text
        case = response.json()
        assert (
            case["suspension_reason"],
            case["sla_due_at"],
            case["clock"]["paused_since"] is not None,
        ) == ("hospital stay (test)", None, True)
        assert api.suspend(cid, "again").status_code == 409

        clock.set(utc(2029, 7, 2, 8))  # past the first deadline (1 July), still suspended
        assert api.overdue(workflow="clocked") == []
        resumed = api.resume(cid, reason="back home")
        assert resumed.status_code == 200, resumed.text
        assert (utc(2029, 7, 28, 8), None) == (
            _moment(resumed.json()["sla_due_at"]),
            resumed.json()["suspended_at"],
        )
        assert api.resume(cid).status_code == 409

        checks = {
            (r["status"], _moment(r["due_at"]))
            for r in api.reminders(cid)
            if r["rule_id"] == "preparing_check"
        }
        assert {("cancelled", utc(2029, 6, 8, 8)), ("planned", utc(2029, 7, 5, 8))} == checks
        entries = [
            (e["kind"], e["payload"].get("reason"), e["payload"].get("suspended_seconds"))
            for e in api.history(cid)
            if e["kind"] in ("suspended", "resumed")
        ]
        assert entries == [
            ("suspended", "hospital stay (test)", None),
            ("resumed", "back home", 27 * 86400),
        ]

    async def test_a_reminder_sent_just_before_a_suspension_is_not_sent_again(
        self, clocked: Journey, clock: ManualClock, pump: Pump, smtp: SmtpSink
    ) -> None:
        """The +7-day check went out two hours before the suspension: after resuming, its
        moved anchor does not send it a second time."""
        clock.set(utc(2029, 6, 1, 8))
        cid = clocked.open(clocked.person())
        clocked.fire(cid, "contact")
        await pump.until(utc(2029, 6, 8, 8))
        clock.set(utc(2029, 6, 8, 10))
        clocked.suspend(cid, "hospital stay (test)")
        clock.set(utc(2029, 6, 10, 8))
        clocked.resume(cid)
        await pump.until(utc(2029, 6, 20, 8))
        assert [
            (r.rule_id, r.occurrence, r.status)
            for r in clocked.reminders(cid)
            if r.rule_id == "preparing_check" and r.status in ("sent", "planned")
        ] == [("preparing_check", 0, "sent")]

    def test_a_suspension_needs_a_reason_and_an_open_case(
        self, clocked: Journey, clock: ManualClock
    ) -> None:
        """Without a reason, or on a closed case, the suspension is refused."""
        from ipm_workflow.domain.errors import InvalidInput, SuspensionRefused  # noqa: PLC0415

        cid = clocked.open(clocked.person())
        with pytest.raises(InvalidInput):
            clocked.suspend(cid, "  ")
        clocked.fire(cid, "contact")
        clocked.fire(cid, "finish")
        with pytest.raises(SuspensionRefused):
            clocked.suspend(cid, "too late")


class TestMessages:
    """Dates and numbers as the reader's language writes them; every recipient named."""

    async def test_a_french_message_with_a_french_date(
        self, clocked: Journey, clock: ManualClock, pump: Pump, smtp: SmtpSink
    ) -> None:
        """A departure on 1 April 2029 reads "1 avril 2029" in French, "1 April 2029" in English,
        and the grant "1 234,5 €" / "€1,234.5"."""
        clock.set(utc(2029, 3, 1, 9))
        french = clocked.open(clocked.person(language="fr"))
        english = clocked.open(clocked.person(language="en", email="en@example.org"))
        for cid in (french, english):
            clocked.set(cid, planned_start=date(2029, 4, 1), grant_amount=1234.5)
        await pump.until(utc(2029, 3, 26, 9))
        mails = {m.to: m for m in smtp.received if m.to in ((YP_EMAIL,), ("en@example.org",))}
        fr, en = mails[(YP_EMAIL,)], mails[("en@example.org",)]
        assert (fr.subject, en.subject) == ("Départ le 1 avril 2029", "Departure on 1 April 2029")
        fr_body, en_body = _body(fr.raw), _body(en.raw)
        assert "votre départ est prévu le 1 avril 2029 (01/04/2029)" in fr_body
        assert "Bourse : 1\u202f234,5 €." in fr_body
        assert "Grant: €1,234.5." in en_body

    async def test_staff_get_email_where_they_have_one_in_app_otherwise_named_alike(
        self,
        container: Container,
        directory: dict[str, User],
        clock: ManualClock,
        pump: Pump,
        smtp: SmtpSink,
        api_clocked: ApiJourney,
    ) -> None:
        """The mission locale's contact gets an e-mail; an advisor without an address gets the
        check in-app; the reminder list and the preview name both."""
        quiet = container.people.add_user("advisor.c", "Advisor C", "advisor", ["ml-a"])
        walker = Journey(
            container, Actor.of(quiet), clock, workflow="clocked", opening={}, first_name="Lou"
        )
        clock.set(utc(2029, 3, 1, 9))
        cid = walker.open(walker.person())
        walker.set(cid, planned_start=date(2029, 4, 1), grant_amount=1000.0)
        walker.fire(cid, "contact")
        preview_of = {
            (r.rule_id, r.recipient): r.id for r in walker.reminders(cid) if r.kind == "reminder"
        }
        check = preview_of[("preparing_check", "advisor")]
        preview = api_clocked.ok("GET", f"/api/v1/cases/{cid}/reminders/{check}/preview")
        assert (
            preview["channel"],
            preview["to"],
            preview["addressee"],
        ) == ("in_app", [], "Advisor C (advisor)")
        planned = {
            (r["rule_id"], r["recipient"]): r["addressee"]
            for r in api_clocked.reminders(cid)
            if r["status"] == "planned"
        }
        expected = "Advisor C (advisor)"
        assert expected == planned[("preparing_check", "advisor")]
        await pump.until(utc(2029, 3, 26, 9))
        sent = {
            (r["rule_id"], r["recipient"]): (r["channel"], r["addressee"])
            for r in api_clocked.reminders(cid)
            if r["status"] == "sent"
        }
        assert {
            ("preparing_check", "advisor"): ("in_app", "Advisor C (advisor)"),
            ("departure_notice", "ml_advisor"): (
                "email",
                "Mission locale A (test) (mission locale contact)",
            ),
            ("departure_notice", "young_person"): (
                "in_app",
                f"young person (person {walker.case(cid).person_id})",
            ),
        } == sent
        assert [m.to for m in smtp.received if m.to == (ML_EMAIL,)] == [(ML_EMAIL,)]


class TestUpgrade:
    """Cases opened before clocks existed get their deadline from `cases clocks`."""

    def test_set_clocks_gives_old_cases_their_deadline(
        self, container: Container, clocked: Journey, clock: ManualClock, directory: dict[str, User]
    ) -> None:
        """A case with no clock (as the migration leaves it) is overdue again once set."""
        from sqlalchemy import update  # noqa: PLC0415

        from ipm_workflow.adapters.db.handles import cases_t  # noqa: PLC0415

        clock.set(utc(2029, 3, 30, 8))
        cid = clocked.open(clocked.person())
        with container.engine.begin() as conn:
            conn.execute(update(cases_t).values(due_at=None, clock_state=None))
        clock.set(utc(2029, 4, 5, 8))
        assert clocked.overdue() == []
        supervisor = Actor.of(directory["supervisor"])
        assert [cid] == container.cases.suspensions.set_clocks(supervisor)
        assert ([cid], "clock_set") == (clocked.overdue(), clocked.history(cid)[-1].kind)
        assert container.cases.suspensions.set_clocks(supervisor) == []


class TestSandboxOutbox:
    """The training sandbox's outbox names the recipient of an in-app message."""

    async def test_an_in_app_message_is_captured_with_its_recipient_named(
        self, container: Container, clock: ManualClock
    ) -> None:
        """No address, yet the outbox says whom it was for."""
        from ipm_workflow.adapters.channels.capture import CaptureChannel, outbox  # noqa: PLC0415
        from ipm_workflow.services.messages import Message  # noqa: PLC0415

        message = Message(7, 3, "in_app", (), "Point", "Texte", "<r-7@test>", "fr")
        channel = CaptureChannel(container.engine, clock)
        await channel.send(replace(message, addressee="Advisor C (advisor)"))
        [captured] = outbox(container.engine)
        assert (
            captured["channel"],
            captured["recipients"],
            captured["addressee"],
        ) == ("in_app", "(in-app)", "Advisor C (advisor)")
