"""Issue 11: eligibility, missions locales over time, staff who leave, complete merges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import GuardFailed, InvalidInput, NotFound
from ipm_workflow.domain.people import MissionLocale, Person, User
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from ipm_workflow.services.attribution import MlCount, Period
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.commands import Actor, Reassign, RecordDocument
from ipm_workflow.services.messages import DeliveryPolicy
from ipm_workflow.services.routing import Audience, Route, route
from journey import ML_ACTOR, Journey, refused_rules

ML_B = Actor("ml:ml-b", "ml_advisor", frozenset({"ml-b"}))
TOO_OLD = date(1999, 1, 1)  # 27 on 2026-01-05: above the missions locales' 25


@pytest.fixture
def supervisor(directory: dict[str, User]) -> Actor:
    """Ipm's supervisor (coordinator)."""
    return Actor.of(directory["supervisor"])


class TestEligibility:
    """The programme's age bounds at the date that matters, with the RQTH extension."""

    def test_above_the_age_bound_is_refused_with_the_rule_named(self, journey: Journey) -> None:
        """A 27-year-old referred to an Erasmus+ internship: the rule, the age and 25 named."""
        with pytest.raises(GuardFailed) as caught:
            journey.open(journey.person(TOO_OLD))
        [unmet] = caught.value.unmet
        expected = (["erasmus_vet.ml_public_age"], 27, 25)
        assert expected == (
            refused_rules(caught.value),
            unmet.detail["value"],
            unmet.detail["bound"],
        )

    def test_rqth_extends_the_upper_age_bound(
        self, container: Container, journey: Journey, advisor: Actor
    ) -> None:
        """The same young person with a recognised disability is referred and assessed."""
        pid = journey.person(TOO_OLD)
        container.person_records.put_sensitive(pid, {"rqth": True}, advisor)
        cid = journey.open(pid)
        journey.fire(cid, "log_first_contact", {"first_contact_date": journey.today()})
        fired = journey.fire(
            cid, "assess", {"programme": "erasmus_vet", "eligibility_checked": True}
        )
        assert fired.case.state == "ASSESSED"

    def test_the_person_can_still_apply_to_these(
        self, container: Container, journey: Journey, advisor: Actor
    ) -> None:
        """At 27: no ML-run programme nor service civique; the VIE, ESC and exchange remain."""
        pid = journey.person(TOO_OLD)
        verdicts = container.eligibility.for_person(pid, advisor)
        expected = {
            "erasmus_vet": False,
            "erasmus_pro": True,
            "erasmus_vet_group": False,
            "esc_volunteering": True,
            "esc_individual": True,
            "esc_team": True,
            "service_civique": False,
            "vie": True,
            "youth_exchange": True,
        }
        assert expected == {v.programme: v.eligible for v in verdicts}


class TestMissionLocalesOverTime:
    """Referrals count for the referring mission locale, outcomes for the current one."""

    def test_a_move_is_counted_for_both_missions_locales(
        self, container: Container, journey: Journey, supervisor: Actor, directory: Any
    ) -> None:
        """Referred by A, moved to B: A keeps the referral, B sees the case and its outcome."""
        cid = journey.open(journey.person())
        moved_on = journey.today() + timedelta(days=3)
        case = journey.move(cid, "ml-b", on=moved_on, reason="moved house", actor=supervisor)
        advisor_b = Actor.of(directory["advisor_b"])
        journey.fire(
            cid, "log_first_contact", {"first_contact_date": journey.today()}, actor=advisor_b
        )
        with container.uow(readonly=True) as uow:
            [move] = uow.attribution.moves_of(cid)
        counts = container.attribution
        expected = (
            ("ml-a", "ml-b"),
            ("ml-a", "ml-b", moved_on, "moved house"),
            [MlCount("ml-a", 1, 1)],
            [MlCount("ml-b", 1, 1)],
        )
        actual = (
            (case.referring_mission_locale, case.mission_locale_id),
            (move.from_mission_locale_id, move.to_mission_locale_id, move.moved_on, move.reason),
            counts.referrals_by_referring_ml(Period(), supervisor),
            counts.outcomes_by_current_ml(Period(), ["CONTACTED"], supervisor),
        )
        assert expected == actual

    def test_the_current_mission_locale_sees_the_case(
        self, container: Container, journey: Journey, supervisor: Actor, directory: Any
    ) -> None:
        """After the move, B's advisor sees the case and A's does not; lists filter on both."""
        cid = journey.open(journey.person())
        journey.move(cid, "ml-b", actor=supervisor)
        with pytest.raises(NotFound):
            journey.case(cid)
        seen_by_b = container.cases.get(cid, Actor.of(directory["advisor_b"])).id
        referred_by_a = container.cases.list_cases(
            CaseQuery(referring_mission_locales=["ml-a"]), supervisor
        )[0]
        now_at_a = container.cases.list_cases(CaseQuery(mission_locales=["ml-a"]), supervisor)[0]
        expected = (cid, [cid], [])
        assert expected == (seen_by_b, [c.id for c in referred_by_a], [c.id for c in now_at_a])

    def test_the_ml_advisor_is_a_contact_who_receives_ml_messages(
        self, container: Container, journey: Journey, supervisor: Actor
    ) -> None:
        """The referring ML's advisor is on the case; a move clears them, the new one is named."""
        cid = journey.open(
            journey.person(), ml_contact_name="Conseil A", ml_contact_email="conseil@ml-a.example"
        )
        first = journey.case(cid)
        moved = journey.move(
            cid,
            "ml-b",
            actor=supervisor,
            ml_contact_name="Conseil B",
            ml_contact_email="conseil@ml-b.example",
        )
        [entry] = [e for e in container.cases.history(cid, supervisor) if e.kind == "reassigned"]
        expected = (
            ("Conseil A", "conseil@ml-a.example"),
            ("Conseil B", "conseil@ml-b.example"),
            "changed",
        )
        actual = (
            (first.ml_contact_name, first.ml_contact_email),
            (moved.ml_contact_name, moved.ml_contact_email),
            entry.payload["ml_contact"],
        )
        assert expected == actual
        assert "conseil@ml-b.example" not in str(entry.payload)


class TestMlAdvisorRoute:
    """What a workflow addresses to `ml_advisor` goes to the ML's own advisor on the case."""

    @pytest.mark.parametrize(
        ("contact", "expected"),
        [("conseil@ml-b.example", ("conseil@ml-b.example",)), (None, ("accueil@ml-b.example",))],
    )
    def test_the_contact_on_the_case_else_the_mission_locale(
        self, contact: str | None, expected: tuple[str, ...]
    ) -> None:
        """The case's ML advisor when named, else the current mission locale's address."""
        case = Case(1, 1, "w", 1, "REFERRED", "ml-b", ml_contact_email=contact)
        place = MissionLocale("ml-b", "Mission locale B", "69", "accueil@ml-b.example")
        audience = Audience(case, Person(1, "Alix", "Témoin"), None, place, list)
        found = route("ml_advisor", audience, date(2026, 1, 5), DeliveryPolicy())
        assert isinstance(found, Route)
        assert expected == found.to


class TestStaffWhoLeave:
    """Deactivation, the open cases of a departing advisor, one handover with reminders."""

    def test_an_advisor_opening_without_naming_one_takes_the_case(
        self, journey: Journey, advisor: Actor
    ) -> None:
        """No advisor_id: the opening advisor owns the case (and hears its reminders)."""
        cid = journey.open(journey.person(), advisor_id=None, actor=advisor)
        assert advisor.user_id == journey.case(cid).advisor_id

    def test_a_referral_stays_unassigned_and_is_listed_as_such(
        self, container: Container, journey: Journey, supervisor: Actor
    ) -> None:
        """A mission locale's referral has no advisor until a coordinator hands it out."""
        young = Person(None, "Noa", "Témoin", date(2005, 6, 15))
        registered = container.people.register(young, ML_ACTOR)
        assert registered.person.id is not None
        referred = journey.open(registered.person.id, advisor_id=None, actor=ML_ACTOR)
        journey.open(journey.person(first_name="Sacha"))
        unassigned = container.cases.list_cases(CaseQuery(unassigned=True), supervisor)[0]
        expected = ([referred], None)
        assert expected == ([c.id for c in unassigned], journey.case(referred).advisor_id)

    def test_a_departing_advisors_cases_and_reminders_move_in_one_action(
        self, container: Container, journey: Journey, supervisor: Actor, advisor: Actor
    ) -> None:
        """Deactivated (tokens revoked at once), then every open case and reminder handed over."""
        issued = container.tokens.issue("advisor.a")
        assert container.tokens.authenticate(issued.token) is not None
        cases = [journey.open(journey.person(first_name=n)) for n in ("Alix", "Sacha")]
        successor = container.people.add_user("advisor.c", "Advisor C", "advisor", ["ml-a"])
        gone = container.staff.deactivate(advisor.user_id or 0, OPERATOR_ACTOR)
        listed = [c.id for c in container.staff.open_cases(advisor.user_id or 0, supervisor)]
        handover = container.staff.hand_over(
            advisor.user_id or 0, successor.id, supervisor, reason="left Ipm", idempotency_key="k1"
        )
        again = container.staff.hand_over(
            advisor.user_id or 0, successor.id, supervisor, reason="left Ipm", idempotency_key="k1"
        )
        agenda = container.reminders.agenda(Actor.of(successor), days=5).reminders
        expected = (
            (1, None),
            sorted(cases),
            [(c, True, 1) for c in sorted(cases)],
            True,
            [],
            sorted(cases),
        )
        actual = (
            (gone.tokens_revoked, container.tokens.authenticate(issued.token)),
            sorted(listed),
            [(i.case_id, i.ok, i.reminders_moved) for i in handover.items],
            again.replayed,
            [c.id for c in container.staff.open_cases(advisor.user_id or 0, supervisor)],
            sorted({r.case_id for r in agenda if r.recipient == "advisor"}),
        )
        assert expected == actual

    def test_a_deactivated_user_is_no_advisor_for_a_case(
        self, container: Container, journey: Journey, supervisor: Actor, directory: Any
    ) -> None:
        """A case cannot be given to someone who has left."""
        cid = journey.open(journey.person())
        container.staff.deactivate(directory["advisor_b"].id, OPERATOR_ACTOR)
        with pytest.raises(InvalidInput):
            container.cases.reassign(
                Reassign(cid, advisor_id=directory["advisor_b"].id), supervisor
            )


class TestMerges:
    """Two registrations of one young person from two missions locales, merged."""

    def test_after_a_merge_the_person_is_counted_once(
        self, container: Container, journey: Journey, supervisor: Actor, directory: Any
    ) -> None:
        """The survivor takes the duplicate's facts, both MLs are told, one person counted."""
        first = container.people.register(Person(None, "Noa", "Témoin", date(2004, 3, 1)), ML_ACTOR)
        second = container.people.register(Person(None, "Noa", "Temoin", date(2004, 3, 1)), ML_B)
        assert first.person.id is not None
        assert second.person.id is not None
        survivor = journey.open(first.person.id, advisor_id=None, actor=ML_ACTOR)
        duplicate = journey.open(
            second.person.id, advisor_id=None, actor=ML_B, mission_locale="ml-b"
        )
        advisor_b = Actor.of(directory["advisor_b"])
        contact = {"first_contact_date": journey.today()}
        journey.fire(duplicate, "log_first_contact", contact, actor=advisor_b)
        identity = RecordDocument(duplicate, "identity", "received", valid_until=date(2030, 1, 1))
        container.cases.record_document(identity, advisor_b)
        journey.merge(survivor, duplicate, supervisor)
        kept = container.cases.get(survivor, supervisor)
        [merged_in] = [
            e for e in container.cases.history(survivor, supervisor) if e.kind == "merged_in"
        ]
        again = container.people.register(Person(None, "Noa", "Témoin", date(2004, 3, 1)), ML_ACTOR)
        merge_day = journey.today()
        journey.advance(1)
        journey.run_reminders()
        notices = sorted(
            (r.case_id, r.status)
            for case_id in (survivor, duplicate)
            for r in container.reminders.of_case(case_id, supervisor)
            if r.rule_id.startswith("merge_notice")
        )
        referrals = container.attribution.referrals_by_referring_ml(Period(), supervisor)
        expected = (
            merge_day.isoformat(),
            "received",
            {"data": ["first_contact_date"], "documents": ["identity"]},
            [first.person.id],
            [(survivor, "sent"), (duplicate, "sent")],
            [MlCount("ml-a", 1, 1)],
        )
        actual = (
            kept.data["first_contact_date"],
            kept.documents["identity"].status,
            merged_in.payload["carried"],
            [p.id for p in again.possible_duplicates],
            notices,
            referrals,
        )
        assert expected == actual

    def test_a_new_case_years_later_is_a_re_entry(
        self, container: Container, journey: Journey
    ) -> None:
        """Earlier journey closed: the warning says re-entry, the new case records it."""
        pid = journey.person()
        first = journey.open(pid)
        journey.fire(first, "log_first_contact", {"first_contact_date": journey.today()})
        journey.fire(first, "withdraw", {"withdrawal_reason": "job_found"})
        journey.advance(2 * 365)
        again = container.people.register(
            Person(None, "Alix", "Témoin", date(2005, 6, 15)), journey.advisor
        )
        second = journey.open(pid)
        [opened] = [e for e in journey.history(second) if e.kind == "opened"]
        expected = ([pid], [pid], [first])
        actual = (
            [p.id for p in again.possible_duplicates],
            again.returning,
            opened.payload["re_entry_of"],
        )
        assert expected == actual
