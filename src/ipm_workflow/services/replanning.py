"""Replanning a case's reminders inside the transaction that changes the case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.reminder_lifecycle import PENDING, Mover, Status, may_move
from ipm_workflow.domain.reminders import (
    active_anchors,
    events_of,
    plan,
    plan_event,
    rule_states,
)
from ipm_workflow.services.ports import UnitOfWork


def reconcile(
    uow: UnitOfWork, workflow: Workflow, case: Case, now: datetime, tz: ZoneInfo
) -> dict[str, list[str]]:
    """Bring a case's reminders in line with its state and dates, in the caller's transaction."""
    assert case.id is not None  # noqa: S101 - reminders belong to stored cases
    desired = plan(workflow, case, now, tz)
    # Event messages answer a moment, not the case's present state: replanning leaves them be.
    rows = [r for r in uow.reminders.for_case(case.id) if r.kind != "event"]
    # Every rule still alive keeps its rows (repeats included), even once its first send is past.
    wanted = active_anchors(workflow, case, tz)
    stale = [r for r in rows if r.status in PENDING and (r.rule_id, r.anchor_at) not in wanted]
    rules = {r.id: r for r in workflow.reminders}
    left = [
        r.id
        for r in stale
        if r.rule_id not in rules or case.state not in rule_states(workflow, rules[r.rule_id])
    ]
    moved = [r.id for r in stale if r.id not in left]
    cancel, by = Status.CANCELLED, Mover.CASE_CHANGE
    uow.reminders.set_status(left, cancel, by, f"case now in {case.state}", now)
    uow.reminders.set_status(moved, cancel, by, "the date it hangs on moved", now)
    by_key = {r.key: r for r in rows}
    uow.reminders.add(case.id, [p for p in desired if p.key not in by_key], now)
    revived = [
        by_key[p.key]
        for p in desired
        if p.key in by_key
        and may_move(by_key[p.key].status, Status.PLANNED, by)
        and by_key[p.key].acknowledged_at is None
    ]
    for row in revived:
        uow.reminders.set_status(
            [row.id], Status.PLANNED, by, "planned again", now, due_at=row.due_at
        )
    # A rule whose offset changed (a new workflow version) moves its waiting occurrence.
    for p in desired:
        held = by_key.get(p.key)
        if held is not None and held.status is Status.PLANNED and held.due_at != p.due_at:
            uow.reminders.set_status(
                [held.id], Status.PLANNED, by, "its rule changed", now, due_at=p.due_at
            )
            revived.append(held)
    planned = sorted(
        {p.rule_id for p in desired if p.key not in by_key} | {r.rule_id for r in revived}
    )
    cancelled = sorted({r.rule_id for r in stale})
    keyed = ((Status.PLANNED.value, planned), (Status.CANCELLED.value, cancelled))
    return {k: v for k, v in keyed if v}


def plan_events(
    uow: UnitOfWork,
    workflow: Workflow,
    case: Case,
    answered: tuple[str | None, str | None, str | None],
    now: datetime,
) -> list[str]:
    """Plan the event messages a change answers (trigger, from, to), in the caller's
    transaction; return their ids. An occurrence already stored is never planned again."""
    assert case.id is not None  # noqa: S101 - event messages belong to stored cases
    events = events_of(workflow, *answered)
    if not events:
        return []
    held = {r.key for r in uow.reminders.for_case(case.id)}
    fresh = [p for e in events for p in plan_event(e, now) if p.key not in held]
    uow.reminders.add(case.id, fresh, now)
    return sorted({e.id for e in events})
