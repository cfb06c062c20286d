"""Adapters built from the settings: the uploads' storage and scanner, the delivery channels
and policy, the retention rules. Adapters are imported inside the functions (fast start)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.uploads import UploadLimits
from ipm_workflow.services.case_records import CaseRecords
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.messages import Channel, DeliveryPolicy
from ipm_workflow.services.ports import Clock
from ipm_workflow.services.upload_ports import NoScanner, Scanner
from ipm_workflow.services.uploads import UploadService


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


def channels(settings: Settings, engine: Engine, clock: Clock) -> dict[str, Channel]:
    """Build the delivery channels the settings describe (inside the worker's loop)."""
    from ipm_workflow.adapters.channels import sms, smtp  # noqa: PLC0415 - see module doc
    from ipm_workflow.adapters.channels.capture import CaptureChannel  # noqa: PLC0415

    s = settings
    if s.sandbox:
        # A training sandbox's messages never leave the machine: they land in its outbox.
        capture = CaptureChannel(engine, clock)
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


RETENTION_FILE = ROOT / "config" / "retention.yaml"


def retention_rules(file: Path = RETENTION_FILE) -> list[dict[str, Any]]:
    """The retention rules of a rules file as plain values (none when absent), read by the
    one reader of that file (raises RetentionConfigInvalid naming its places)."""
    from ipm_workflow.adapters.retention_file import load_policy  # noqa: PLC0415

    if not file.exists():
        return []
    return [r.model_dump(mode="json", exclude_none=True) for r in load_policy(file).rules]
