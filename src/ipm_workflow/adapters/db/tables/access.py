"""Who may come in: API tokens, staff page sessions, the young person's links and sessions,
and the answers kept for idempotent requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from ipm_workflow.adapters.db.tables.columns import Expiring, OnOwnPages, json_object, timestamp


class ApiTokenRow(SQLModel, table=True):
    """A bearer token, stored only as its SHA-256; expiring and revocable."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp()
    revoked_at: datetime | None = timestamp(nullable=True)
    last_used_at: datetime | None = timestamp(nullable=True)


class IdempotencyRow(SQLModel, table=True):
    """The first answer to a request sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_keys"

    actor: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int
    body: dict[str, Any] = json_object()
    created_at: datetime = timestamp(index=True)


class WebSessionRow(Expiring, table=True):
    """A signed-in staff member's page session (issue 13), known by its cookie's SHA-256."""

    __tablename__ = "web_sessions"

    user_id: int = Field(foreign_key="users.id", index=True)
    csrf_token: str = Field(max_length=64)


# --- The young person's own pages (0018): sign-in links and portal sessions. ---


class PortalLinkRow(OnOwnPages, table=True):
    """A single-use sign-in link of a young person or guardian: only the token's SHA-256."""

    __tablename__ = "portal_links"

    target: str = Field(max_length=200)
    used_at: datetime | None = timestamp(nullable=True)


class PortalSessionRow(OnOwnPages, table=True):
    """A young person's or guardian's page session, apart from staff sessions (cookie SHA-256)."""

    __tablename__ = "portal_sessions"

    csrf_token: str = Field(max_length=64)
