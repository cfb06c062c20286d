"""Richer guards and values: composed guards, shipped value lists, durations, computed values,
anchors on the first available date, recipients taken from the case's data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from ipm_workflow.domain.cases import Case, CaseFacts, Document
from ipm_workflow.domain.computed import ComputedSpec
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.guards import Guard, GuardBase
from ipm_workflow.domain.people import MissionLocale, Person, User
from ipm_workflow.domain.reminders import events_of, plan, plan_event
from ipm_workflow.domain.value_lists import in_list, value_lists
from ipm_workflow.services.messages import DeliveryPolicy
from ipm_workflow.services.routing import Audience, route

TODAY = date(2026, 3, 10)
PARIS = ZoneInfo("Europe/Paris")
_GUARD = TypeAdapter(Guard)
LABEL = {"fr": "Étiquette", "en": "Label"}
COMPUTED = {
    "stay_end": ComputedSpec.model_validate({"first_of": ["actual_end", "planned_end"]}),
    "days_abroad": ComputedSpec.model_validate(
        {"days_between": {"start": "actual_start", "end": "stay_end"}}
    ),
}
CEAM_IF_EU = {
    "kind": "any_of",
    "guards": [
        {"kind": "not", "guard": {"kind": "field_in", "field": "country", "values": "eu_eea"}},
        {"kind": "documents_present", "documents": ["ceam"]},
    ],
}


def guard(**raw: Any) -> GuardBase:
    """Build a guard the way a workflow file declares it."""
    return _GUARD.validate_python(raw)


def facts(data: dict[str, Any], documents: dict[str, Document] | None = None) -> CaseFacts:
    """What a guard sees of a case, with the computed values of variant B."""
    return CaseFacts("ANY", data, documents or {}, None, TODAY, COMPUTED)


def codes(g: GuardBase, data: dict[str, Any], **docs: Document) -> str | None:
    """Return the code of what is unmet, or None when the guard holds."""
    unmet = g.check(facts(data, docs))
    return unmet.code if unmet else None


class TestComposedGuards:
    def test_any_of_holds_when_one_alternative_holds(self) -> None:
        """A CEAM is needed in Malta, not in Switzerland; with the card, Malta passes too."""
        g = guard(**CEAM_IF_EU)
        card = Document("ceam", "validated")
        assert codes(g, {"country": "CH"}) is None
        assert codes(g, {"country": "MT"}, ceam=card) is None
        assert codes(g, {"country": "MT"}) == "none_of_unmet"

    def test_any_of_explains_each_alternative(self) -> None:
        """An unmet any_of lists why each alternative fails."""
        unmet = guard(**CEAM_IF_EU).check(facts({"country": "mt"}))
        assert unmet is not None
        expected = ["negated_guard_holds", "documents_missing"]
        assert expected == [u["code"] for u in unmet.detail["unmet"]]
        assert unmet.message.startswith("one of these is needed: must not hold: field_in(")

    def test_all_of_reports_every_unmet_guard(self) -> None:
        """all_of holds only when each guard does, and names every one that does not."""
        g = guard(
            kind="all_of",
            guards=[
                {"kind": "field_set", "field": "a"},
                {"kind": "field_equals", "field": "b", "value": True},
            ],
        )
        assert g.check(facts({"a": "x", "b": True})) is None
        assert codes(g, {"b": True}) == "field_missing"
        unmet = g.check(facts({}))
        assert unmet is not None
        assert (unmet.code, len(unmet.detail["unmet"])) == ("all_of_unmet", 2)

    def test_not_uses_the_declared_message(self) -> None:
        """`not` fails when its guard holds, with the workflow's own wording if it gives one."""
        g = guard(kind="not", message="not twice", guard={"kind": "field_set", "field": "a"})
        assert g.check(facts({})) is None
        unmet = g.check(facts({"a": 1}))
        assert unmet is not None
        assert (unmet.code, unmet.message) == ("negated_guard_holds", "not twice")

    def test_composed_guards_list_the_fields_they_read(self) -> None:
        """The engine sees the inputs a nested guard reads (judged when given)."""
        names = [r[1] for r in guard(**CEAM_IF_EU).all_field_refs()]
        assert names == ["country"]


class TestValueLists:
    def test_eu_eea_list_is_iso_alpha_2(self) -> None:
        """The shipped EU/EEA list holds 27 EU and 3 EEA states, as ISO 3166-1 alpha-2 codes."""
        eu_eea = value_lists()["eu_eea"]
        assert len(eu_eea) == 30
        assert {"GR", "IS", "LI", "NO", "FR", "MT"} <= eu_eea
        assert not {"EL", "CH", "GB", "UK", "TR"} & eu_eea
        assert all(len(code) == 2 and code.isupper() for code in eu_eea)

    def test_membership_ignores_case_and_blanks(self) -> None:
        """A code is compared in upper case; anything else is not in the list."""
        assert in_list("eu_eea", " mt ")
        assert not in_list("eu_eea", None)
        assert not in_list("eu_eea", "Malta")

    def test_a_field_in_a_shipped_list(self) -> None:
        """field_in with a list name reports the field, the list and the value."""
        g = guard(kind="field_in", field="country", values="eu_eea")
        assert codes(g, {"country": "NO"}) is None
        assert codes(g, {"country": "CH"}) == "field_mismatch"


class TestDurationsAndNumbers:
    def test_duration_between_two_dates(self) -> None:
        """A stay of 10 to 365 days, both ends counted; out of bounds, or a date missing."""
        g = guard(kind="duration_between", start="s", end="e", min_days=10, max_days=365)
        assert codes(g, {"s": "2026-05-01", "e": "2026-05-10"}) is None  # 10 days
        assert codes(g, {"s": "2026-05-01", "e": "2026-05-09"}) == "duration_out_of_range"
        assert codes(g, {"s": "2026-01-01", "e": "2027-01-01"}) == "duration_out_of_range"
        assert codes(g, {"s": "2026-05-01"}) == "field_missing"

    def test_duration_message_names_the_bounds(self) -> None:
        """The refusal says how long the stay is and what is allowed."""
        g = guard(kind="duration_between", start="s", end="e", min_days=10)
        unmet = g.check(facts({"s": "2026-05-01", "e": "2026-05-03"}))
        assert unmet is not None
        assert unmet.message == "s to e is 3 days, outside 10–… days"

    def test_value_between_reads_a_computed_value(self) -> None:
        """days_abroad (computed) is compared like a number field."""
        g = guard(kind="value_between", field="days_abroad", min=14)
        base = {"actual_start": "2026-05-01", "planned_end": "2026-07-31"}
        assert codes(g, base) is None
        assert codes(g, {**base, "actual_end": "2026-05-05"}) == "value_out_of_range"
        assert codes(g, {"planned_end": "2026-07-31"}) == "field_missing"


class TestComputedValues:
    def test_first_of_prefers_the_first_value_set(self) -> None:
        """stay_end is the actual end once known, else the planned end."""
        assert facts({"planned_end": "2026-07-31"}).value("stay_end") == "2026-07-31"
        both = {"planned_end": "2026-07-31", "actual_end": "2026-06-02"}
        assert facts(both).value("stay_end") == "2026-06-02"
        assert facts({}).value("stay_end") is None

    @given(
        start=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
        length=st.integers(0, 4000),
        planned_only=st.booleans(),
    )
    def test_days_abroad_is_at_least_one(
        self, start: date, length: int, planned_only: bool
    ) -> None:
        """days_abroad = end − start + 1 ≥ 1 whenever the end is on or after the start."""
        end = (start + timedelta(days=length)).isoformat()
        data = {"actual_start": start.isoformat(), "planned_end": end}
        if not planned_only:
            data["actual_end"] = end
        days = facts(data).value("days_abroad")
        assert days >= 1
        assert length + 1 == days

    def test_values_adds_computed_to_the_data(self) -> None:
        """Templates see data and computed values side by side."""
        data = {"actual_start": "2026-05-01", "actual_end": "2026-05-21"}
        expected = {**data, "stay_end": "2026-05-21", "days_abroad": 21}
        assert expected == facts(data).values()


def _workflow(**extra: Any) -> Workflow:
    raw: dict[str, Any] = {
        "name": "tiny",
        "version": 1,
        "title": LABEL,
        "initial_state": "OPEN",
        "roles": ["advisor"],
        "fields": {
            "planned_end": {"type": "date", "label": LABEL},
            "actual_end": {"type": "date", "label": LABEL},
            "operator_email": {"type": "email", "label": LABEL},
        },
        "states": {
            "OPEN": {"phase": "orientation", "label": LABEL},
            "DONE": {"phase": "closed", "terminal": True, "label": LABEL},
        },
        "transitions": [
            {"trigger": "finish", "source": "OPEN", "dest": "DONE", "roles": ["advisor"]}
        ],
        **extra,
    }
    return Workflow.model_validate(raw)


class TestAnchorsAndRecipients:
    RULE: ClassVar[dict[str, Any]] = {
        "id": "after_end",
        "anchor": {"first_of": ["actual_end", "planned_end"]},
        "offset_days": 7,
        "recipients": ["advisor", {"field": "operator_email"}],
        "template": "after_end",
    }

    def _due(self, wf: Workflow, data: dict[str, Any]) -> list[tuple[str, date]]:
        case = Case(1, 1, "tiny", 1, "OPEN", "ml-a", data=data)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        return [
            (p.recipient, p.due_at.astimezone(PARIS).date()) for p in plan(wf, case, now, PARIS)
        ]

    def test_anchor_moves_to_the_actual_end_once_known(self) -> None:
        """A first_of anchor hangs on the planned end until the actual end is recorded."""
        wf = _workflow(reminders=[self.RULE])
        assert {"planned_end", "actual_end"} == set(wf.anchor_fields)
        planned = self._due(wf, {"planned_end": "2026-07-31"})
        assert [
            ("advisor", date(2026, 8, 7)),
            ("field:operator_email", date(2026, 8, 7)),
        ] == planned
        actual = self._due(wf, {"planned_end": "2026-07-31", "actual_end": "2026-06-02"})
        assert {date(2026, 6, 9)} == {d for _, d in actual}
        assert self._due(wf, {}) == []

    def test_anchor_on_a_computed_date(self) -> None:
        """A field anchor may name a computed date; its data fields replan the reminder."""
        rule = {**self.RULE, "anchor": {"field": "stay_end"}}
        wf = _workflow(
            reminders=[rule],
            computed={"stay_end": {"first_of": ["actual_end", "planned_end"]}},
        )
        assert {"planned_end", "actual_end"} == set(wf.anchor_fields)
        assert {date(2026, 8, 7)} == {d for _, d in self._due(wf, {"planned_end": "2026-07-31"})}

    def _audience(self, data: dict[str, Any], advisor: User | None) -> Audience:
        case = Case(1, 1, "tiny", 1, "OPEN", "ml-a", data=data)
        person = Person(1, "Alix", "Témoin", date(2005, 1, 1))
        place = MissionLocale("ml-a", "Mission locale A (test)", "42")
        return Audience(case, person, advisor, place, list)

    def test_a_recipient_from_the_case_data_gets_an_email(self) -> None:
        """The external operator's address is read from the case when the message goes out."""
        found = route(
            "field:operator_email",
            self._audience({"operator_email": "ops@operator.example"}, None),
            TODAY,
            DeliveryPolicy(),
        )
        assert not isinstance(found, str)
        assert (
            found.channel,
            found.to,
            found.instead_of,
        ) == ("email", ("ops@operator.example",), None)

    def test_without_the_address_the_advisor_hears_instead(self) -> None:
        """No address recorded: the advisor gets the message, told whom it was meant for."""
        advisor = User(
            7, "advisor.a", "Advisor A", "advisor", frozenset({"ml-a"}), email="a@ipm.example"
        )
        found = route("field:operator_email", self._audience({}, advisor), TODAY, DeliveryPolicy())
        assert not isinstance(found, str)
        expected = (
            ("a@ipm.example",),
            "field:operator_email",
            "no operator_email recorded on the case",
        )
        assert expected == (found.to, found.instead_of, found.why)


class TestEventPlanning:
    EVENTS: ClassVar[list[dict[str, Any]]] = [
        {
            "id": "on_finish",
            "when": {"trigger": "finish"},
            "delay_hours": 24,
            "recipients": ["advisor", {"field": "operator_email"}],
            "template": "done",
        },
        {
            "id": "on_done",
            "when": {"state_entered": "DONE"},
            "recipients": ["advisor"],
            "template": "done",
        },
    ]

    def test_a_trigger_and_a_state_entered(self) -> None:
        """A trigger answers its event; entering a state answers only a real move into it."""
        wf = _workflow(events=self.EVENTS)
        assert [e.id for e in events_of(wf, "finish", "OPEN", "DONE")] == ["on_finish", "on_done"]
        assert events_of(wf, "note", "DONE", "DONE") == []
        assert [e.id for e in events_of(wf, None, "OPEN", "DONE")] == ["on_done"]

    def test_planned_at_the_event_plus_the_delay(self) -> None:
        """One message per recipient, anchored on the moment of the event, due after the delay."""
        wf = _workflow(events=self.EVENTS)
        at = datetime(2026, 5, 10, 21, tzinfo=UTC)
        planned = plan_event(wf.events[0], at)
        expected = [
            ("advisor", "event", at, at + timedelta(hours=24)),
            ("field:operator_email", "event", at, at + timedelta(hours=24)),
        ]
        assert expected == [(p.recipient, p.kind, p.anchor_at, p.due_at) for p in planned]
