"""The composition root: the one place that wires adapters into services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from ipm_workflow.adapters.channels.capture import CaptureChannel
from ipm_workflow.adapters.channels.sms import HttpSmsChannel, InAppChannel
from ipm_workflow.adapters.channels.smtp import SmtpChannel
from ipm_workflow.adapters.clock import SystemClock
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.instance import SandboxClock
from ipm_workflow.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from ipm_workflow.adapters.templates import JinjaRenderer
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.config import Settings
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.auth import TokenService
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.cohorts import CohortService
from ipm_workflow.services.delivery import DeliveryService
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.idempotency import Idempotency
from ipm_workflow.services.merges import MergeService
from ipm_workflow.services.messages import Channel, DeliveryPolicy
from ipm_workflow.services.people import PeopleService
from ipm_workflow.services.ports import Clock
from ipm_workflow.services.reminders import ReminderService
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

    def __post_init__(self) -> None:
        uow = SqlUnitOfWorkFactory(self.engine)
        self.uow = uow
        store = CaseStore(uow, self.registry, self.clock, self.settings.timezone)
        self.cases = CaseService(store, Idempotency(uow, self.clock))
        self.people = PeopleService(uow, self.clock)
        # Tokens expire in real time, even in a sandbox whose clock trainers move forward.
        self.tokens = TokenService(uow, SystemClock() if self.settings.sandbox else self.clock)
        self.reminders = ReminderService(uow, self.registry, self.clock)
        renderer = JinjaRenderer(self.settings.workflows_dir / "templates")
        self.delivery = DeliveryService(self.cases, renderer, delivery_policy(self.settings))
        cases = self.cases
        self.cohorts = CohortService(cases.store, cases.firing, cases.idempotency)
        self.versions = VersionService(cases.store)
        self.merges = MergeService(cases.store, cases.firing)

    def channels(self) -> dict[str, Channel]:
        """Build the delivery channels the settings describe (inside the worker's loop)."""
        s = self.settings
        if s.sandbox:
            # A training sandbox's messages never leave the machine: they land in its outbox.
            capture = CaptureChannel(self.engine, self.clock)
            return {"email": capture, "sms": capture, "in_app": capture}
        channels: dict[str, Channel] = {
            "email": SmtpChannel(
                s.smtp_host,
                s.smtp_port,
                s.mail_from,
                starttls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.smtp_timeout_seconds,
            ),
            "in_app": InAppChannel(),
        }
        if s.sms_endpoint:
            key = s.sms_api_key.get_secret_value() if s.sms_api_key else None
            channels["sms"] = HttpSmsChannel(s.sms_endpoint, key)
        return channels

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    """Read the worker's delivery rules from the settings."""
    return DeliveryPolicy(
        quiet_start=settings.quiet_hours_start,
        quiet_end=settings.quiet_hours_end,
        max_attempts=settings.max_attempts,
        backoff_base=timedelta(seconds=settings.backoff_base_seconds),
        backoff_max=timedelta(seconds=settings.backoff_max_seconds),
        lease=timedelta(seconds=settings.worker_lease_seconds),
        batch=settings.worker_batch,
        message_id_domain=settings.message_id_domain,
        public_url=settings.public_url,
        finance_email=settings.finance_email,
        supervisor_email=settings.supervisor_email,
        sms_enabled=settings.sms_endpoint is not None,
    )


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    registry: WorkflowRegistry | None = None,
) -> Container:
    """Build the container; an invalid workflow stops the start with every problem listed."""
    settings = settings or Settings()
    engine = engine or create_db_engine(settings.active_database_url)
    registry = registry or load_registry(settings.workflows_dir)
    if clock is None:
        clock = SandboxClock(engine) if settings.sandbox else SystemClock()
    return Container(settings=settings, engine=engine, registry=registry, clock=clock)
