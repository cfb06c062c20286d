"""Ports of the case records: cases, their history, idempotent answers, cohorts, contacts.

The repositories a unit of work (ports.UnitOfWork) holds for cases, as Protocols, and the
queries they answer.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from ipm_workflow.domain.beneficiary_module import Mobility
from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.contacts import ContactAttempt
from ipm_workflow.domain.people import Cohort

# A listing counts its matches up to this many: past it the total reads "more than 1,000"
# (counting a million matches to show fifty cost more than the page itself; issue 16).
COUNT_LIMIT = 1_000


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
    # Attribution (issue 11): the mission locale that referred the case (it keeps it), the
    # people whose cases these are, and cases nobody is assigned to yet.
    referring_mission_locales: Sequence[str] | None = None
    person_ids: Sequence[int] | None = None
    unassigned: bool = False
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    # Cases whose state's deadline (`due_at`, kept by domain/clocks.py) is before this moment.
    overdue: datetime | None = None
    # Cases of young people who are minors on this day with no guardian on file.
    minor_without_guardian_on: date | None = None
    # The pages' filter: the young person's first or last name contains this text.
    name: str | None = None
    # The pages' order: soonest deadline first (overdue cases have the earliest), then cases
    # without a running time limit; ties by id.
    due_first: bool = False
    sort: str = "id"
    descending: bool = False
    limit: int = 50
    offset: int = 0
    # Keyset paging: the (sort value, id) of the previous page's last case; the page starts
    # after it (cost independent of the depth, unlike `offset`).
    after: tuple[Any, int] | None = None
    # Count the matches up to this many (None: all of them); see `capped_total`.
    count_limit: int | None = COUNT_LIMIT


def capped_total(query: CaseQuery, total: int) -> tuple[int, bool]:
    """The total a listing shows and whether more cases match than it says.

    `total` is what `CaseRepository.search` returned: it counts at most `count_limit + 1`
    matches, so a total past the limit means "more than `count_limit`": (count_limit, True).
    """
    if query.count_limit is not None and total > query.count_limit:
        return query.count_limit, True
    return total, False


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

    def hold(self, case_id: int, expected_version: int) -> None:
        """Lock the case until the transaction ends if still at `expected_version`.

        Raises VersionConflict otherwise (before anything depending on the case is written).
        """
        ...

    def update(
        self, case: Case, expected_version: int, columns: Collection[str] | None = None
    ) -> None:
        """Write a case (or only some columns) if still at `expected_version`.

        Raises VersionConflict otherwise.
        """
        ...

    def search(self, query: CaseQuery) -> tuple[list[Case], int]:
        """Return one page of matching cases and the total count.

        The count stops at `query.count_limit + 1` matches (see `capped_total`).
        """
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

    def latest(self, case_id: int, limit: int) -> tuple[list[HistoryEntry], int, set[str]]:
        """Return a case's `limit` latest entries (oldest first), how many it has in all, and
        every state it entered (a page's timeline and diagram without every entry)."""
        ...

    def search(self, query: AuditQuery) -> list[HistoryEntry]:
        """Return entries across cases, newest first."""
        ...

    def erase_payloads(self, case_id: int, seqs: Collection[int]) -> int:
        """Blank some entries' payloads and salts (digests and hashes kept); return how many."""
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


class ContactRepository(Protocol):
    """Contact attempts of the follow-up."""

    def add(self, attempt: ContactAttempt) -> int:
        """Insert an attempt and return its id."""
        ...

    def for_case(self, case_id: int) -> list[ContactAttempt]:
        """Return a case's attempts, oldest first."""
        ...


class MobilityReads(Protocol):
    """The departed mobilities of a grant agreement (adapters/db/mobility_reads.py)."""

    def departed(self, grant: str, mission_locales: list[str] | None) -> list[Mobility]:
        """The grant agreement's departed cases (within some missions locales), oldest first."""
        ...
