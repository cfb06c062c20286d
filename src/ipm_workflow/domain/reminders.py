"""Reminder rules turned into due moments: what a case should hear, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ipm_workflow.domain.cases import Case, CaseFacts
from ipm_workflow.domain.clocks import effective_start
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.durations import add_business_days
from ipm_workflow.domain.guards import unmet_guards
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.domain.reminder_rules import EventMessage, ReminderRule, recipient_keys

Kind = Literal["reminder", "escalation", "timeout", "event"]
SYSTEM_RECIPIENT = "system"
# Date-anchored messages go out in the morning of their day, Ipm's time.
SEND_AT = time(9, 0)
# A reminder that was already due this long before it could be planned is not worth sending.
STALE_AT_PLANNING = timedelta(hours=12)
# A reminder that goes out later than this after its due moment pushes its follow-ups back.
LATE = timedelta(hours=1)


@dataclass(frozen=True)
class Planned:
    """One occurrence the case should receive, before it is stored."""

    rule_id: str
    kind: Kind
    occurrence: int
    recipient: str
    template: str | None
    trigger: str | None
    anchor_at: datetime
    due_at: datetime

    @property
    def key(self) -> tuple[str, str, int, str, datetime]:
        """Identity of an occurrence: rule, kind, number, recipient, anchor."""
        return (self.rule_id, self.kind, self.occurrence, self.recipient, self.anchor_at)


def add_days(day: date, days: int, business: bool) -> date:
    """Move a date by calendar days, or by business days (weekends, French holidays skipped)."""
    if not business:
        return day + timedelta(days=days)
    return add_business_days(day, days)


def rule_states(workflow: Workflow, rule: ReminderRule) -> list[str]:
    """Return the states in which a rule is active."""
    if rule.while_in:
        return rule.while_in
    if rule.anchor.state is not None:
        return [rule.anchor.state]
    return workflow.active_states()


def anchor_of(
    rule: ReminderRule, case: Case, tz: ZoneInfo, workflow: Workflow | None = None
) -> datetime | None:
    """Return the moment a rule hangs on for this case, if it is known now.

    State-entry anchors follow the state's clock: while it stands still (suspension) there is
    no anchor, so waiting reminders are withdrawn; once it runs again the anchor is the entry
    moved later by the time paused, and they are planned again from there. A date anchor may
    name a computed date, or several dates of which the first one set counts (`first_of`).
    Computed values never read 'today' (the lint sees to it), so the day given to the facts
    below does not matter.
    """
    if rule.anchor.time_limit is not None:
        return case.due_at if case.state == rule.anchor.time_limit else None
    if rule.anchor.state_entered is not None:
        if case.state != rule.anchor.state_entered:
            return None
        if case.clock_state == case.state and case.clock_started_at is not None:
            return effective_start(case)
        return case.state_entered_at
    facts = case.facts(date.min, None, workflow.computed if workflow is not None else None)
    for name in rule.anchor.dates():
        day = facts.date_of(name)
        if day is not None:
            return datetime.combine(day, time(0), tz)
    return None


def first_due(rule: ReminderRule, anchor_at: datetime, tz: ZoneInfo) -> datetime:
    """Return the first due moment of a rule from its anchor."""
    if rule.offset is not None:
        if rule.anchor.field is not None:
            return datetime.combine(rule.offset.after(anchor_at.astimezone(tz).date()), SEND_AT, tz)
        return rule.offset.after(anchor_at.astimezone(tz))
    if rule.anchor.field is None:
        if not rule.business_days:
            return anchor_at + timedelta(days=rule.offset_days)
        local = anchor_at.astimezone(tz)
        day = add_days(local.date(), rule.offset_days, True)
        return datetime.combine(day, local.timetz())
    day = add_days(anchor_at.astimezone(tz).date(), rule.offset_days, rule.business_days)
    return datetime.combine(day, SEND_AT, tz)


def active_anchors(workflow: Workflow, case: Case, tz: ZoneInfo) -> set[tuple[str, datetime]]:
    """Return (rule, anchor) of every rule alive for the case now, whether or not still due."""
    found = set()
    for rule in workflow.reminders:
        if case.state in rule_states(workflow, rule):
            anchor = anchor_of(rule, case, tz, workflow)
            if anchor is not None:
                found.add((rule.id, anchor.astimezone(UTC)))
    return found


def plan(workflow: Workflow, case: Case, now: datetime, tz: ZoneInfo) -> list[Planned]:
    """Return the first occurrences, escalations and timeouts the case should have now."""
    planned: list[Planned] = []
    for rule in workflow.reminders:
        if case.state not in rule_states(workflow, rule):
            continue
        anchor = anchor_of(rule, case, tz, workflow)
        if anchor is None:
            continue
        anchor, due = anchor.astimezone(UTC), first_due(rule, anchor, tz).astimezone(UTC)
        # On a clock that stood still, an occurrence now past fell before the pause: it was
        # sent (or escalated) then, and is not sent again with the moved anchor.
        moved = rule.anchor.field is None and case.clock_state == case.state
        moved = moved and case.clock_paused_seconds > 0
        grace = timedelta(0) if moved else STALE_AT_PLANNING
        fresh = due >= now - grace
        if fresh:
            planned += [
                Planned(rule.id, "reminder", 0, r, rule.template, None, anchor, due)
                for r in recipient_keys(rule.recipients)
            ]
        if rule.escalation is not None:
            at = due + timedelta(days=rule.escalation.after_days)
            if at >= now - grace:
                planned += [
                    Planned(rule.id, "escalation", 0, r, rule.escalation.template, None, anchor, at)
                    for r in rule.escalation.to
                ]
        if rule.timeout is not None:
            # Timeouts are decisions, not messages: a late one still fires.
            at = due + timedelta(days=rule.timeout.after_days)
            planned.append(
                Planned(
                    rule.id, "timeout", 0, SYSTEM_RECIPIENT, None, rule.timeout.trigger, anchor, at
                )
            )
    return planned


def plan_event(event: EventMessage, at: datetime) -> list[Planned]:
    """Return the messages of an event that happened at `at`: one per recipient, due after the
    declared delay; the event's moment is their anchor, so one event never plans them twice."""
    moment = at.astimezone(UTC)
    due = moment + timedelta(hours=event.delay_hours)
    return [
        Planned(event.id, "event", 0, r, event.template, None, moment, due)
        for r in recipient_keys(event.recipients)
    ]


def events_of(
    workflow: Workflow, trigger: str | None, from_state: str | None, to_state: str | None
) -> list[EventMessage]:
    """Return the event messages a recorded change answers."""
    return [e for e in workflow.events if e.answers(trigger, from_state, to_state)]


def next_repeat(
    rule: ReminderRule, due_at: datetime, occurrence: int, tz: ZoneInfo
) -> datetime | None:
    """Return when the next occurrence of a sent reminder is due, if the rule repeats.

    Days are counted on the local calendar, so a 09:00 reminder stays at 09:00 across a change
    to or from daylight-saving time.
    """
    if rule.repeat is None:
        return None
    if rule.repeat.max_times is not None and occurrence + 1 >= rule.repeat.max_times:
        return None
    local = due_at.astimezone(tz)
    later = datetime.combine(
        local.date() + timedelta(days=rule.repeat.every_days),
        local.timetz().replace(tzinfo=None),
        tz,
    )
    return later.astimezone(UTC)


def catch_up_repeat(
    rule: ReminderRule, due_at: datetime, occurrence: int, went_out: datetime, tz: ZoneInfo
) -> datetime | None:
    """Return when the next repetition is due, counted from when this one actually went out.

    After downtime the missed repetitions are not sent in a burst: one catch-up goes out, and
    the next is planned from that moment (same local time of day as the catch-up).
    """
    later = next_repeat(rule, due_at, occurrence, tz)
    if later is not None and later <= went_out:
        later = next_repeat(rule, went_out, occurrence, tz)
    return later


def follow_up_at(
    own_due: datetime, reminder_due: datetime, went_out: datetime | None, now: datetime
) -> datetime | None:
    """Return when a late reminder's escalation or timeout is due instead of its own moment.

    An escalation or timeout comes its declared delay after the reminder; when the reminder
    went out late (or is still to go out, late), the delay counts from then, so the person
    always has that delay to react.
    """
    delay = own_due - reminder_due
    start = went_out if went_out is not None else now
    if start <= reminder_due + LATE:
        return None
    return start + delay


def condition_cleared(rule: ReminderRule, facts: CaseFacts) -> bool:
    """Tell whether the rule's `unless` guards all hold (nothing left to remind)."""
    return bool(rule.unless) and not unmet_guards(list(rule.unless), facts)


def in_quiet_hours(moment: datetime, tz: ZoneInfo, start: time, end: time) -> datetime | None:
    """Return when quiet hours end if the moment falls inside them (local time), else None."""
    local = moment.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start > end:  # overnight, e.g. 21:00 to 08:00
        if clock >= start:
            return datetime.combine(local.date() + timedelta(days=1), end, tz).astimezone(UTC)
        if clock < end:
            return datetime.combine(local.date(), end, tz).astimezone(UTC)
        return None
    if start <= clock < end:
        return datetime.combine(local.date(), end, tz).astimezone(UTC)
    return None


@dataclass
class Reminder:
    """A stored occurrence and where its delivery stands."""

    id: int
    case_id: int
    rule_id: str
    kind: Kind
    occurrence: int
    recipient: str
    template: str | None
    trigger: str | None
    anchor_at: datetime
    due_at: datetime
    next_attempt_at: datetime
    status: Status
    attempts: int = 0
    channel: str | None = None
    message_id: str | None = None
    claimed_by: str | None = None
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    outcome: str | None = None
    addressee: str | None = None  # whom the message reached, named (in-app included)

    @property
    def key(self) -> tuple[str, str, int, str, datetime]:
        """Identity of an occurrence: rule, kind, number, recipient, anchor."""
        return (self.rule_id, self.kind, self.occurrence, self.recipient, self.anchor_at)
