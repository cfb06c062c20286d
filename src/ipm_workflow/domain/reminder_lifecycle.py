"""A reminder's lifecycle, declared: its statuses, the moves between them and who makes each.

This is the one place that knows which status may follow which. The stores guard every update
with the sources declared here (`WHERE status IN …`), so a concurrent move never overwrites.
"""

from __future__ import annotations

from enum import StrEnum

from ipm_workflow.domain.errors import DomainError


class Status(StrEnum):
    """Where a reminder stands (the stored values)."""

    PLANNED = "planned"
    # Claimed by a worker under a lease, being delivered.
    SENDING = "sending"
    RETRY = "retry"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    ACKNOWLEDGED = "acknowledged"
    DEAD = "dead"


class Mover(StrEnum):
    """Who moves a reminder."""

    WORKER = "worker"
    ADVISOR = "advisor"  # acknowledging
    SUPERVISOR = "supervisor"  # requeueing a dead letter or a skipped one
    CASE_CHANGE = "case_change"  # planning again or cancelling as the case changes


class IllegalReminderMove(DomainError):
    """A move the reminder lifecycle does not declare (from, to, by whom)."""

    kind = "illegal-reminder-move"


S, M = Status, Mover
# (from, to) -> who may make that move; a new reminder is stored as planned.
MOVES: dict[tuple[Status, Status], frozenset[Mover]] = {
    (S.PLANNED, S.SENDING): frozenset({M.WORKER}),
    (S.RETRY, S.SENDING): frozenset({M.WORKER}),
    # A lease that ran out: another worker takes the reminder over.
    (S.SENDING, S.SENDING): frozenset({M.WORKER}),
    (S.SENDING, S.SENT): frozenset({M.WORKER}),
    (S.SENDING, S.RETRY): frozenset({M.WORKER}),
    (S.SENDING, S.DEAD): frozenset({M.WORKER}),
    (S.SENDING, S.SKIPPED): frozenset({M.WORKER}),
    (S.SENDING, S.CANCELLED): frozenset({M.WORKER}),
    (S.SENDING, S.ACKNOWLEDGED): frozenset({M.WORKER}),
    # Held back (quiet hours) or given back by a stopping worker.
    (S.SENDING, S.PLANNED): frozenset({M.WORKER}),
    (S.PLANNED, S.ACKNOWLEDGED): frozenset({M.ADVISOR}),
    (S.RETRY, S.ACKNOWLEDGED): frozenset({M.ADVISOR}),
    (S.DEAD, S.RETRY): frozenset({M.SUPERVISOR}),
    (S.SKIPPED, S.RETRY): frozenset({M.SUPERVISOR}),
    (S.PLANNED, S.CANCELLED): frozenset({M.CASE_CHANGE}),
    (S.RETRY, S.CANCELLED): frozenset({M.CASE_CHANGE}),
    # The case comes back to where the reminder applies, or its rule's due moment changed.
    (S.CANCELLED, S.PLANNED): frozenset({M.CASE_CHANGE}),
    (S.PLANNED, S.PLANNED): frozenset({M.CASE_CHANGE}),
}
# What is still waiting to go out (an advisor's agenda, the worker's queue).
PENDING: frozenset[Status] = frozenset({S.PLANNED, S.RETRY})
ACTIVE: frozenset[Status] = PENDING | {S.SENDING}


def may_move(source: Status, dest: Status, by: Mover) -> bool:
    """Tell whether the lifecycle lets `by` move a reminder from `source` to `dest`."""
    return by in MOVES.get((source, dest), frozenset())


def move(source: Status, dest: Status, by: Mover) -> Status:
    """Return `dest` if the move is declared for `by`; raise IllegalReminderMove otherwise."""
    if not may_move(source, dest, by):
        raise IllegalReminderMove(
            f"a reminder cannot go from {source} to {dest} by {by}",
            source=str(source),
            dest=str(dest),
            by=str(by),
        )
    return dest


def sources(dest: Status, by: Mover) -> frozenset[Status]:
    """Return the statuses from which `by` may move a reminder to `dest` (for SQL guards)."""
    found = frozenset(src for (src, to), who in MOVES.items() if to == dest and by in who)
    if not found:
        raise IllegalReminderMove(f"nobody moves a reminder to {dest} as {by}")
    return found
