"""Property: whatever sequence of commands is tried, the history stays a faithful, intact chain."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import replay_state
from ipm_workflow.domain.definitions import TransitionSpec, Workflow
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import (
    SYSTEM,
    Actor,
    FireTrigger,
    RecordDocument,
    UpdateData,
)
from journey import NORMAL_PATH, WORKFLOW, Journey

# Weighted choices are drawn from lists whose first item is the likely one: Hypothesis shrinks
# towards the first item, and a uniform pick still favours the repeated ones.
STEPS = ["fire"] * 10 + ["fire_any", "set", "set", "document", "document", "wait"]
QUALITY = ["good"] * 8 + ["bad", "absent"]
STATUSES = ["validated", "received", "validated", "missing", "expired", "refused"]
TEXTS = ["Malta", "Host Ltd", "KA121-VET-0001", "  padded  "]
BAD = {
    "date": "31/12/2026",
    "boolean": "maybe",
    "enum": "not_a_value",
    "number": "many",
    "money": 12.5,  # euro cents are integers
    "email": "a@example.org, b@example.org",
    "phone": "call me",
}
# Typical distance from today of each date field, so that drawn dates are mostly in order.
DATE_OFFSETS = {"planned_start": 40, "planned_end": 130, "grant_project_end": 600}
REASONS = ["a reason", "a reason", None, "   "]


def _value(data: st.DataObject, wf: Workflow, name: str, today: date) -> Any:
    """Draw a plausible value of a field's type, now and then a wrong one or none."""
    field = wf.fields[name]
    quality = data.draw(st.sampled_from(QUALITY), label=f"{name} quality")
    if quality != "good":
        return BAD.get(field.type, 42) if quality == "bad" else None
    if field.type == "date":
        days = DATE_OFFSETS.get(name, 0) + data.draw(st.integers(-40, 40), label=f"{name} days")
        return (today + timedelta(days=days)).isoformat()
    choices: dict[str, st.SearchStrategy[Any]] = {
        "boolean": st.sampled_from([True] * 5 + [False]),
        "enum": st.sampled_from(field.values or ["?"]),
        "number": st.integers(1, 10_000),
        "money": st.integers(0, 500_000),
        "text": st.sampled_from(TEXTS),
        "note": st.sampled_from(TEXTS),
        "email": st.sampled_from(["tutor@host.example", " Tutor@Host.Example "]),
        "phone": st.sampled_from(["06 12 34 56 78", "+44 20 7946 0958"]),
    }
    return data.draw(choices[field.type], label=name)


def _out_of(wf: Workflow, state: str) -> list[TransitionSpec]:
    return [t for t in wf.transitions if state in wf.expanded_sources(t)]


def _hints(wf: Workflow, state: str) -> tuple[list[str], list[str]]:
    """Return the fields and documents that the guards out of a state look at."""
    fields: set[str] = set()
    documents: set[str] = set()
    for spec in _out_of(wf, state):
        for guard in spec.guards:
            fields |= {name for _, name, _ in guard.field_refs() if name in wf.fields}
            documents |= set(getattr(guard, "documents", []))
    return sorted(fields), sorted(documents)


def _pick(data: st.DataObject, hinted: list[Any], every: list[Any], label: str) -> Any:
    """Mostly one of the hinted items (when there are some), else any item."""
    if hinted and data.draw(st.sampled_from([True, True, False]), label=f"{label} hinted"):
        return data.draw(st.sampled_from(hinted), label=label)
    return data.draw(st.sampled_from(every), label=label)


def _trigger(data: st.DataObject, wf: Workflow, state: str, anywhere: bool) -> TransitionSpec:
    """Mostly a trigger that leads on from the state; sometimes one that ends it, or any."""
    if anywhere:
        return data.draw(st.sampled_from(wf.transitions), label="any trigger")
    here = _out_of(wf, state) or wf.transitions
    onward = [t for t in here if not wf.states.get(t.dest, wf.states[state]).terminal]
    if onward and data.draw(st.sampled_from([True] * 9 + [False]), label="onward"):
        return data.draw(st.sampled_from(onward), label="trigger")
    return data.draw(st.sampled_from(here), label="trigger")


def _command(
    data: st.DataObject, wf: Workflow, state: str, case_id: int, today: date
) -> tuple[str, Any]:
    """Draw one command: fire a trigger, change a data field, record a document, or wait."""
    step = data.draw(st.sampled_from(STEPS), label="step")
    fields, documents = _hints(wf, state)
    if step in ("fire", "fire_any"):
        spec = _trigger(data, wf, state, step == "fire_any")
        inputs = {i.field: _value(data, wf, i.field, today) for i in spec.inputs}
        reason = data.draw(st.sampled_from(REASONS), label="reason")
        given = {k: v for k, v in inputs.items() if v is not None}
        return "fire", FireTrigger(case_id, spec.trigger, given, reason)
    if step == "set":
        name = _pick(data, fields, sorted(wf.fields), "field")
        return "set", UpdateData(case_id, {name: _value(data, wf, name, today)})
    if step == "document":
        document = _pick(data, documents, [*sorted(wf.documents), "passport"], "document")
        status = data.draw(st.sampled_from(STATUSES), label="status")
        days = data.draw(st.sampled_from([400, None, -5, 90]), label="valid for days")
        until = today + timedelta(days=days) if days is not None else None
        return "document", RecordDocument(case_id, document, status, valid_until=until)
    return "wait", data.draw(st.integers(min_value=0, max_value=36), label="hours")


def _actor(data: st.DataObject, wf: Workflow, actors: list[Actor], command: Any) -> Actor:
    """Mostly an actor who may do it; sometimes anyone, including another mission locale."""
    roles = {r for t in wf.transitions if t.trigger == getattr(command, "trigger", None)
             for r in t.roles}  # fmt: skip
    fit = [a for a in actors if policy.reaches(a, "ml-a") and (not roles or a.role in roles)]
    return _pick(data, fit, actors, "actor")


def _actors(directory: dict[str, User]) -> list[Actor]:
    return [
        Actor.of(directory["advisor_a"]),
        Actor.of(directory["supervisor"]),
        SYSTEM,
        Actor("yp:1", "young_person", frozenset({"ml-a"})),
        Actor("host:1", "host", frozenset({"ml-a"})),
        Actor("ml:ml-a", "ml_advisor", frozenset({"ml-a"})),
        Actor.of(directory["advisor_b"]),  # another mission locale: sees nothing
    ]


def _apply(container: Container, kind: str, command: Any, actor: Actor) -> None:
    if kind == "fire":
        container.cases.fire(command, actor)
    elif kind == "set":
        container.cases.update_data(command, actor)
    else:
        container.cases.record_document(command, actor)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_commands_keep_a_faithful_history(
    container: Container,
    journey: Journey,
    directory: dict[str, User],
    data: st.DataObject,
) -> None:
    """Refused commands change nothing; accepted ones add one entry; the chain replays the state."""
    wf = container.registry.get(WORKFLOW).definition
    actors = _actors(directory)
    # A 20-year-old each time: the shared clock moves on from one example to the next.
    case_id = journey.open(journey.person(journey.today() - timedelta(days=20 * 365 + 30)))
    journey.walk_to(case_id, data.draw(st.sampled_from(NORMAL_PATH), label="start from"))
    for _ in range(data.draw(st.integers(min_value=10, max_value=40), label="steps")):
        before = journey.case(case_id)
        entries = journey.history(case_id)
        kind, command = _command(data, wf, before.state, case_id, journey.today())
        if kind == "wait":
            journey.advance(command / 24)
            continue
        actor = _actor(data, wf, actors, command)
        try:
            _apply(container, kind, command, actor)
        except DomainError:
            after = journey.case(case_id)
            expected = (before.version, before.state, before.data, entries)
            assert expected == (after.version, after.state, after.data, journey.history(case_id))
            continue
        after, now = journey.case(case_id), journey.history(case_id)
        grew = 0 if kind == "set" and after.version == before.version else 1
        assert (before.version + grew, len(entries) + grew) == (after.version, len(now))
        if kind == "fire":
            expected_entry = ("transition", command.trigger, before.state, after.state)
            last = now[-1]
            assert expected_entry == (last.kind, last.trigger, last.from_state, last.to_state)

    history = journey.history(case_id)
    final = journey.case(case_id)
    event(f"ended in {final.state}")
    assert final.state == replay_state(history)
    state = None
    for entry in history:
        if entry.kind == "transition":
            assert state == entry.from_state
        state = entry.to_state if entry.to_state is not None else state
    [report] = container.cases.verify([case_id])
    expected_report = (True, len(history), final.history_seq)
    assert expected_report == (report.ok, report.entries, history[-1].seq)
