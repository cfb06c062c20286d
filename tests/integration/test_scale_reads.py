"""The agenda by the reminders' own mission locale (0020_scale), the case page's single read,
and page sessions remembered like tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db.reminder_reads import reminders_t
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from ipm_workflow.entrypoints.web.case_page import _timeline
from ipm_workflow.services.commands import Actor, UpdateData
from ipm_workflow.services.memory import Remembered
from journey import ML_ACTOR, Journey

ML_B = Actor("ml:ml-b", "ml_advisor", frozenset({"ml-b"}))
PASSWORD = "a long enough password"


def _places(container: Container, case_id: int) -> set[str | None]:
    with container.engine.connect() as conn:
        found = conn.execute(
            select(reminders_t.c.mission_locale_id).where(reminders_t.c.case_id == case_id)
        )
        return set(found.scalars())


class TestAgendaAfterAMove:
    """The reminders carry their case's mission locale and follow it when it moves."""

    def test_the_agenda_follows_the_case(
        self, container: Container, journey: Journey, directory: dict[str, User]
    ) -> None:
        """Opened at A: on A's agenda; moved to B: on B's only, its reminders all at B."""
        cid = journey.open(journey.person())
        supervisor = Actor.of(directory["supervisor"])
        at_a = [r.case_id for r in container.reminders.agenda(ML_ACTOR, days=60).reminders]
        places_before = _places(container, cid)
        journey.move(cid, "ml-b", actor=supervisor)
        advisor_b = Actor.of(directory["advisor_b"])
        journey.fire(
            cid, "log_first_contact", {"first_contact_date": journey.today()}, actor=advisor_b
        )
        seen_by_a = [r.case_id for r in container.reminders.agenda(ML_ACTOR, days=60).reminders]
        seen_by_b = [r.case_id for r in container.reminders.agenda(ML_B, days=60).reminders]
        expected = ({"ml-a"}, True, {"ml-b"}, [], True)
        assert expected == (
            places_before,
            cid in at_a,
            _places(container, cid),
            seen_by_a,
            bool(seen_by_b) and set(seen_by_b) == {cid},
        )


class TestCaseSheet:
    """CaseService.sheet: what the page showed from six services, read in one transaction."""

    def test_the_sheet_holds_what_the_services_answer(
        self, container: Container, journey: Journey, advisor: Actor, directory: Any
    ) -> None:
        """Case, actions, history, reminders, person, advisor and the reassignment choices."""
        cid = journey.open(journey.person())
        journey.fire(cid, "log_first_contact", {"first_contact_date": journey.today()})
        cases = container.cases
        sheet = cases.sheet(cid, advisor)
        case, actions = cases.actions(cid, advisor)
        expected = (
            case,
            actions,
            cases.history(cid, advisor),
            container.reminders.of_case(cid, advisor),
            container.people.get_for(case.person_id, advisor),
            "Advisor A",
            ["advisor.a", "advisor.b"],
            ["ml-a", "ml-b"],
        )
        actual = (
            sheet.case,
            sheet.actions,
            sheet.history,
            sheet.reminders,
            sheet.person,
            sheet.advisor.display_name if sheet.advisor else None,
            [u.username for u in sheet.advisors],
            [m.id for m in sheet.mission_locales],
        )
        assert expected == actual

    def test_what_an_ml_advisor_may_not_see_stays_empty(
        self, container: Container, journey: Journey
    ) -> None:
        """An ML advisor reads the case but may not reassign it: no choices are read for them."""
        cid = journey.open(journey.person())
        sheet = container.cases.sheet(cid, ML_ACTOR)
        expected = (cid, [], [])
        assert expected == (sheet.case.id, sheet.advisors, sheet.mission_locales)


class TestRememberedSessions:
    """AccountService.remembered: a live session answered without the database, until ended."""

    @pytest.fixture
    def signed_in(self, container: Container, directory: dict[str, User]) -> str:
        """A's advisor signed in; the session's cookie value."""
        container.accounts.set_password("advisor.a", PASSWORD)
        session = container.accounts.sign_in("advisor.a", PASSWORD)
        assert session is not None
        assert session.cookie is not None
        return session.cookie

    def test_remembered_after_a_first_read_then_forgotten_with_time(
        self, container: Container, clock: ManualClock, signed_in: str
    ) -> None:
        """Unknown to memory until read; remembered then; forgotten after the delay."""
        accounts = container.accounts
        before = accounts.remembered(signed_in)
        read = accounts.session(signed_in)
        during = accounts.remembered(signed_in)
        clock.advance(accounts.remember * 2)
        after = accounts.remembered(signed_in)
        expected = (None, "advisor.a", "advisor.a", None)
        assert expected == (
            before,
            read.user.username if read else None,
            during.user.username if during else None,
            after,
        )

    def test_a_signed_out_session_is_refused_at_once(
        self, container: Container, signed_in: str
    ) -> None:
        """Sign-out: neither the memory nor the database answers for the cookie."""
        accounts = container.accounts
        accounts.session(signed_in)
        accounts.sign_out(signed_in)
        expected = (None, None)
        assert expected == (accounts.remembered(signed_in), accounts.session(signed_in))

    def test_a_deactivated_users_session_is_refused_at_once(
        self, container: Container, directory: dict[str, User], signed_in: str
    ) -> None:
        """Deactivation (the staff service) ends the remembered session too."""
        accounts = container.accounts
        accounts.session(signed_in)
        container.staff.deactivate(directory["advisor_a"].id, OPERATOR_ACTOR)
        expected = (None, None)
        assert expected == (accounts.remembered(signed_in), accounts.session(signed_in))

    def test_a_password_reset_and_a_language_change(
        self, container: Container, signed_in: str
    ) -> None:
        """A language chosen shows at once; a password reset ends the session."""
        accounts = container.accounts
        first = accounts.session(signed_in)
        assert first is not None
        accounts.set_language(first.user.id, "en")
        language = accounts.session(signed_in)
        accounts.set_password("advisor.a", PASSWORD + "!")
        expected = ("en", None, None)
        assert expected == (
            language.user.language if language else None,
            accounts.remembered(signed_in),
            accounts.session(signed_in),
        )


def test_memory_never_outlives_the_credential() -> None:
    """An entry kept for 5 s of a credential expiring in 1 s is gone after 1 s."""
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    memory: Remembered[str] = Remembered(timedelta(seconds=5))
    memory.keep("k", "v", now, now + timedelta(seconds=1))
    expected = ("v", None)
    assert expected == (
        memory.get("k", now + timedelta(milliseconds=900)),
        memory.get("k", now + timedelta(seconds=1)),
    )


class TestTransitionFlag:
    """A transition reads the minor-without-guardian flag in its own transaction."""

    def test_a_minor_without_guardian_is_flagged_on_the_transition(
        self, container: Container, journey: Journey
    ) -> None:
        """17 with no guardian on file: flagged; an adult's case is not (the API's rule)."""
        today = journey.today()
        minor = journey.open(journey.person(today.replace(year=today.year - 17)))
        adult = journey.open(journey.person())
        fired = [
            journey.fire(cid, "log_first_contact", {"first_contact_date": today})
            for cid in (minor, adult)
        ]
        expected = [True, False]
        assert expected == [f.minor_without_guardian for f in fired]


class TestLatestLines:
    """The page's sheet with its latest lines only gives the same timeline head and totals."""

    def test_the_latest_lines_are_those_of_the_whole_timeline(
        self, container: Container, journey: Journey, advisor: Actor, clock: ManualClock
    ) -> None:
        """Twelve data changes an hour apart, a transition: the 5 latest lines, counts, states."""
        cid = journey.open(journey.person())
        for n in range(12):
            clock.advance(timedelta(hours=1))
            container.cases.update_data(
                UpdateData(cid, {"programme": ("erasmus_vet", "erasmus_pro")[n % 2]}), advisor
            )
        journey.fire(cid, "log_first_contact", {"first_contact_date": journey.today()})
        whole = container.cases.sheet(cid, advisor)
        short = container.cases.sheet(cid, advisor, 5)

        def head(sheet: Any) -> list[tuple[str, Any]]:
            return [(i.kind, i.item) for i in _timeline(sheet)[:5]]

        expected = (head(whole), whole.timeline_total, {"REFERRED", "CONTACTED"})
        assert expected == (head(short), short.timeline_total, short.visited)
        assert whole.visited == short.visited
