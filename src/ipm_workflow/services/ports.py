"""What the service layer needs from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.people import MissionLocale, Person, User


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
    mission_locales: Sequence[str] | None = None
    advisor_id: int | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    entered_before: datetime | None = None
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

    def update(self, case: Case, expected_version: int) -> None:
        """Write a case if it is still at `expected_version`, else raise VersionConflict."""
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

    def add_user(self, username: str, display_name: str, role: str,
                 mission_locales: Sequence[str], now: datetime) -> User:
        """Create a user working for the given missions locales."""
        ...


class UnitOfWork(Protocol):
    """One database transaction and the repositories that work inside it."""

    cases: CaseRepository
    history: HistoryRepository
    people: PeopleRepository
    directory: DirectoryRepository

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


class UnitOfWorkFactory(Protocol):
    """Opens units of work; read-only ones take no write lock."""

    def __call__(self, readonly: bool = False) -> UnitOfWork:
        """Return a new unit of work."""
        ...
