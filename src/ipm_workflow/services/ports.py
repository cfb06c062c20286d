"""What the service layer needs from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.people import Cohort, MissionLocale, Person, User
from ipm_workflow.domain.reminder_lifecycle import Mover, Status
from ipm_workflow.domain.reminders import Planned, Reminder


class Clock(Protocol):
    """The time source; tests inject a fixed or moving one."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware (UTC)."""
        ...


@dataclass(frozen=True)
class CaseQuery:
    """Filters, sorting and paging of a case listing."""

    state: str | None = None
    states: Sequence[str] | None = None
    workflow: str | None = None
    workflow_version: int | None = None
    cohort_id: int | None = None
    mission_locales: Sequence[str] | None = None
    advisor_id: int | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    # (workflow, version, state, cutoff): cases that entered that state before the cutoff.
    overdue: Sequence[tuple[str, int, str, datetime]] | None = None
    sort: str = "id"
    descending: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class AuditQuery:
    """Filters of a history search across cases."""

    actor: str | None = None
    trigger: str | None = None
    mission_locale_id: str | None = None
    case_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


class CaseRepository(Protocol):
    """Cases, read and written with optimistic concurrency."""

    def get(self, case_id: int) -> tuple[Case, date | None]:
        """Return a case and its person's birth date, or raise NotFound."""
        ...

    def add(self, case: Case) -> int:
        """Insert a new case and return its id."""
        ...

    def update(
        self, case: Case, expected_version: int, columns: Collection[str] | None = None
    ) -> None:
        """Write a case (or only some columns) if still at `expected_version`.

        Raises VersionConflict otherwise.
        """
        ...

    def search(self, query: CaseQuery) -> tuple[list[Case], int]:
        """Return one page of matching cases and the total count."""
        ...

    def ids(self) -> list[int]:
        """Return every case id."""
        ...


class HistoryRepository(Protocol):
    """The append-only history of cases."""

    def append(self, entry: HistoryEntry) -> None:
        """Insert one entry."""
        ...

    def for_case(self, case_id: int) -> list[HistoryEntry]:
        """Return a case's entries in order."""
        ...

    def search(self, query: AuditQuery) -> list[HistoryEntry]:
        """Return entries across cases, newest first."""
        ...

    def erase_payloads(self, case_id: int, seqs: Collection[int]) -> int:
        """Blank some entries' payloads and salts (digests and hashes kept); return how many."""
        ...


class PeopleRepository(Protocol):
    """Young people."""

    def add(self, person: Person) -> int:
        """Insert a person and return the id."""
        ...

    def get(self, person_id: int) -> Person:
        """Return a person, or raise NotFound."""
        ...

    def update(self, person: Person) -> None:
        """Write a person's fields."""
        ...

    def mission_locales_of(self, person_id: int) -> set[str]:
        """Return the missions locales of the person's cases."""
        ...

    def similar(self, person: Person) -> list[Person]:
        """Return probable duplicates: same birth date and close name, or same phone or e-mail."""
        ...


class DirectoryRepository(Protocol):
    """Missions locales and users."""

    def mission_locale(self, ml_id: str) -> MissionLocale:
        """Return a mission locale, or raise NotFound."""
        ...

    def mission_locales(self) -> list[MissionLocale]:
        """Return every mission locale."""
        ...

    def add_mission_locale(self, ml: MissionLocale) -> None:
        """Insert or update a mission locale."""
        ...

    def user(self, user_id: int) -> User:
        """Return a user, or raise NotFound."""
        ...

    def user_by_name(self, username: str) -> User:
        """Return a user by username, or raise NotFound."""
        ...

    def add_user(
        self,
        username: str,
        display_name: str,
        role: str,
        mission_locales: Sequence[str],
        *,
        now: datetime,
        email: str | None = None,
    ) -> User:
        """Create a user working for the given missions locales."""
        ...

    def users_with_role(self, role: str) -> list[User]:
        """Return the active users of a role."""
        ...


@dataclass(frozen=True)
class TokenRecord:
    """A stored API token (its hash only)."""

    id: int
    user_id: int
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class TokenRepository(Protocol):
    """API tokens, known by their hash only."""

    def add(
        self, user_id: int, token_hash: str, label: str, created_at: datetime, expires_at: datetime
    ) -> TokenRecord:
        """Store a new token's hash."""
        ...

    def by_hash(self, token_hash: str) -> TokenRecord | None:
        """Return the token with this hash, if any."""
        ...

    def for_user(self, user_id: int) -> list[TokenRecord]:
        """Return a user's tokens, newest first."""
        ...

    def revoke(self, token_id: int, at: datetime) -> bool:
        """Revoke a token; return whether it existed and was active."""
        ...


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer given to an idempotent request."""

    fingerprint: str
    status_code: int
    body: dict[str, Any]


class IdempotencyRepository(Protocol):
    """Answers kept per (actor, Idempotency-Key)."""

    def claim(self, actor: str, key: str, fingerprint: str, at: datetime) -> bool:
        """Reserve a key inside the transaction; False when it is already taken."""
        ...

    def get(self, actor: str, key: str) -> StoredAnswer | None:
        """Return the stored answer for a key, if any."""
        ...

    def complete(self, actor: str, key: str, status_code: int, body: dict[str, Any]) -> None:
        """Record the answer of a claimed key."""
        ...


class ReminderRepository(Protocol):
    """Reminders of cases and the worker's claims on them."""

    def for_case(self, case_id: int) -> list[Reminder]:
        """Return every reminder of a case, by due time."""
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
        self,
        reminder: Reminder,
        worker: str,
        now: datetime,
        *,
        status: Status,
        outcome: str,
        channel: str | None = None,
        message_id: str | None = None,
        next_attempt_at: datetime | None = None,
        count_attempt: bool = True,
    ) -> bool:
        """Record the outcome of a claimed reminder."""
        ...

    def release(self, ids: Sequence[int], worker: str, now: datetime) -> None:
        """Give back claimed reminders untouched."""
        ...

    def retry_dead(self, reminder_id: int, now: datetime) -> bool:
        """Put a dead-lettered reminder back in the queue."""
        ...

    def agenda(
        self,
        mission_locales: Sequence[str] | None,
        advisor_id: int | None,
        until: datetime,
        limit: int,
    ) -> list[Reminder]:
        """Return pending reminders due before a moment, across cases."""
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


class CohortRepository(Protocol):
    """Groups of cases leaving together."""

    def add(self, cohort: Cohort, now: datetime) -> Cohort:
        """Create a cohort."""
        ...

    def get(self, cohort_id: int) -> Cohort:
        """Return a cohort, or raise NotFound."""
        ...

    def all(self) -> list[Cohort]:
        """Return every cohort."""
        ...

    def mission_locales(self, cohort_ids: Sequence[int] | None = None) -> dict[int, set[str]]:
        """Return the missions locales of each cohort's member cases (all cohorts by default)."""
        ...


class UnitOfWork(Protocol):
    """One database transaction and the repositories that work inside it."""

    @property
    def cases(self) -> CaseRepository:
        """The cases repository, inside this transaction."""
        ...

    @property
    def history(self) -> HistoryRepository:
        """The history repository, inside this transaction."""
        ...

    @property
    def people(self) -> PeopleRepository:
        """The people repository, inside this transaction."""
        ...

    @property
    def directory(self) -> DirectoryRepository:
        """The directory repository, inside this transaction."""
        ...

    @property
    def tokens(self) -> TokenRepository:
        """The tokens repository, inside this transaction."""
        ...

    @property
    def reminders(self) -> ReminderRepository:
        """The reminders repository, inside this transaction."""
        ...

    @property
    def cohorts(self) -> CohortRepository:
        """The cohorts repository, inside this transaction."""
        ...

    @property
    def idempotency(self) -> IdempotencyRepository:
        """The idempotency repository, inside this transaction."""
        ...

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back unless committed."""
        ...

    def commit(self) -> None:
        """Commit the transaction."""
        ...

    def savepoint(self) -> AbstractContextManager[object]:
        """Open a savepoint: an error inside rolls back only what was done since."""
        ...


class UnitOfWorkFactory(Protocol):
    """Opens units of work; read-only ones take no write lock."""

    def __call__(self, readonly: bool = False) -> UnitOfWork:
        """Return a new unit of work."""
        ...
