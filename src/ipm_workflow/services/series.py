"""A rule's series across time: the next repetition, and follow-ups that wait for a late send."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.reminder_lifecycle import ACTIVE, Status
from ipm_workflow.domain.reminders import Planned, Reminder, catch_up_repeat, follow_up_at
from ipm_workflow.services.ports import UnitOfWork


def plan_next(
    uow: UnitOfWork, definition: Workflow, reminder: Reminder, now: datetime, tz: ZoneInfo
) -> None:
    """Plan a reminder's next repetition (sent, or skipped as too late), counted from now."""
    rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
    if rule is None or reminder.kind != "reminder":
        return
    current = uow.reminders.get(reminder.id)
    if current is not None and current.acknowledged_at is not None:
        return  # acknowledged while it was being sent: no more repetitions
    due = catch_up_repeat(rule, reminder.due_at, reminder.occurrence, now, tz)
    if due is None:
        return
    follow = Planned(
        reminder.rule_id,
        "reminder",
        reminder.occurrence + 1,
        reminder.recipient,
        reminder.template,
        None,
        reminder.anchor_at,
        due,
    )
    if follow.key not in {r.key for r in uow.reminders.for_case(reminder.case_id)}:
        uow.reminders.add(reminder.case_id, [follow], now)


def shifted_by_late_reminder(
    uow: UnitOfWork, follow_up: Reminder, now: datetime
) -> tuple[datetime, str] | None:
    """Say when an escalation or timeout is due instead, because its reminder went out late."""
    if follow_up.kind == "reminder":
        return None
    firsts = [
        r
        for r in uow.reminders.for_case(follow_up.case_id)
        if r.kind == "reminder"
        and r.occurrence == 0
        and (r.rule_id, r.anchor_at) == (follow_up.rule_id, follow_up.anchor_at)
        and (r.status in ACTIVE or (r.status is Status.SENT and r.sent_at is not None))
    ]
    waits = [
        (at, r)
        for r in firsts
        if (at := follow_up_at(follow_up.due_at, r.due_at, r.sent_at, now)) is not None
    ]
    if not waits:
        return None
    at, first = max(waits, key=lambda w: w[0])
    went = f"went out late, at {first.sent_at}" if first.sent_at else "is still to go out, late"
    return at, f"waits its delay after the reminder, which {went}"
