"""The composition root: the one place that builds adapters and wires them into services.

Entry points (HTTP app, CLI, worker, sandbox) receive what they need from here and never import
an adapter themselves (an import-linter contract). Adapters are imported inside the functions
that build them, so a command that needs no database never pays for SQLAlchemy or Alembic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Litestar resolves the container's annotations at run time: the engine's type must be real.
from sqlalchemy import Engine

from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.profile import CommuneRef
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.domain.uploads import UploadLimits
from ipm_workflow.services.accounts import AccountService
from ipm_workflow.services.attribution import AttributionService
from ipm_workflow.services.audit import AuditService
from ipm_workflow.services.auth import TokenService
from ipm_workflow.services.beneficiary_module import BeneficiaryModuleService, Sender
from ipm_workflow.services.case_records import CaseRecords
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.cohorts import CohortService
from ipm_workflow.services.delivery import DeliveryService
from ipm_workflow.services.eligibility import EligibilityService
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.idempotency import Idempotency
from ipm_workflow.services.journey import JourneyService
from ipm_workflow.services.merges import MergeService
from ipm_workflow.services.messages import Channel, DeliveryPolicy
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
from ipm_workflow.services.telemetry import Telemetry
from ipm_workflow.services.upload_ports import NoScanner, Scanner
from ipm_workflow.services.uploads import UploadService
from ipm_workflow.services.versions import VersionService

if TYPE_CHECKING:
    from ipm_workflow.adapters.referral_csv import ReferralFile
    from ipm_workflow.adapters.spreadsheets import Sheet
    from ipm_workflow.adapters.workflow_files import FileProblem
    from ipm_workflow.domain.definitions import Workflow
    from ipm_workflow.domain.reports import ReportTable
    from ipm_workflow.services.reports import Population


class DatabaseNotReady(DomainError):
    """The database's schema is missing or outdated: migrations must run first."""

    kind = "database-not-ready"


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

        self.reports = ReportService(
            SqlReportReader(self.engine),
            self.registry,
            self.clock,
            self.settings.timezone,
            self.settings.report_mask_threshold,
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
        self.delivery.portal = self.portal
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
        from ipm_workflow.adapters.channels import sms, smtp  # noqa: PLC0415 - see module doc
        from ipm_workflow.adapters.channels.capture import CaptureChannel  # noqa: PLC0415

        s = self.settings
        if s.sandbox:
            # A training sandbox's messages never leave the machine: they land in its outbox.
            capture = CaptureChannel(self.engine, self.clock)
            return {"email": capture, "sms": capture, "in_app": capture}
        channels: dict[str, Channel] = {
            "email": smtp.SmtpChannel(
                s.smtp_host,
                s.smtp_port,
                s.mail_from,
                starttls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.smtp_timeout_seconds,
            ),
            "in_app": sms.InAppChannel(),
        }
        if s.sms_endpoint:
            key = s.sms_api_key.get_secret_value() if s.sms_api_key else None
            channels["sms"] = sms.HttpSmsChannel(s.sms_endpoint, key)
        return channels

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


def upload_service(settings: Settings, store: CaseStore, records: CaseRecords) -> UploadService:
    """The uploads on the settings' storage area, limits and scanner (clamd when configured)."""
    from ipm_workflow.adapters.files.clamd import ClamdScanner  # noqa: PLC0415
    from ipm_workflow.adapters.files.local import LocalFileStore  # noqa: PLC0415

    scanner: Scanner = NoScanner()
    if settings.clamd_address:
        scanner = ClamdScanner(settings.clamd_address, settings.clamd_timeout_seconds)
    limits = UploadLimits(settings.upload_max_bytes, tuple(settings.upload_types))
    # A training sandbox keeps its files apart, as it keeps its own database.
    files = LocalFileStore(
        settings.uploads_dir / "sandbox" if settings.sandbox else settings.uploads_dir
    )
    return UploadService(store, records, files, scanner=scanner, limits=limits)


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
        public_url=settings.links_url,
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


def check_workflows(directory: Path) -> tuple[list[Workflow], list[FileProblem]]:
    """Lint every workflow file of a directory: (sound workflows, problems with file:line)."""
    from ipm_workflow.adapters.workflow_files import check_directory  # noqa: PLC0415

    return check_directory(directory)


def upgrade_database(settings: Settings, *, sandbox: bool = False) -> str:
    """Apply every migration to the configured database; return its URL (password hidden)."""
    from ipm_workflow.adapters.db import migrate  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415

    url = settings.sandbox_database_url if sandbox else settings.database_url
    engine = create_db_engine(url)
    try:
        migrate.upgrade(engine)
        return engine.url.render_as_string()
    finally:
        engine.dispose()


def prepare_to_serve(settings: Settings) -> None:
    """Check the database before serving: migrated (a sandbox migrates itself), right mode.

    Raises DatabaseNotReady or WrongInstance with a message for the operator, or
    RetentionConfigInvalid when an embedded worker would run retention on a broken file.
    """
    from ipm_workflow.adapters.db import migrate  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415
    from ipm_workflow.adapters.db.instance import claim_mode  # noqa: PLC0415

    engine = create_db_engine(settings.active_database_url)
    try:
        if settings.sandbox:
            migrate.upgrade(engine)  # a sandbox sets itself up
        missing = migrate.pending(engine)
        if missing:
            raise DatabaseNotReady(
                f"database schema is not current (pending: {', '.join(missing)}); "
                "run `ipm-workflow db upgrade`"
            )
        claim_mode(engine, settings.sandbox)
    finally:
        engine.dispose()
    if settings.embedded_worker and not settings.sandbox:
        from ipm_workflow.adapters.retention_file import load_policy  # noqa: PLC0415

        load_policy(settings.retention_file)  # its daily job runs in the embedded worker


def sortable_case_fields() -> tuple[str, ...]:
    """The case columns a listing may be sorted by."""
    from ipm_workflow.adapters.db.case_search import SORTABLE  # noqa: PLC0415

    return SORTABLE


# Operations that act on an adapter itself (the database file, a CSV export, the Prometheus
# registry). Entry points reach them only through here, so the import contract holds without
# exceptions; each import stays inside its function so that start-up pays only for what it uses.


class RestoreRefused(DomainError):
    """A restore would replace a database that already holds data (and was not told to)."""

    kind = "restore-refused"


def backup_database(settings: Settings, target: Path) -> int:
    """Copy the configured database to `target` while it serves; return the file's size in bytes.

    SQLite: its online backup API; PostgreSQL: `pg_dump` in custom format. Raises BackupFailed
    (a DomainError) with the first line of what went wrong.
    """
    from ipm_workflow.adapters.db.backup import backup  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415

    engine = create_db_engine(settings.active_database_url)
    try:
        backup(engine, target)
    finally:
        engine.dispose()
    return target.stat().st_size


def restore_database(settings: Settings, source: Path, *, force: bool) -> Engine:
    """Restore a file written by `backup_database` into the configured database.

    Returns the engine on the restored database (the caller checks it, then disposes of it).
    Raises BackupFailed for an unreadable file or a failed tool, RestoreRefused when the database
    holds rows and `force` is false (nothing is changed then).
    """
    from ipm_workflow.adapters.db import backup as backups  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415

    engine = create_db_engine(settings.active_database_url)
    try:
        backups.check_file(source, engine.dialect.name)
        holding = backups.tables_with_rows(engine)
        if holding and not force:
            where = engine.url.render_as_string(hide_password=True)
            raise RestoreRefused(
                f"{where} is not empty (rows in {', '.join(holding)}); "
                "pass --force to replace its contents",
                tables=holding,
            )
        backups.restore(engine, source)
    except DomainError:
        engine.dispose()
        raise
    return engine


def pending_migrations(engine: Engine) -> list[str]:
    """The migrations not yet applied to the database behind `engine` (empty: at head)."""
    from ipm_workflow.adapters.db import migrate  # noqa: PLC0415

    return migrate.pending(engine)


def read_referral_export(path: Path) -> ReferralFile:
    """Read a missions locales' CSV export of referrals (`;` or `,`, UTF-8 or Windows-1252).

    Raises OSError for an unreadable file, InvalidInput for a file that is not such an export.
    """
    from ipm_workflow.adapters.referral_csv import read_referrals  # noqa: PLC0415

    return read_referrals(path)


def metrics_exposition(container: Container) -> tuple[bytes, str]:
    """Every metric in the Prometheus text format, with its content type."""
    from ipm_workflow.adapters.metrics import CONTENT_TYPE, exposition  # noqa: PLC0415

    return exposition(container.engine, container.clock), CONTENT_TYPE


def start_prometheus(container: Container) -> tuple[Telemetry, Callable[[], None]]:
    """Count the container's events with prometheus-client; return the stop to call at exit."""
    from ipm_workflow.adapters import metrics as prometheus  # noqa: PLC0415

    telemetry = prometheus.PrometheusTelemetry()
    container.cases.store.telemetry = telemetry
    release_pool = prometheus.instrument_pool(container.engine)

    def stop() -> None:
        release_pool()
        prometheus.process_ended()

    return telemetry, stop


def read_communes(path: Path) -> list[CommuneRef]:
    """Parse a communes reference file (the CSV an admin loads)."""
    from ipm_workflow.adapters.communes_csv import read_communes as parse  # noqa: PLC0415

    return parse(path)


# --- reports (issue 14): spreadsheets of a table, reference populations --------------------------


def report_sheet(table: ReportTable, language: str = "fr") -> Sheet:
    """A report's table as a sheet (headings in a language, the columns' kinds)."""
    from ipm_workflow.adapters.spreadsheets import Sheet  # noqa: PLC0415

    headings = [c.heading(language) for c in table.columns]
    return Sheet(table.title, headings, table.rows, [c.kind for c in table.columns])


def csv_file(sheet: Sheet) -> bytes:
    """A sheet as CSV for French Excel (UTF-8 with BOM, `;`)."""
    from ipm_workflow.adapters.spreadsheets import csv_bytes  # noqa: PLC0415

    return csv_bytes(sheet)


def xlsx_file(*sheets: Sheet) -> bytes:
    """Sheets as one XLSX workbook (styled frozen header, fitted widths, real dates)."""
    from ipm_workflow.adapters.spreadsheets import xlsx_bytes  # noqa: PLC0415

    return xlsx_bytes(sheets)


def read_populations(path: Path) -> list[Population]:
    """Parse a reference populations file (CSV: mission_locale_id, year, population)."""
    from ipm_workflow.adapters.spreadsheets import read_populations as parse  # noqa: PLC0415

    return parse(path)


def beneficiary_module_file(rows: list[dict[str, str | int]], fmt: str) -> bytes:
    """The Erasmus+ Beneficiary Module's import file (XLSX, or CSV) of rows in its columns."""
    from ipm_workflow.adapters.spreadsheets import Sheet  # noqa: PLC0415
    from ipm_workflow.domain.beneficiary_module import COLUMNS, NUMBERS  # noqa: PLC0415

    kinds: list[Any] = ["int" if c in NUMBERS else "text" for c in COLUMNS]
    sheet = Sheet("Mobility activities", COLUMNS, [[r[c] for c in COLUMNS] for r in rows], kinds)
    return csv_file(sheet) if fmt == "csv" else xlsx_file(sheet)


RETENTION_FILE = ROOT / "config" / "retention.yaml"


def retention_rules(file: Path = RETENTION_FILE) -> list[dict[str, Any]]:
    """The retention rules of a rules file as plain values (none when absent), read by the
    one reader of that file (raises RetentionConfigInvalid naming its places)."""
    from ipm_workflow.adapters.retention_file import load_policy  # noqa: PLC0415

    if not file.exists():
        return []
    return [r.model_dump(mode="json", exclude_none=True) for r in load_policy(file).rules]
