"""The reminder lifecycle: every declared move allowed, every other refused, on any sequence."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipm_workflow.domain.reminder_lifecycle import (
    MOVES,
    IllegalReminderMove,
    Mover,
    Status,
    may_move,
    move,
    sources,
)

LEGAL = [(src, dest, by) for (src, dest), movers in MOVES.items() for by in movers]
ILLEGAL = [
    (src, dest, by)
    for src, dest, by in itertools.product(Status, Status, Mover)
    if (src, dest, by) not in set(LEGAL)
]


@pytest.mark.parametrize(("source", "dest", "by"), LEGAL)
def test_every_declared_move_is_allowed(source: Status, dest: Status, by: Mover) -> None:
    """A declared move returns its destination."""
    assert dest == move(source, dest, by)


@pytest.mark.parametrize(("source", "dest", "by"), ILLEGAL)
def test_every_other_move_is_refused(source: Status, dest: Status, by: Mover) -> None:
    """A move the lifecycle does not declare raises, naming both ends and the mover."""
    with pytest.raises(IllegalReminderMove) as refused:
        move(source, dest, by)
    assert {"source": source, "dest": dest, "by": by} == refused.value.context


def test_who_moves_what() -> None:
    """Only the worker sends, only an advisor acknowledges, only a supervisor requeues."""
    assert {Status.SENDING} == sources(Status.SENT, Mover.WORKER)
    assert {Status.PLANNED, Status.RETRY} == sources(Status.ACKNOWLEDGED, Mover.ADVISOR)
    assert {Status.DEAD, Status.SKIPPED} == sources(Status.RETRY, Mover.SUPERVISOR)
    assert {Status.PLANNED, Status.RETRY} == sources(Status.CANCELLED, Mover.CASE_CHANGE)
    with pytest.raises(IllegalReminderMove):
        sources(Status.SENT, Mover.ADVISOR)


def test_final_statuses_never_move() -> None:
    """Sent and acknowledged reminders are history: nobody moves them anywhere."""
    for final, dest, by in itertools.product((Status.SENT, Status.ACKNOWLEDGED), Status, Mover):
        assert not may_move(final, dest, by)


@given(st.lists(st.tuples(st.sampled_from(Status), st.sampled_from(Mover)), max_size=40))
def test_random_sequences_only_follow_declared_moves(steps: list[tuple[Status, Mover]]) -> None:
    """Whatever is attempted, the status only ever changes by a declared move."""
    status = Status.PLANNED
    for dest, by in steps:
        try:
            after = move(status, dest, by)
        except IllegalReminderMove:
            after = status
        assert after == status or by in MOVES[(status, after)]
        status = after
    assert status in Status
