"""Ports for reminders: the worker's claims, their lifecycle and delivery attempts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NotRequired, Protocol, TypeAlias, TypedDict, Unpack

from ipm_workflow.domain.reminder_lifecycle import Mover, Status
from ipm_workflow.domain.reminders import Planned, Reminder

# The missions locales whose reminders an actor sees (None: every one's).
Scope: TypeAlias = Sequence[str] | None


class Outcome(TypedDict):
    """How a claimed reminder's delivery ended: its new status and a one-line outcome, with
    the channel, message id and addressee once sent, or when to try again; `count_attempt`
    False when the attempt does not count (nothing was tried), True by default."""

    status: Status
    outcome: str
    channel: NotRequired[str | None]
    message_id: NotRequired[str | None]
    next_attempt_at: NotRequired[datetime | None]
    count_attempt: NotRequired[bool]
    addressee: NotRequired[str | None]


class ReminderRepository(Protocol):
    """Reminders of cases and the worker's claims on them."""

    def for_case(self, case_id: int) -> list[Reminder]:
        """Return every reminder of a case, by due time."""
        ...

    def latest_for_case(self, case_id: int, limit: int) -> tuple[list[Reminder], int]:
        """Return a case's `limit` reminders latest on a timeline (sent, else acknowledged, else
        due), by due time, and how many it has in all."""
        ...

    def get(self, reminder_id: int) -> Reminder | None:
        """Return one reminder."""
        ...

    def add(self, case_id: int, planned: Iterable[Planned], now: datetime) -> None:
        """Store new occurrences as planned."""
        ...

    def set_status(
        self,
        ids: Sequence[int],
        status: Status,
        by: Mover,
        outcome: str,
        now: datetime,
        *,
        due_at: datetime | None = None,
    ) -> int:
        """Move reminders still in a declared source status; return how many moved."""
        ...

    def acknowledge(
        self, case_id: int, rule_id: str, anchor_at: datetime, actor: str, now: datetime
    ) -> int:
        """Acknowledge a rule's occurrences for one anchor; return how many were cancelled."""
        ...

    def claim(self, worker: str, now: datetime, limit: int, lease: timedelta) -> list[Reminder]:
        """Take due reminders for delivery."""
        ...

    def finish(
        self, reminder: Reminder, worker: str, now: datetime, **end: Unpack[Outcome]
    ) -> bool:
        """Record the outcome of a claimed reminder (and, once sent, whom it reached)."""
        ...

    def release(self, ids: Sequence[int], worker: str, now: datetime) -> None:
        """Give back claimed reminders untouched."""
        ...

    def retry_dead(self, reminder_id: int, now: datetime) -> bool:
        """Put a dead-lettered reminder back in the queue."""
        ...

    def agenda(
        self, mission_locales: Scope, advisor_id: int | None, until: datetime, limit: int
    ) -> list[Reminder]:
        """Return pending reminders due before a moment, across cases."""
        ...

    def in_app(
        self, mission_locales: Scope, advisor_id: int | None, recipient: str, limit: int
    ) -> list[Reminder]:
        """Return messages delivered in-app to a recipient role (an advisor's), newest first."""
        ...

    def counts(self) -> dict[str, int]:
        """Return how many reminders are in each status."""
        ...

    def next_due(self) -> datetime | None:
        """Return when the next planned or retrying reminder falls due."""
        ...

    def attempts_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Return delivery attempts recorded in a time window, with their reminders."""
        ...
