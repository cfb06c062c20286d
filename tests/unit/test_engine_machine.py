"""The shared machine carries the rules: its conditions are the guards, the listing reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipm_workflow.adapters.workflow_files import parse_file
from ipm_workflow.domain.cases import CaseFacts, Document
from ipm_workflow.domain.definitions import FieldSpec, Workflow
from ipm_workflow.domain.engine import CompiledWorkflow
from ipm_workflow.domain.errors import GuardFailed, InvalidInput, RoleNotAllowed
from ipm_workflow.domain.followup import engine_guards

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
TODAY = date(2027, 1, 10)
NOW = datetime(2027, 1, 10, 9, tzinfo=UTC)
DAYS = st.dates(min_value=TODAY - timedelta(days=400), max_value=TODAY + timedelta(days=400))


def compiled(name: str) -> CompiledWorkflow:
    """Compile one shipped workflow file."""
    workflow, problems = parse_file(WORKFLOWS / f"{name}.v1.yaml")
    assert workflow is not None, problems
    return CompiledWorkflow(workflow)


SHIPPED = {name: compiled(name) for name in ("external_referral", "erasmus_vet_long")}


def value_of(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """A stored value of a field, or nothing."""
    kinds: dict[str, st.SearchStrategy[Any]] = {
        "date": DAYS.map(date.isoformat),
        "boolean": st.booleans(),
        "number": st.integers(min_value=0, max_value=5),
        "money": st.integers(min_value=0, max_value=500_000),
        "text": st.sampled_from(["x", "Host Ltd"]),
        "note": st.sampled_from(["x", "two\nlines"]),
        "email": st.sampled_from(["host@example.org"]),
        "phone": st.sampled_from(["+33612345678"]),
        "enum": st.sampled_from(spec.values or ["x"]),
    }
    return st.none() | kinds[spec.type]


@st.composite
def facts_of(draw: st.DrawFn, definition: Workflow) -> tuple[CaseFacts, str | None]:
    """Any state with random data, documents and birth date, and a previous state."""
    state = draw(st.sampled_from(definition.active_states()))
    data = {name: draw(value_of(spec)) for name, spec in definition.fields.items()}
    documents = {
        name: Document(
            name,
            draw(st.sampled_from(["missing", "received", "validated", "refused"])),
            draw(st.none() | DAYS),
            draw(st.none() | DAYS),
        )
        for name in definition.documents
    }
    birth = draw(st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2015, 1, 1)))
    previous = draw(st.none() | st.sampled_from(list(definition.states)))
    return CaseFacts(state, data, documents, birth, TODAY), previous


class TestTheMachineCarriesTheRules:
    """Each declared transition's guards are the conditions of its machine transitions."""

    @pytest.mark.parametrize("name", sorted(SHIPPED))
    def test_conditions_are_the_declared_guard_objects(self, name: str) -> None:
        """Gate first (role, previous state), then the declared guards, then the engine's."""
        engine = SHIPPED[name]
        machine = engine._machine
        mismatched = []
        for spec in engine.definition.transitions:
            for source in engine.definition.expanded_sources(spec):
                for transition in machine.events[spec.trigger].transitions[source]:
                    gate, *guards = (c.func for c in transition.conditions)
                    expected = [*spec.guards, *engine_guards(engine.definition, spec.trigger)]
                    if gate.edge.spec is spec and [g.guard for g in guards] != expected:
                        mismatched.append((spec.trigger, source))
        assert mismatched == []


class TestListingAndFiringAgree:
    """With the same facts, an action listed as allowed fires, and a refusal says the same."""

    @pytest.mark.parametrize("name", sorted(SHIPPED))
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_every_trigger_every_role(self, name: str, data: st.DataObject) -> None:
        """Allowed in the listing ⇔ fired; refused ⇒ the same unmet conditions, in order."""
        engine = SHIPPED[name]
        facts, previous = data.draw(facts_of(engine.definition))
        disagreements = []
        for role in engine.definition.roles:
            for action in engine.available_actions(facts, role, previous):
                spec = next(
                    t
                    for t in engine.definition.transitions
                    if t.trigger == action.trigger
                    and facts.state in engine.definition.expanded_sources(t)
                )
                inputs = {i.field: facts.data.get(i.field) for i in spec.inputs}
                try:
                    engine.fire(
                        facts,
                        action.trigger,
                        role,
                        now=NOW,
                        inputs=inputs,
                        reason="a reason",
                        previous_state=previous,
                    )
                    fired, unmet = True, []
                except InvalidInput:
                    continue  # a required input the case does not hold: nothing to compare
                except (GuardFailed, RoleNotAllowed) as refused:
                    fired, unmet = False, refused.unmet
                listed = (action.allowed, [] if action.allowed else action.unmet)
                if action.depends_on:
                    # Pending on inputs the case lacks: a refusal in the listing still holds.
                    kept = all(u in unmet for u in action.unmet)
                    if not action.allowed and (fired or not kept):
                        disagreements.append((role, action.trigger, listed, fired, unmet))
                elif listed != (fired, unmet):
                    disagreements.append((role, action.trigger, listed, fired, unmet))
        assert disagreements == []


class TestInputsTheCaseHolds:
    """A guard on a trigger's input is judged with the case's value, or shown as pending."""

    BASE: dict[str, Any] = {  # noqa: RUF012 - read-only test data
        "external_programme": "vie",
        "privacy_notice_given": True,
        "referral_date": "2026-01-05",
    }
    CONFIRMED: ClassVar[dict[str, Document]] = {
        "operator_confirmation": Document("operator_confirmation", "received")
    }

    def action(self, data: dict[str, Any]) -> Any:
        """The confirm_vie action for a young person born 2011-05-01."""
        facts = CaseFacts(
            "REFERRED_EXTERNAL", data, self.CONFIRMED, date(2011, 5, 1), date(2026, 12, 1)
        )
        actions = SHIPPED["external_referral"].available_actions(facts, "advisor")
        return next(a for a in actions if a.trigger == "confirm_vie")

    def test_the_issues_case_is_refused_in_the_listing(self) -> None:
        """Dates held by the case, out of order: refused before firing (age rules moved to the
        workflow's `eligibility:` block, judged by the service; see tests/workflows)."""
        action = self.action(
            {**self.BASE, "planned_start": "2027-03-01", "planned_end": "2027-01-01"}
        )
        expected = (
            False,
            ["planned_start (2027-03-01) must be before planned_end (2027-01-01)"],
            ["depends on previous_vie: judged when given"],
        )
        actual = (
            action.allowed,
            [u.message for u in action.unmet],
            [u.message for u in action.depends_on],
        )
        assert expected == actual

    def test_inputs_not_held_are_shown_as_pending(self) -> None:
        """Without dates nor previous_vie, the date and once-only guards depend on the inputs."""
        action = self.action(dict(self.BASE))
        expected = (True, ["planned_start", "planned_end", "previous_vie"])
        pending = [name for u in action.depends_on for name in u.detail["inputs"]]
        assert expected == (action.allowed, list(dict.fromkeys(pending)))
