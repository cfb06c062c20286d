"""Event messages: sent once when a trigger fires, by the worker, surviving a restart."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default

import pytest
from reminder_kit import Pump, abroad
from reminder_sinks import SmtpSink

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.entrypoints.worker import Worker
from journey import FINANCE_EMAIL, ML_EMAIL, SUBJECTS, YP_EMAIL, Journey, paris

pytestmark = pytest.mark.anyio

START, END = date(2026, 4, 20), date(2026, 7, 17)
FREE_TEXT = "Témoin tombé malade, rapatrié par l'assurance"
EARLY_RETURN = "early_return_to_ml"


def _text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


class TestEarlyReturnReachesTheMissionLocale:
    """The referring mission locale is told of an early return within 24 hours (variant B)."""

    async def test_told_within_a_day_with_the_category_only(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, clock: ManualClock, directory: object
    ) -> None:
        """A return at 23:00 waits out the quiet hours and reaches the ML next morning, once,
        though the case has moved on in between."""
        cid = await abroad(walker, pump, START, END)
        clock.set(paris(date(2026, 5, 10), 23))
        returned_at = clock.now()
        walker.return_early(cid, date(2026, 5, 10), reason=FREE_TEXT)
        planned = walker.events(cid, EARLY_RETURN)
        assert [("ml_advisor", "planned", returned_at)] == [
            (r.recipient, r.status, r.due_at) for r in planned
        ]
        # The case moves on at once (debriefed that night): the message is not cancelled.
        walker.debrief(cid)
        assert walker.state(cid) == "DEBRIEFED"
        assert [r.status for r in walker.events(cid, EARLY_RETURN)] == ["planned"]
        await pump.until(returned_at + timedelta(hours=24))
        mails = [m for m in smtp.received if m.reminder_id == planned[0].id]
        assert [m.to for m in mails] == [(ML_EMAIL,)]
        assert SUBJECTS["early_return_ml"].format(case=cid) == mails[0].subject
        assert returned_at < mails[0].at <= returned_at + timedelta(hours=24)
        body = _text(mails[0].raw)
        assert "Motif : cas de force majeure." in body
        assert "Jours passés à l'étranger : 21." in body  # a computed value, in a template
        assert "malade" not in body  # the free-text reason never leaves the case
        # Days pass: the event message is never sent again.
        await pump.until(clock.now() + timedelta(days=30))
        again = [m for m in smtp.received if m.reminder_id == planned[0].id]
        assert len(again) == 1
        assert [r.status for r in walker.events(cid, EARLY_RETURN)] == ["sent"]

    async def test_survives_a_restart(
        self,
        walker: Journey,
        pump: Pump,
        smtp: SmtpSink,
        db_url: str,
        clock: ManualClock,
        container: object,
        directory: object,
    ) -> None:
        """Planned in the transaction of the return, the message waits in the database: a new
        process on the same database (a restarted worker) sends it, once."""
        cid = await abroad(walker, pump, START, END)
        walker.return_early(cid, START + timedelta(days=5))
        planned = walker.events(cid, EARLY_RETURN)
        assert [r.status for r in planned] == ["planned"]
        settings = Settings(
            database_url=db_url,
            workflows_dir=walker.container.settings.workflows_dir,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            finance_email=FINANCE_EMAIL,
        )
        restarted = bootstrap(settings, clock=clock, registry=walker.container.registry)
        worker = Worker(restarted.delivery, restarted.channels(), worker_id="after-restart")
        try:
            await worker.run_once()
            await worker.run_once()
        finally:
            await worker.stop()
            restarted.close()
        mails = [m for m in smtp.received if m.reminder_id == planned[0].id]
        assert [m.to for m in mails] == [(ML_EMAIL,)]
        assert [r.status for r in walker.events(cid, EARLY_RETURN)] == ["sent"]

    async def test_a_normal_return_tells_nobody(
        self, walker: Journey, pump: Pump, directory: object
    ) -> None:
        """Only the early return is an event for the mission locale."""
        cid = await abroad(walker, pump, START, END)
        await pump.until(paris(END, 18))
        walker.system(cid, "confirm_return", {"actual_end": END})
        assert walker.events(cid, EARLY_RETURN) == []


class TestSelection:
    """The young person hears of the selection when it happens."""

    async def test_selected_young_person_gets_one_message(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, clock: ManualClock, directory: object
    ) -> None:
        """Selecting plans one event message to the young person, sent by the worker."""
        cid = walker.open(walker.person())
        walker.select(cid)
        await pump.until(clock.now() + timedelta(hours=1))
        events = walker.events(cid, "selected_to_young_person")
        assert [(r.recipient, r.status) for r in events] == [("young_person", "sent")]
        mails = [m for m in smtp.received if m.reminder_id == events[0].id]
        assert [((YP_EMAIL,), SUBJECTS["selected"])] == [(m.to, m.subject) for m in mails]
        history = walker.history(cid)
        assert [
            e for h in history if h.trigger == "select" for e in h.payload.get("events", [])
        ] == ["selected_to_young_person"]
