"""Settings, read once at the edge from the environment (prefix IPM_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Everything the service, the worker and the CLI can be told."""

    model_config = SettingsConfigDict(env_prefix="IPM_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'ipm.sqlite3'}",
        description="SQLAlchemy URL; sqlite:///path (default) or postgresql+psycopg://…",
    )
    workflows_dir: Path = ROOT / "workflows"
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Europe/Paris"
