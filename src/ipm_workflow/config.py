"""Settings, read once at the edge from the environment (prefix IPM_)."""

from __future__ import annotations

import ipaddress
import socket
from datetime import time
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
UploadType = Literal["application/pdf", "image/jpeg", "image/png"]


class Settings(BaseSettings):
    """Everything the service, the worker and the CLI can be told."""

    model_config = SettingsConfigDict(env_prefix="IPM_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'ipm.sqlite3'}",
        description="SQLAlchemy URL; sqlite:///path (default) or postgresql+psycopg://…",
    )
    workflows_dir: Path = ROOT / "workflows"
    retention_file: Path = Field(
        default=ROOT / "config" / "retention.yaml",
        description="The retention rules (YAML), with their legal basis and source.",
    )
    retention_hour: int = Field(
        default=3, ge=0, le=23, description="Hour (IPM_TIMEZONE) of the worker's daily run."
    )
    sandbox: bool = Field(default=False, description="Run as a training sandbox (own database).")
    sandbox_database_url: str = f"sqlite:///{ROOT / 'var' / 'sandbox.sqlite3'}"
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Europe/Paris"
    public_url: str | None = Field(
        default=None,
        description="Base URL of links inside messages; default: the address the server runs on.",
    )

    # Reports (issue 14): counts below this are masked in files that leave Ipm.
    report_mask_threshold: int = Field(
        default=5, ge=1, description="Smallest count shown in exported reports (others masked)."
    )
    # Dashboards (issue 16): the worker computes their unfiltered views ahead this often.
    dashboard_refresh_minutes: int = Field(
        default=15,
        ge=0,
        description="Minutes between the worker's dashboard snapshots (0: always computed live).",
    )

    # Web pages (staff sign-in)
    web_session_minutes: int = Field(
        default=480, ge=5, description="How long a page session lasts after signing in."
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="Mark page cookies Secure (HTTPS only); default: when IPM_PUBLIC_URL is https.",
    )

    # The young person's own pages (/my): sign-in links instead of passwords.
    portal_link_minutes: int = Field(
        default=30, ge=1, le=1440, description="How long a requested sign-in link stays valid."
    )
    portal_reminder_link_hours: int = Field(
        default=72, ge=1, le=720, description="How long the sign-in link inside a reminder lasts."
    )
    portal_session_minutes: int = Field(
        default=60, ge=5, description="How long a young person's or guardian's session lasts."
    )
    portal_link_requests: int = Field(
        default=3, ge=1, description="Sign-in links one address or person may ask for per window."
    )
    portal_brake_minutes: int = Field(default=15, ge=1, description="The window of that brake.")

    @property
    def cookies_secure(self) -> bool:
        """Whether page cookies travel over HTTPS only."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return bool(self.public_url and self.public_url.startswith("https://"))

    # Documents uploaded by young people and guardians (issue 17)
    uploads_dir: Path = Field(
        default=ROOT / "var" / "uploads",
        description="Storage area of uploaded files, outside the database (a local folder).",
    )
    upload_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, le=60 * 1024 * 1024, description="Largest file, bytes."
    )
    upload_types: list[UploadType] = Field(
        default_factory=lambda: list(get_args(UploadType)),
        description="Accepted types, recognised by the file's first bytes.",
    )
    clamd_address: str | None = Field(
        default=None,
        description="ClamAV's clamd: unix:/run/clamav/clamd.ctl or tcp://host:3310 (none: "
        "files are recorded as not scanned).",
    )
    clamd_timeout_seconds: float = 30.0

    # Metrics (GET /metrics): served only when one of these is set.
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token a Prometheus scraper sends to GET /metrics."
    )
    metrics_networks: list[str] = Field(
        default_factory=list,
        description='Networks allowed to GET /metrics without the token, e.g. ["10.0.0.0/8"].',
    )

    # Scale-out: the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Addresses or networks of the reverse proxies in front of `serve`; the "
        "client address they forward is the one the failure brake counts ([] to believe none).",
    )

    @field_validator("metrics_networks", "trusted_proxies")
    @classmethod
    def _networks_parse(cls, value: list[str]) -> list[str]:
        # A typo must stop the start, not turn each scrape into a server error.
        for network in value:
            ipaddress.ip_network(network.strip(), strict=False)
        return value

    @property
    def links_url(self) -> str:
        """Base URL of links in messages: IPM_PUBLIC_URL, else http://host:port of the server."""
        if self.public_url:
            return self.public_url.rstrip("/")
        # A server listening on every interface is reached by the machine's name.
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104 - compared, not bound
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def active_database_url(self) -> str:
        """The database this instance uses: the sandbox's own one in sandbox mode."""
        return self.sandbox_database_url if self.sandbox else self.database_url

    # Reminders: delivery
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Ipm <no-reply@ipm.example.org>"
    message_id_domain: str = "ipm-workflow.example.org"
    sms_endpoint: str | None = Field(default=None, description="SMS provider's HTTP API URL.")
    sms_api_key: SecretStr | None = None
    finance_email: str | None = None
    supervisor_email: str | None = Field(
        default=None, description="Shared supervisors' address (default: every supervisor)."
    )
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)

    # Reminders: the worker
    embedded_worker: bool = Field(
        default=False, description="Run one reminder worker inside the API process."
    )
    worker_poll_seconds: float = 5.0
    worker_batch: int = 100
    worker_concurrency: int = 8
    worker_lease_seconds: int = 300
    max_attempts: int = 6
    backoff_base_seconds: int = 60
    backoff_max_seconds: int = 6 * 3600

    # Reports (issue 14): the sending organisation in the Erasmus+ Beneficiary Module's file.
    erasmus_sending_oid: str = Field(default="", description="Ipm's organisation ID (OID).")
    erasmus_sending_city: str = "Saint-Étienne"
