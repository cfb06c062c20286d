"""The compiled workflow: which actions a case offers, and what firing one does or refuses."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ipm_workflow.adapters.workflow_files import parse_file
from ipm_workflow.domain.actions import Outcome
from ipm_workflow.domain.cases import CaseFacts, Document
from ipm_workflow.domain.definitions import Labels, Workflow
from ipm_workflow.domain.engine import Action, CompiledWorkflow, InputView
from ipm_workflow.domain.errors import (
    GuardFailed,
    InvalidInput,
    InvalidTransition,
    RoleNotAllowed,
    TransitionDenied,
    Unmet,
)
from ipm_workflow.domain.lint import lint

TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
LABEL = {"fr": "Étiquette", "en": "Label"}
SHIPPED = Path(__file__).resolve().parents[2] / "workflows" / "erasmus_vet_long.v1.yaml"


def _state(terminal: bool = False) -> dict[str, Any]:
    return {"phase": "closed" if terminal else "preparation", "terminal": terminal, "label": LABEL}


def _field(kind: str, values: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind, "label": LABEL}
    if values is not None:
        spec["values"] = values
    return spec


def _level_is(value: str) -> dict[str, Any]:
    return {"kind": "field_equals", "field": "level", "value": value}


DEFINITION: dict[str, Any] = {
    "name": "engine_test",
    "version": 1,
    "title": LABEL,
    "initial_state": "OPEN",
    "roles": ["advisor", "supervisor", "young_person", "system"],
    "fields": {
        "booked": _field("boolean"),
        "amount": _field("number"),
        "start": _field("date"),
        "note": _field("text"),
        "level": _field("enum", ["low", "high"]),
        "status": _field("enum", ["open", "closed"]),
        "closed_on": _field("date"),
        "closed_at": _field("text"),
    },
    "documents": {"identity": {"expires": True, "label": LABEL}},
    "states": {
        "OPEN": _state(),
        "READY": _state(),
        "PAUSED": _state(),
        "DONE": _state(terminal=True),
        "FAST": _state(terminal=True),
        "SLOW": _state(terminal=True),
        "CANCELLED": _state(terminal=True),
    },
    "transitions": [
        {
            "trigger": "book",
            "label": {"fr": "Réserver", "en": "Book"},
            "source": "OPEN",
            "dest": "OPEN",
            "roles": ["young_person", "advisor"],
            "inputs": ["booked", {"field": "amount", "required": False}],
        },
        {
            "trigger": "prepare",
            "source": "OPEN",
            "dest": "READY",
            "roles": ["supervisor", "advisor"],
            "inputs": [
                "start",
                {"field": "level", "required": False},
                {"field": "note", "required": False},
            ],
            "guards": [
                {"kind": "field_equals", "field": "booked", "value": True},
                {"kind": "documents_present", "documents": ["identity"]},
            ],
        },
        {
            "trigger": "pause",
            "source": ["OPEN", "READY"],
            "dest": "PAUSED",
            "roles": ["advisor"],
            "reason_required": True,
        },
        {"trigger": "resume", "source": "PAUSED", "dest": "@previous", "roles": ["advisor"]},
        {
            "trigger": "close",
            "source": "READY",
            "dest": "DONE",
            "roles": ["advisor"],
            "effects": {"closed_on": "$today", "closed_at": "$now", "status": "closed"},
        },
        {
            "trigger": "route",
            "source": "READY",
            "dest": "FAST",
            "roles": ["advisor"],
            "guards": [_level_is("high")],
        },
        {
            "trigger": "route",
            "source": "READY",
            "dest": "SLOW",
            "roles": ["advisor"],
            "guards": [_level_is("low")],
        },
        {
            "trigger": "reschedule",
            "source": "READY",
            "dest": "READY",
            "roles": ["advisor"],
            "inputs": ["start"],
            "guards": [{"kind": "date_in_future", "field": "start"}],
        },
        {
            "trigger": "cancel",
            "source": "*",
            "dest": "CANCELLED",
            "roles": ["supervisor"],
            "reason_required": True,
        },
    ],
}

READY_DATA = {"booked": True, "start": "2025-04-01"}
IDENTITY = {"identity": Document("identity", status="received")}


@pytest.fixture(scope="module")
def engine() -> CompiledWorkflow:
    """The test workflow compiled once, as the service compiles each version once."""
    definition = Workflow.model_validate(DEFINITION)
    assert not lint(definition)
    return CompiledWorkflow(definition)


@pytest.fixture(scope="module")
def shipped() -> CompiledWorkflow:
    """The shipped Erasmus+ VET workflow, compiled."""
    definition, problems = parse_file(SHIPPED)
    assert not problems
    assert definition is not None
    return CompiledWorkflow(definition)


def facts(
    state: str,
    data: Mapping[str, Any] | None = None,
    documents: Mapping[str, Document] | None = None,
    birth_date: date | None = None,
    today: date = TODAY,
) -> CaseFacts:
    """A case as the engine sees it on a day (TODAY by default)."""
    return CaseFacts(state, dict(data or {}), dict(documents or {}), birth_date, today)


def reschedule(engine: CompiledWorkflow, start: str, previous_state: str | None = None) -> Outcome:
    """Fire `reschedule` on a READY case, as an advisor at NOW, with a new start date."""
    ready = facts("READY", READY_DATA)
    inputs = {"start": start}
    return engine.fire(
        ready, "reschedule", "advisor", now=NOW, inputs=inputs, previous_state=previous_state
    )


def by_trigger(actions: list[Action]) -> dict[str, Action]:
    """Index actions by trigger."""
    return {a.trigger: a for a in actions}


class TestCompilation:
    def test_no_automatic_to_state_triggers(self, engine: CompiledWorkflow) -> None:
        """The machine has only declared triggers: no to_<state>() that would bypass the rules."""
        machine = engine._machine
        declared = {t["trigger"] for t in DEFINITION["transitions"]}
        assert declared == set(machine.events)
        for state in DEFINITION["states"]:
            assert not [t for t in machine.get_triggers(state) if t.startswith("to_")]

    def test_carriers_have_no_to_state_methods(self, engine: CompiledWorkflow) -> None:
        """The objects moved through the machine carry no to_<state>() shortcut."""
        carrier = engine._borrow()
        assert not [name for name in dir(carrier) if name.startswith("to_")]

    def test_triggers_from_in_declaration_order_without_repeats(
        self, engine: CompiledWorkflow
    ) -> None:
        """A trigger declared twice from one state is listed once, in declaration order."""
        expected = ["book", "prepare", "pause", "cancel"]
        assert expected == engine.triggers_from("OPEN")
        expected = ["pause", "close", "route", "reschedule", "cancel"]
        assert expected == engine.triggers_from("READY")
        assert not engine.triggers_from("DONE")

    def test_shipped_workflow_compiles_with_declared_triggers_only(
        self, shipped: CompiledWorkflow
    ) -> None:
        """The shipped machine knows exactly the triggers of its file."""
        declared = {t.trigger for t in shipped.definition.transitions}
        assert declared == set(shipped._machine.events)


class TestAvailableActions:
    def test_lists_every_trigger_out_of_the_state(self, engine: CompiledWorkflow) -> None:
        """Allowed and denied actions are all listed, each with its verdict."""
        actions = engine.available_actions(facts("OPEN"), "advisor")
        expected = [("book", True), ("prepare", False), ("pause", True), ("cancel", False)]
        assert expected == [(a.trigger, a.allowed) for a in actions]

    def test_allowed_action_describes_destination_inputs_and_roles(
        self, engine: CompiledWorkflow
    ) -> None:
        """An allowed action says where it leads, what it asks for and who may do it."""
        book = by_trigger(engine.available_actions(facts("OPEN"), "young_person"))["book"]
        expected = Action(
            trigger="book",
            label=Labels(fr="Réserver", en="Book"),
            dest="OPEN",
            allowed=True,
            roles=["advisor", "young_person"],
            unmet=[],
            inputs=[
                InputView("booked", "boolean", True, None, Labels(**LABEL)),
                InputView("amount", "number", False, None, Labels(**LABEL)),
            ],
            reason_required=False,
        )
        assert expected == book

    def test_role_denial_names_the_allowed_roles(self, engine: CompiledWorkflow) -> None:
        """A role that may not act is told which roles may."""
        cancel = by_trigger(engine.available_actions(facts("OPEN"), "advisor"))["cancel"]
        expected = [
            Unmet(
                "role",
                "role 'advisor' may not do this; allowed: supervisor",
                {"role": "advisor", "allowed_roles": ["supervisor"]},
            )
        ]
        assert expected == cancel.unmet
        expected = (False, "CANCELLED")
        assert expected == (cancel.allowed, cancel.dest)

    def test_role_denial_lists_several_allowed_roles_sorted(self, engine: CompiledWorkflow) -> None:
        """Allowed roles are listed in a stable, sorted order."""
        prepare = by_trigger(engine.available_actions(facts("OPEN"), "young_person"))["prepare"]
        expected = ["role 'young_person' may not do this; allowed: advisor, supervisor"]
        assert expected == [u.message for u in prepare.unmet]

    def test_guard_denial_lists_every_unmet_guard(self, engine: CompiledWorkflow) -> None:
        """All unmet guards are listed, not only the first."""
        prepare = by_trigger(engine.available_actions(facts("OPEN"), "advisor"))["prepare"]
        expected = [("field_mismatch", "booked"), ("documents_missing", None)]
        assert expected == [(u.code, u.detail.get("field")) for u in prepare.unmet]
        expected = {"identity": "missing"}
        assert expected == prepare.unmet[1].detail

    def test_action_becomes_allowed_once_guards_hold(self, engine: CompiledWorkflow) -> None:
        """With the booking and the identity document, prepare is allowed."""
        ready = facts("OPEN", {"booked": True}, IDENTITY)
        prepare = by_trigger(engine.available_actions(ready, "advisor"))["prepare"]
        expected = (True, [], "READY")
        assert expected == (prepare.allowed, prepare.unmet, prepare.dest)

    def test_reason_required_is_announced(self, engine: CompiledWorkflow) -> None:
        """An action needing a reason says so before it is fired."""
        pause = by_trigger(engine.available_actions(facts("OPEN"), "advisor"))["pause"]
        assert pause.reason_required

    def test_same_trigger_shows_the_destination_the_guards_choose(
        self, engine: CompiledWorkflow
    ) -> None:
        """When guards tell two transitions apart, the action leads where the case qualifies."""
        high = by_trigger(engine.available_actions(facts("READY", {"level": "high"}), "advisor"))
        low = by_trigger(engine.available_actions(facts("READY", {"level": "low"}), "advisor"))
        expected = ("FAST", "SLOW")
        assert expected == (high["route"].dest, low["route"].dest)

    def test_same_trigger_with_no_qualifying_branch_lists_each_branch(
        self, engine: CompiledWorkflow
    ) -> None:
        """If no branch qualifies, the unmet guards of every branch are listed."""
        route = by_trigger(engine.available_actions(facts("READY"), "advisor"))["route"]
        assert not route.allowed
        expected = [
            "level must be 'high' (is None)",
            "level must be 'low' (is None)",
        ]
        assert expected == [u.message for u in route.unmet]

    def test_terminal_state_offers_nothing(self, engine: CompiledWorkflow) -> None:
        """A closed case has no action at all."""
        assert not engine.available_actions(facts("DONE"), "supervisor")

    def test_previous_destination_is_resolved(self, engine: CompiledWorkflow) -> None:
        """Resume leads back to the state the case came from."""
        resume = by_trigger(engine.available_actions(facts("PAUSED"), "advisor", "READY"))
        expected = (True, "READY")
        assert expected == (resume["resume"].allowed, resume["resume"].dest)

    def test_previous_destination_unknown_is_denied(self, engine: CompiledWorkflow) -> None:
        """Without a previous state, resume is listed as denied with the reason."""
        resume = by_trigger(engine.available_actions(facts("PAUSED"), "advisor"))["resume"]
        assert not resume.allowed
        assert "no_previous_state" in [u.code for u in resume.unmet]


class TestFireRefusals:
    def test_trigger_not_leaving_the_state(self, engine: CompiledWorkflow) -> None:
        """A trigger with no way out of the state names the triggers that do leave it."""
        with pytest.raises(InvalidTransition) as caught:
            engine.fire(facts("OPEN"), "close", "advisor", now=NOW)
        expected = ["book", "prepare", "pause", "cancel"]
        assert expected == caught.value.allowed
        expected = ("close", "OPEN")
        assert expected == (caught.value.trigger, caught.value.state)
        assert caught.value.message == (
            "'close' is not a way out of state OPEN; triggers from OPEN: book, prepare, pause, "
            "cancel"
        )

    def test_unknown_trigger(self, engine: CompiledWorkflow) -> None:
        """A trigger the workflow never declares is an invalid transition too."""
        with pytest.raises(InvalidTransition, match="'fly' is not a way out"):
            engine.fire(facts("OPEN"), "fly", "advisor", now=NOW)

    def test_nothing_leaves_a_terminal_state(self, engine: CompiledWorkflow) -> None:
        """From a terminal state, the message says no trigger leaves it."""
        with pytest.raises(InvalidTransition) as caught:
            engine.fire(facts("DONE"), "cancel", "supervisor", now=NOW, reason="x")
        assert not caught.value.allowed
        assert caught.value.message.endswith("triggers from DONE: none")

    def test_role_not_allowed(self, engine: CompiledWorkflow) -> None:
        """A role outside the transition's roles is refused, naming the allowed roles."""
        with pytest.raises(RoleNotAllowed) as caught:
            engine.fire(facts("OPEN"), "pause", "young_person", now=NOW, reason="holiday")
        error = caught.value
        assert [
            Unmet(
                "role",
                "role 'young_person' may not do this; allowed: advisor",
                {"role": "young_person", "allowed_roles": ["advisor"]},
            )
        ] == error.unmet
        expected = ["book"]
        assert expected == error.allowed
        expected = "role-not-allowed"
        assert expected == error.kind

    def test_guard_failed_lists_every_unmet_guard(self, engine: CompiledWorkflow) -> None:
        """A guard failure carries the whole list of unmet conditions and the allowed triggers."""
        with pytest.raises(GuardFailed) as caught:
            engine.fire(
                facts("OPEN"), "prepare", "advisor", now=NOW, inputs={"start": "2025-04-01"}
            )
        error = caught.value
        expected = ["field_mismatch", "documents_missing"]
        assert expected == [u.code for u in error.unmet]
        expected = ["book", "pause"]
        assert expected == error.allowed
        assert [u.as_dict() for u in error.unmet] == error.context["unmet"]
        assert "booked must be True (is None)" in error.message

    def test_guard_sees_the_inputs_given_with_the_trigger(self, engine: CompiledWorkflow) -> None:
        """Guards judge the case as it would be with the inputs: a past start date fails."""
        with pytest.raises(GuardFailed) as caught:
            reschedule(engine, "2025-03-01")
        expected = [{"field": "start", "value": "2025-03-01", "today": "2025-03-10"}]
        assert expected == [u.detail for u in caught.value.unmet]
        outcome = reschedule(engine, "2025-05-01")
        expected = {"start": ["2025-04-01", "2025-05-01"]}
        assert expected == outcome.changes

    def test_denials_are_transition_denied(self) -> None:
        """Both refusals share the TransitionDenied base the HTTP edge translates."""
        assert issubclass(GuardFailed, TransitionDenied)
        assert issubclass(RoleNotAllowed, TransitionDenied)


class TestFireInputs:
    def test_unknown_input(self, engine: CompiledWorkflow) -> None:
        """An input the trigger does not declare is refused, listing the ones it takes."""
        with pytest.raises(InvalidInput) as caught:
            engine.fire(
                facts("OPEN"), "book", "advisor", now=NOW, inputs={"booked": True, "colour": "red"}
            )
        expected = [
            {
                "field": "inputs.colour",
                "message": "'book' takes no input 'colour'; it takes: booked, amount",
            }
        ]
        assert expected == caught.value.errors

    def test_input_to_a_trigger_without_inputs(self, engine: CompiledWorkflow) -> None:
        """A trigger with no inputs says it takes none."""
        with pytest.raises(InvalidInput) as caught:
            engine.fire(facts("READY"), "close", "advisor", now=NOW, inputs={"note": "x"})
        expected = ["'close' takes no input 'note'; it takes: none"]
        assert expected == [e["message"] for e in caught.value.errors]

    @pytest.mark.parametrize("given", [{}, {"booked": None}])
    def test_missing_required_input(self, engine: CompiledWorkflow, given: dict[str, Any]) -> None:
        """A required input that is absent or null is reported as required."""
        with pytest.raises(InvalidInput) as caught:
            engine.fire(facts("OPEN"), "book", "advisor", now=NOW, inputs=given)
        expected = [{"field": "inputs.booked", "message": "required"}]
        assert expected == caught.value.errors

    def test_optional_input_may_be_left_out(self, engine: CompiledWorkflow) -> None:
        """An optional input need not be given."""
        outcome = engine.fire(facts("OPEN"), "book", "advisor", now=NOW, inputs={"booked": "yes"})
        expected = {"booked": True}
        assert expected == outcome.data

    @pytest.mark.parametrize(
        ("trigger", "state", "given", "message"),
        [
            ("book", "OPEN", {"booked": "maybe"}, "expected true or false, got 'maybe'"),
            ("book", "OPEN", {"booked": True, "amount": "lots"}, "expected a number, got 'lots'"),
            (
                "book",
                "OPEN",
                {"booked": True, "amount": "nan"},
                "expected a finite number, got 'nan'",
            ),
            (
                "reschedule",
                "READY",
                {"start": "2025-13-01"},
                "expected a date YYYY-MM-DD, got '2025-13-01'",
            ),
            (
                "prepare",
                "OPEN",
                {"start": "2025-04-01", "level": "medium"},
                "expected one of ['low', 'high'], got 'medium'",
            ),
            ("prepare", "OPEN", {"start": "2025-04-01", "note": 42}, "expected text, got 42"),
        ],
    )
    def test_badly_typed_input(
        self,
        engine: CompiledWorkflow,
        trigger: str,
        state: str,
        given: dict[str, Any],
        message: str,
    ) -> None:
        """A value of the wrong type or outside an enum is refused with the expected form."""
        with pytest.raises(InvalidInput) as caught:
            engine.fire(facts(state), trigger, "advisor", now=NOW, inputs=given)
        assert [message] == [e["message"] for e in caught.value.errors]

    def test_bad_value_is_not_also_reported_as_missing(self, engine: CompiledWorkflow) -> None:
        """A required input with a bad value gets one error, not a second 'required'."""
        with pytest.raises(InvalidInput) as caught:
            engine.fire(facts("OPEN"), "book", "advisor", now=NOW, inputs={"booked": "maybe"})
        expected = ["inputs.booked"]
        assert expected == [e["field"] for e in caught.value.errors]

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_missing_reason(self, engine: CompiledWorkflow, reason: str | None) -> None:
        """A trigger requiring a reason refuses none, empty or blank."""
        with pytest.raises(InvalidInput) as caught:
            engine.fire(facts("OPEN"), "pause", "advisor", now=NOW, reason=reason)
        expected = [{"field": "reason", "message": "'pause' requires a reason"}]
        assert expected == caught.value.errors

    def test_every_input_error_is_reported_at_once(self, engine: CompiledWorkflow) -> None:
        """Unknown, badly typed and missing inputs are all listed in one error."""
        with pytest.raises(InvalidInput) as caught:
            engine.fire(
                facts("OPEN"),
                "prepare",
                "advisor",
                now=NOW,
                inputs={"level": "medium", "extra": 1},
            )
        expected = ["inputs.level", "inputs.extra", "inputs.start"]
        assert expected == [e["field"] for e in caught.value.errors]

    def test_inputs_are_stored_in_their_typed_form(self, engine: CompiledWorkflow) -> None:
        """Inputs are coerced: 'yes' becomes true, '12' becomes 12, dates are trimmed."""
        outcome = engine.fire(
            facts("OPEN"), "book", "advisor", now=NOW, inputs={"booked": "yes", "amount": "12"}
        )
        expected = {"booked": True, "amount": 12}
        assert expected == outcome.data
        prepared = engine.fire(
            facts("OPEN", {"booked": True}, IDENTITY),
            "prepare",
            "advisor",
            now=NOW,
            inputs={"start": " 2025-04-01 ", "level": "high"},
        )
        expected = {"booked": True, "start": "2025-04-01", "level": "high"}
        assert expected == prepared.data


class TestFireOutcome:
    def test_outcome_names_states_data_and_changes(self, engine: CompiledWorkflow) -> None:
        """Firing returns the move, the new data and each changed field as [old, new]."""
        before = facts("OPEN", {"booked": True, "note": "kept"}, IDENTITY)
        outcome = engine.fire(before, "prepare", "advisor", now=NOW, inputs={"start": "2025-04-01"})
        expected = ("prepare", "OPEN", "READY", "OPEN")
        assert expected == (
            outcome.trigger,
            outcome.from_state,
            outcome.to_state,
            outcome.previous_state,
        )
        expected = {"booked": True, "note": "kept", "start": "2025-04-01"}
        assert expected == outcome.data
        expected = {"start": [None, "2025-04-01"]}
        assert expected == outcome.changes

    def test_firing_does_not_touch_the_facts(self, engine: CompiledWorkflow) -> None:
        """The case facts given to fire are left as they were."""
        data = {"booked": False}
        before = facts("OPEN", data)
        engine.fire(before, "book", "advisor", now=NOW, inputs={"booked": True})
        expected = ("OPEN", {"booked": False})
        assert expected == (before.state, dict(before.data))

    def test_self_loop_keeps_the_previous_state(self, engine: CompiledWorkflow) -> None:
        """Staying in the same state does not overwrite where the case came from."""
        outcome = reschedule(engine, "2025-06-01", previous_state="OPEN")
        expected = ("READY", "OPEN")
        assert expected == (outcome.to_state, outcome.previous_state)

    def test_effects_set_fields_with_today_and_now(self, engine: CompiledWorkflow) -> None:
        """Effects set their fields; '$today' and '$now' take the given moment."""
        outcome = engine.fire(facts("READY", READY_DATA), "close", "advisor", now=NOW)
        expected = "DONE"
        assert expected == outcome.to_state
        expected = {
            "closed_on": [None, "2025-03-10"],
            "closed_at": [None, "2025-03-10T09:30:00+00:00"],
            "status": [None, "closed"],
        }
        assert expected == outcome.changes
        assert {**READY_DATA, **{k: v[1] for k, v in expected.items()}} == outcome.data

    def test_today_is_the_cases_calendar_day(self, engine: CompiledWorkflow) -> None:
        """'$today' is the day of the facts (Ipm's calendar), even when UTC is still yesterday."""
        late_evening_utc = datetime(2031, 12, 31, 23, 30, tzinfo=UTC)
        paris_day = facts("READY", READY_DATA, today=date(2032, 1, 1))
        outcome = engine.fire(paris_day, "close", "advisor", now=late_evening_utc)
        expected = "2032-01-01"
        assert expected == outcome.data["closed_on"]

    def test_effect_overriding_an_existing_value_is_a_change(
        self, engine: CompiledWorkflow
    ) -> None:
        """An effect replacing a value records the old one."""
        outcome = engine.fire(
            facts("READY", {**READY_DATA, "status": "open"}), "close", "advisor", now=NOW
        )
        expected = ["open", "closed"]
        assert expected == outcome.changes["status"]

    def test_same_trigger_picks_the_destination_by_guards(self, engine: CompiledWorkflow) -> None:
        """'route' goes to FAST for a high level and SLOW for a low one."""
        high = engine.fire(facts("READY", {"level": "high"}), "route", "advisor", now=NOW)
        low = engine.fire(facts("READY", {"level": "low"}), "route", "advisor", now=NOW)
        expected = ("FAST", "SLOW")
        assert expected == (high.to_state, low.to_state)

    def test_same_trigger_with_no_branch_qualifying_fails(self, engine: CompiledWorkflow) -> None:
        """Without a level, neither branch qualifies and both unmet guards are given."""
        with pytest.raises(GuardFailed) as caught:
            engine.fire(facts("READY"), "route", "advisor", now=NOW)
        expected = [
            {"field": "level", "expected": "high", "actual": None},
            {"field": "level", "expected": "low", "actual": None},
        ]
        assert expected == [u.detail for u in caught.value.unmet]

    def test_star_source_leaves_every_active_state(self, engine: CompiledWorkflow) -> None:
        """A '*' transition fires from each non-terminal state."""
        for state in ("OPEN", "READY", "PAUSED"):
            outcome = engine.fire(facts(state), "cancel", "supervisor", now=NOW, reason="dup")
            assert (state, "CANCELLED") == (outcome.from_state, outcome.to_state)


class TestPreviousDestination:
    @pytest.mark.parametrize("origin", ["OPEN", "READY"])
    def test_pause_then_resume_returns_where_it_came_from(
        self, engine: CompiledWorkflow, origin: str
    ) -> None:
        """Resume leads back to the state the pause left."""
        paused = engine.fire(facts(origin), "pause", "advisor", now=NOW, reason="family")
        assert ("PAUSED", origin) == (paused.to_state, paused.previous_state)
        resumed = engine.fire(
            facts("PAUSED"), "resume", "advisor", now=NOW, previous_state=paused.previous_state
        )
        assert (origin, "PAUSED") == (resumed.to_state, resumed.previous_state)

    def test_resume_without_a_previous_state_is_refused(self, engine: CompiledWorkflow) -> None:
        """A case whose previous state is unknown cannot resume."""
        with pytest.raises(TransitionDenied) as caught:
            engine.fire(facts("PAUSED"), "resume", "advisor", now=NOW)
        assert "no_previous_state" in [u.code for u in caught.value.unmet]

    def test_resume_to_a_state_that_never_leads_here_is_refused(
        self, engine: CompiledWorkflow
    ) -> None:
        """A previous state that no transition into PAUSED starts from is not a way back."""
        with pytest.raises(TransitionDenied):
            engine.fire(facts("PAUSED"), "resume", "advisor", now=NOW, previous_state="DONE")

    @pytest.mark.parametrize("origin", ["SELECTED", "MATCHED", "CONTRACTED", "PREPARING", "READY"])
    def test_shipped_postpone_then_resume(self, shipped: CompiledWorkflow, origin: str) -> None:
        """In the shipped workflow, a postponed case resumes in the state it was postponed from."""
        data = {"grant_project_end": "2026-06-30"}
        new_dates = {"planned_start": "2025-09-01", "planned_end": "2025-12-01"}
        postponed = shipped.fire(
            facts(origin, data),
            "postpone",
            "advisor",
            now=NOW,
            inputs=new_dates,
            reason="host closed for the summer",
        )
        assert ("POSTPONED", origin) == (postponed.to_state, postponed.previous_state)
        resumed = shipped.fire(
            facts("POSTPONED", postponed.data),
            "resume",
            "advisor",
            now=NOW,
            previous_state=postponed.previous_state,
        )
        assert origin == resumed.to_state

    def test_shipped_postpone_beyond_the_grant_project_is_refused(
        self, shipped: CompiledWorkflow
    ) -> None:
        """The new end date must fall within the grant project, with the declared wording."""
        with pytest.raises(GuardFailed) as caught:
            shipped.fire(
                facts("MATCHED", {"grant_project_end": "2025-10-31"}),
                "postpone",
                "advisor",
                now=NOW,
                inputs={"planned_start": "2025-09-01", "planned_end": "2025-12-01"},
                reason="late visa",
            )
        expected = ["the new end date must fall within the grant project"]
        assert expected == [u.message for u in caught.value.unmet]


class TestShippedGuards:
    def test_minor_needs_guardian_consent_to_sign(self, shipped: CompiledWorkflow) -> None:
        """A young person still 17 at departure needs the guardian's signature."""
        agreements = {
            "grant_agreement": Document("grant_agreement", status="received"),
            "learning_agreement": Document("learning_agreement", status="received"),
        }
        case = facts("MATCHED", {"planned_start": "2025-06-01"}, agreements, date(2007, 9, 1))
        with pytest.raises(GuardFailed) as caught:
            shipped.fire(
                case, "sign_contracts", "advisor", now=NOW, inputs={"signature_date": "2025-03-10"}
            )
        expected = ["a minor's guardian must sign the agreements"]
        assert expected == [u.message for u in caught.value.unmet]
        adult_by_then = facts(
            "MATCHED", {"planned_start": "2025-09-01"}, agreements, date(2007, 9, 1)
        )
        outcome = shipped.fire(
            adult_by_then,
            "sign_contracts",
            "advisor",
            now=NOW,
            inputs={"signature_date": "2025-03-10"},
        )
        expected = "CONTRACTED"
        assert expected == outcome.to_state


class TestConcurrency:
    def test_many_threads_fire_on_one_compiled_workflow(self, engine: CompiledWorkflow) -> None:
        """8 threads x 200 fires on one shared machine each get the right destination."""
        start = threading.Barrier(8)

        def work(worker: int) -> list[str]:
            start.wait(timeout=10)
            failures = []
            for i in range(200):
                level = "high" if (worker + i) % 2 else "low"
                routed = engine.fire(facts("READY", {"level": level}), "route", "advisor", now=NOW)
                want = "FAST" if level == "high" else "SLOW"
                origin = ("OPEN", "READY")[i % 2]
                back = engine.fire(
                    facts("PAUSED"), "resume", "advisor", now=NOW, previous_state=origin
                )
                if (want, origin) != (routed.to_state, back.to_state):
                    failures.append(f"{worker}/{i}: {routed.to_state} {back.to_state}")
            return failures

        with ThreadPoolExecutor(max_workers=8) as pool:
            # result() re-raises any exception a worker met, so none goes unnoticed.
            results = [f.result(timeout=30) for f in [pool.submit(work, n) for n in range(8)]]
        expected = [[]] * 8
        assert expected == results
