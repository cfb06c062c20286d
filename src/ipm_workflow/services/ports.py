"""What the service layer needs from the outside world, as Protocols."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from ipm_workflow.services.attribution_ports import AttributionRepository
from ipm_workflow.services.case_ports import (
    CaseRepository,
    CohortRepository,
    ContactRepository,
    HistoryRepository,
    IdempotencyRepository,
    MobilityReads,
)
from ipm_workflow.services.people_ports import (
    CommuneRepository,
    DirectoryRepository,
    GuardianRepository,
    PeopleRepository,
    SensitiveRepository,
    TokenRecord,
    TokenRepository,
)
from ipm_workflow.services.portal_ports import PortalRepository
from ipm_workflow.services.privacy_ports import PrivacyRepository
from ipm_workflow.services.reminder_ports import ReminderRepository
from ipm_workflow.services.retention_ports import RetentionRepository
from ipm_workflow.services.staff_ports import StaffRepository
from ipm_workflow.services.upload_ports import UploadRepository

__all__ = [
    "Clock",
    "DirectoryRepository",
    "PeopleRepository",
    "ReminderRepository",
    "SupportFacts",
    "SupportReader",
    "TokenRecord",
    "TokenRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]


@dataclass(frozen=True)
class SupportFacts:
    """What the person's sensitive record says that eligibility reads (None: not recorded)."""

    recognised_disability: bool | None = None
    fewer_opportunities: bool | None = None


class SupportReader(Protocol):
    """Reads a person's support facts (recognised disability…) inside a unit of work."""

    def __call__(self, uow: UnitOfWork, person_id: int) -> SupportFacts:
        """Return what is recorded for the person."""
        ...


def support_on_record(uow: UnitOfWork, person_id: int) -> SupportFacts:
    """Read the person's sensitive record for an eligibility rule (a decision, not a disclosure).

    No sensitive read is recorded: nobody sees the values, the rule only uses them; a refusal
    or an extension names the rule, never the record. None of both when nothing is recorded.
    """
    record = uow.sensitive.get(person_id)
    if record is None:
        return SupportFacts()
    return SupportFacts(
        recognised_disability=record.rqth, fewer_opportunities=record.fewer_opportunities
    )


class Clock(Protocol):
    """The time source; tests inject a fixed or moving one."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware (UTC)."""
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

    @property
    def guardians(self) -> GuardianRepository:
        """The guardians repository, inside this transaction."""
        ...

    @property
    def sensitive(self) -> SensitiveRepository:
        """The sensitive-data repository, inside this transaction."""
        ...

    @property
    def communes(self) -> CommuneRepository:
        """The communes reference, inside this transaction."""
        ...

    @property
    def attribution(self) -> AttributionRepository:
        """Moves between missions locales, deactivated staff and attribution counts."""
        ...

    @property
    def contacts(self) -> ContactRepository:
        """The contact attempts repository, inside this transaction."""
        ...

    @property
    def staff(self) -> StaffRepository:
        """Staff passwords, languages and page sessions, inside this transaction."""
        ...

    @property
    def mobilities(self) -> MobilityReads:
        """The departed mobilities of a grant agreement (the Beneficiary Module's file)."""
        ...

    @property
    def retention(self) -> RetentionRepository:
        """People as the retention rules see them; clearing and deleting their rows."""
        ...

    @property
    def privacy(self) -> PrivacyRepository:
        """Consents, erasure requests, exports, messages sent and the read audit."""
        ...

    @property
    def uploads(self) -> UploadRepository:
        """Documents uploaded by young people and guardians, inside this transaction."""
        ...

    @property
    def portal(self) -> PortalRepository:
        """Sign-in links and sessions of the young person's own pages, inside this transaction."""
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
