"""Ports for people, the directory of missions locales and users, and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ipm_workflow.domain.people import Guardian, MissionLocale, Person, User
from ipm_workflow.domain.profile import CommuneRef, Sensitive, SensitiveRead


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

    def case_ids_of(self, person_id: int) -> list[int]:
        """Return the ids of the person's cases, oldest first."""
        ...

    def merged_into(self, person_id: int) -> list[int]:
        """Return the ids of the records merged into this person's (duplicates of them)."""
        ...

    def names(self, person_ids: Sequence[int]) -> dict[int, str]:
        """Return "First Last" of each person by id (one query, for a listing)."""
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


class GuardianRepository(Protocol):
    """Legal guardians of young people."""

    def of(self, person_id: int) -> list[Guardian]:
        """Return a person's guardians, parental authority first, then by id."""
        ...

    def get(self, person_id: int, guardian_id: int) -> Guardian:
        """Return one guardian of a person, or raise NotFound."""
        ...

    def add(self, guardian: Guardian) -> int:
        """Insert a guardian and return the id."""
        ...

    def update(self, guardian: Guardian) -> None:
        """Write a guardian's fields."""
        ...

    def remove(self, person_id: int, guardian_id: int) -> None:
        """Delete a guardian of a person."""
        ...

    def minors_without_guardian(self, person_ids: Sequence[int], on: date) -> set[int]:
        """Return those of the people who are minors on a day with no guardian on file."""
        ...


class SensitiveRepository(Protocol):
    """Sensitive data of young people, and who read it."""

    def get(self, person_id: int) -> Sensitive | None:
        """Return a person's sensitive data, if any was recorded."""
        ...

    def put(self, data: Sensitive) -> None:
        """Insert or replace a person's sensitive data."""
        ...

    def record_read(self, read: SensitiveRead) -> None:
        """Keep one read of a person's sensitive data."""
        ...

    def reads(self, person_id: int) -> list[SensitiveRead]:
        """Return the reads of a person's sensitive data, oldest first."""
        ...


class CommuneRepository(Protocol):
    """The communes reference: INSEE code -> département, QPV, rural."""

    def get(self, insee_code: str) -> CommuneRef | None:
        """Return a commune of the reference, if loaded."""
        ...

    def load(self, communes: Sequence[CommuneRef]) -> int:
        """Insert or replace communes; return how many were written."""
        ...
