"""Time limits as clocks that pause: the one place that keeps a case's deadline (`due_at`).

A state's clock starts when the case enters it. It stands still while the case is suspended
or sits in a state that pauses clocks (POSTPONED): the state it came from keeps its clock,
which runs on, paused time added back, when the case returns there. Entering any other state
starts that state's own clock. `due_at` is stored on the case, so the overdue filter, the case
representation, breach reminders and dashboards all read the same deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.durations import deadline

# The clock columns a change of state, a suspension or a resumption writes.
CLOCK_COLUMNS = (
    "clock_state",
    "clock_started_at",
    "clock_paused_seconds",
    "clock_paused_since",
    "due_at",
    "suspended_at",
    "suspension_reason",
)


def held(case: Case, workflow: Workflow) -> bool:
    """Tell whether the case's clock must stand still now (suspended, or a pausing state)."""
    return case.suspended_at is not None or workflow.states[case.state].pauses_clock


def settle(case: Case, workflow: Workflow, now: datetime, tz: ZoneInfo) -> None:
    """Bring the case's clock in line with its state and suspension, and recompute `due_at`."""
    state = workflow.states[case.state]
    if case.clock_state != case.state and not (state.pauses_clock and case.clock_state):
        # A new state (not a pause on the way back to the previous one): its own clock.
        case.clock_state, case.clock_started_at = case.state, now
        case.clock_paused_seconds, case.clock_paused_since = 0, None
    stop = held(case, workflow)
    if stop and case.clock_paused_since is None:
        case.clock_paused_since = now
    elif not stop and case.clock_paused_since is not None:
        case.clock_paused_seconds += int((now - case.clock_paused_since).total_seconds())
        case.clock_paused_since = None
    case.due_at = running_deadline(case, workflow, tz)


def effective_start(case: Case) -> datetime | None:
    """Return the clock's start moved later by the time it stood still (None while it stands)."""
    if case.clock_started_at is None or case.clock_paused_since is not None:
        return None
    return case.clock_started_at + timedelta(seconds=case.clock_paused_seconds)


def running_deadline(case: Case, workflow: Workflow, tz: ZoneInfo) -> datetime | None:
    """Return when the current state's time limit runs out; None if none, or while paused."""
    if case.clock_state != case.state or case.clock_state not in workflow.states:
        return None
    limit = workflow.states[case.clock_state].time_limit
    start = effective_start(case)
    if limit is None or start is None:
        return None
    return deadline(limit, start, tz)


@dataclass(frozen=True)
class ClockReading:
    """Where a case's clock stands at a moment: for people and dashboards."""

    state: str | None
    started_at: datetime | None
    used: timedelta
    paused: timedelta
    paused_since: datetime | None
    due_at: datetime | None
    overdue: bool


def read(case: Case, now: datetime) -> ClockReading:
    """Return the time used and paused on the case's clock at `now`."""
    paused = timedelta(seconds=case.clock_paused_seconds)
    if case.clock_paused_since is not None:
        paused += max(now - case.clock_paused_since, timedelta(0))
    used = timedelta(0)
    if case.clock_started_at is not None:
        used = max(now - case.clock_started_at - paused, timedelta(0))
    return ClockReading(
        case.clock_state,
        case.clock_started_at,
        used,
        paused,
        case.clock_paused_since,
        case.due_at,
        case.due_at is not None and case.due_at < now,
    )
