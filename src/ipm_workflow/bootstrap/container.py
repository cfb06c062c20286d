"""The container: every service, wired once on the adapters built from the settings.

Adapters are imported inside the functions that build them, so a command that needs no
database never pays for SQLAlchemy or Alembic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import Any

# Litestar resolves the container's annotations at run time: the engine's type must be real.
from sqlalchemy import Engine

from ipm_workflow.bootstrap.factories import (
    channels,
    delivery_policy,
    retention_rules,
    upload_service,
)
from ipm_workflow.config import Settings
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.accounts import AccountService
from ipm_workflow.services.attribution import AttributionService
from ipm_workflow.services.audit import AuditService
from ipm_workflow.services.auth import TokenService
from ipm_workflow.services.beneficiary_module import BeneficiaryModuleService, Sender
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.cohorts import CohortService
from ipm_workflow.services.delivery import DeliveryService
from ipm_workflow.services.eligibility import EligibilityService
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.idempotency import Idempotency
from ipm_workflow.services.journey import JourneyService
from ipm_workflow.services.merges import MergeService
from ipm_workflow.services.messages import Channel
from ipm_workflow.services.people import PeopleService
from ipm_workflow.services.person_records import PersonRecords
from ipm_workflow.services.portal import PortalService
from ipm_workflow.services.ports import Clock
from ipm_workflow.services.privacy import PrivacyService
from ipm_workflow.services.pseudonymisation import PseudonymisationService
from ipm_workflow.services.referrals import ReferralImporter
from ipm_workflow.services.reminders import ReminderService
from ipm_workflow.services.reports import ReportService
from ipm_workflow.services.retention import RetentionService
from ipm_workflow.services.sandbox import SandboxService
from ipm_workflow.services.staff import StaffService
from ipm_workflow.services.uploads import UploadService
from ipm_workflow.services.versions import VersionService


@dataclass
class Container:
    """Everything an entry point needs, built once from settings."""

    settings: Settings
    engine: Engine
    registry: WorkflowRegistry
    clock: Clock
    cases: CaseService = field(init=False)
    people: PeopleService = field(init=False)
    tokens: TokenService = field(init=False)
    reminders: ReminderService = field(init=False)
    delivery: DeliveryService = field(init=False)
    cohorts: CohortService = field(init=False)
    versions: VersionService = field(init=False)
    merges: MergeService = field(init=False)
    referrals: ReferralImporter = field(init=False)
    audit: AuditService = field(init=False)
    person_records: PersonRecords = field(init=False)

    # Issue 11: eligibility, staff who leave, attribution counts.
    eligibility: EligibilityService = field(init=False)
    staff: StaffService = field(init=False)
    attribution: AttributionService = field(init=False)
    accounts: AccountService = field(init=False)
    reports: ReportService = field(init=False)  # issue 14
    beneficiary_module: BeneficiaryModuleService = field(init=False)  # issue 14
    # Issue 15: pseudonymisation and deletion (retention runs, accepted erasure requests).
    pseudonymisation: PseudonymisationService = field(init=False)
    privacy: PrivacyService = field(init=False)  # issue 15: data protection
    uploads: UploadService = field(init=False)
    portal: PortalService = field(init=False)  # issue 17: the young person's own pages
    journey: JourneyService = field(init=False)

    def __post_init__(self) -> None:
        from ipm_workflow.adapters.clock import SystemClock  # noqa: PLC0415 - see module doc
        from ipm_workflow.adapters.db.database import scrub  # noqa: PLC0415
        from ipm_workflow.adapters.db.unit_of_work import SqlUnitOfWorkFactory  # noqa: PLC0415
        from ipm_workflow.adapters.templates import JinjaRenderer  # noqa: PLC0415

        uow = SqlUnitOfWorkFactory(self.engine)
        self.uow = uow
        store = CaseStore(uow, self.registry, self.clock, self.settings.timezone)
        self.cases = CaseService(store, Idempotency(uow, self.clock))
        self.people = PeopleService(uow, self.clock, store)
        self.person_records = PersonRecords(store)
        rules_file = self.settings.retention_file
        self.privacy = PrivacyService(store, self.people, lambda: retention_rules(rules_file))
        # Tokens expire in real time, even in a sandbox whose clock trainers move forward.
        self.tokens = TokenService(uow, SystemClock() if self.settings.sandbox else self.clock)
        self.reminders = ReminderService(store)
        renderer = JinjaRenderer(self.settings.workflows_dir / "templates")
        self.delivery = DeliveryService(self.cases, renderer, delivery_policy(self.settings))
        cases = self.cases
        self.cohorts = CohortService(cases.store, cases.firing, cases.idempotency)
        self.versions = VersionService(cases.store)
        self.merges = MergeService(cases.store, cases.firing)
        self.referrals = ReferralImporter(self.people, self.cases)
        self.audit = AuditService(store)
        self.eligibility = EligibilityService(store)
        sender = Sender(self.settings.erasmus_sending_oid, "FR", self.settings.erasmus_sending_city)
        self.beneficiary_module = BeneficiaryModuleService(store, sender)
        # Page sessions expire in real time too, like tokens.
        self.accounts = AccountService(
            uow,
            SystemClock() if self.settings.sandbox else self.clock,
            timedelta(minutes=self.settings.web_session_minutes),
        )
        self.staff = StaffService(store, cases.records, cases.idempotency, self._forget_user)
        self.attribution = AttributionService(store)
        from ipm_workflow.adapters.db.report_store import SqlReportReader  # noqa: PLC0415

        report_reader = SqlReportReader(self.engine)
        self.reports = ReportService(
            report_reader,
            self.registry,
            self.clock,
            self.settings.timezone,
            self.settings.report_mask_threshold,
            snapshots=report_reader,
            refresh_minutes=self.settings.dashboard_refresh_minutes,
        )
        self.uploads = upload_service(self.settings, store, cases.records)
        self.pseudonymisation = PseudonymisationService(
            store, partial(scrub, self.engine), self.uploads.erase_files_in
        )
        self.portal = PortalService(
            store,
            SystemClock() if self.settings.sandbox else self.clock,
            link_lifetime=timedelta(minutes=self.settings.portal_link_minutes),
            reminder_link_lifetime=timedelta(hours=self.settings.portal_reminder_link_hours),
            session_lifetime=timedelta(minutes=self.settings.portal_session_minutes),
            public_url=self.settings.links_url,
        )
        self.delivery.addressing.portal = self.portal
        self.journey = JourneyService(
            store, self.reminders, self.people, self.person_records, self.delivery
        )

    def _forget_user(self, user_id: int) -> None:
        """Forget what this process remembers of a user's credentials (a deactivation)."""
        self.tokens.forget()
        self.accounts.forget(user_id)

    @cached_property
    def retention(self) -> RetentionService:
        """Retention runs on the rules file; raises RetentionConfigInvalid naming its places."""
        from ipm_workflow.adapters.retention_file import load_policy  # noqa: PLC0415

        policy = load_policy(self.settings.retention_file, self.registry)
        return RetentionService(self.pseudonymisation, policy, self.settings.timezone, self.privacy)

    def cluster_lock(self, name: str) -> AbstractContextManager[bool]:
        """Hold a lock no other process on this database holds (True), or say it is taken."""
        from ipm_workflow.adapters.db.locks import cluster_lock  # noqa: PLC0415

        return cluster_lock(self.engine, name)

    def channels(self) -> dict[str, Channel]:
        """Build the delivery channels the settings describe (inside the worker's loop)."""
        return channels(self.settings, self.engine, self.clock)

    def sandbox(self, run_due: Callable[[], Awaitable[int]], lock: asyncio.Lock) -> SandboxService:
        """The sandbox's time machine on this container's clock; `run_due` runs the worker.

        `lock` is the worker's: its ticks and the clock's moves never interleave.
        """
        from ipm_workflow.adapters.db.instance import SandboxClock  # noqa: PLC0415

        if not isinstance(self.clock, SandboxClock):
            raise TypeError("a sandbox needs the sandbox clock (settings.sandbox)")
        return SandboxService(self.uow, self.clock, run_due, lock)

    def outbox(
        self,
        *,
        case_id: int | None = None,
        since: datetime | None = None,
        mission_locales: frozenset[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Messages a sandbox captured, oldest first (only those of some missions locales)."""
        from ipm_workflow.adapters.channels.capture import outbox  # noqa: PLC0415

        return outbox(self.engine, case_id=case_id, since=since, mission_locales=mission_locales)

    def pending_migrations(self) -> list[str]:
        """Revisions not yet applied to this database (empty when current)."""
        from ipm_workflow.adapters.db import migrate  # noqa: PLC0415

        return migrate.pending(self.engine)

    def claim_mode(self) -> None:
        """Mark the database production or sandbox; raise WrongInstance on a mismatch."""
        from ipm_workflow.adapters.db.instance import claim_mode  # noqa: PLC0415

        claim_mode(self.engine, self.settings.sandbox)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    registry: WorkflowRegistry | None = None,
) -> Container:
    """Build the container; an invalid workflow stops the start with every problem listed."""
    from ipm_workflow.adapters.clock import SystemClock  # noqa: PLC0415 - see module doc
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415
    from ipm_workflow.adapters.db.instance import SandboxClock  # noqa: PLC0415
    from ipm_workflow.adapters.workflow_files import load_registry  # noqa: PLC0415

    settings = settings or Settings()
    engine = engine or create_db_engine(settings.active_database_url)
    registry = registry or load_registry(settings.workflows_dir)
    if clock is None:
        clock = SandboxClock(engine) if settings.sandbox else SystemClock()
    return Container(settings=settings, engine=engine, registry=registry, clock=clock)
