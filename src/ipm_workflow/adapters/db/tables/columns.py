"""Column kinds shared by the tables, and the column groups several tables repeat.

Every helper builds its column from `sa_type` (never a ready-made `Column`), so that one
declaration can stand in a mixin and give each table its own column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, Table, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# SQLite only autoincrements INTEGER PRIMARY KEY, so BIGINT keys fall back to it there.
BigId = BigInteger().with_variant(Integer, "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


def table_of(row: type[SQLModel]) -> Table:
    """The Core table behind a table model (the stores query tables, not models)."""
    table: Table = row.__table__  # type: ignore[attr-defined]
    return table


def timestamp(nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware moment (stored in UTC), required unless `nullable`."""
    return Field(sa_type=DateTime(timezone=True), nullable=nullable, index=index)


def big_id() -> Any:
    """A BIGINT primary key the database numbers."""
    return Field(default=None, sa_type=BigId, primary_key=True)


def big_ref(target: str | None = None, *, nullable: bool = False, index: bool = True) -> Any:
    """A BIGINT id of another row (`target` like "people.id" makes it a foreign key)."""
    kwargs: dict[str, Any] = {"foreign_key": target} if target else {}
    default: dict[str, Any] = {"default": None} if nullable else {}
    return Field(sa_type=BigId, nullable=nullable, index=index, **kwargs, **default)


def long_text(nullable: bool = True) -> Any:
    """Free text of any length (None when nullable and unset)."""
    default: dict[str, Any] = {"default": None} if nullable else {}
    return Field(sa_type=Text, nullable=nullable, **default)


def json_object() -> Any:
    """A JSON object (JSONB on PostgreSQL), empty by default on a model, required in SQL."""
    # A column of its own (not `sa_type`): the model's default must not become the column's.
    return Field(default_factory=dict, sa_column=Column(Json, nullable=False))


class Reachable(SQLModel):
    """How a young person or a guardian is reached, and what they agreed to."""

    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(default="fr", max_length=2)
    preferred_channel: str = Field(default="email", max_length=8)
    consent_email: bool = True
    consent_sms: bool = False


class Expiring(SQLModel):
    """A sign-in link or session: known by a SHA-256 only, created, expiring."""

    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp(index=True)


class OnOwnPages(Expiring):
    """A link or session of the young person's own pages: whose, and which guardian's."""

    person_id: int = big_ref("people.id")
    guardian_id: int | None = big_ref(nullable=True, index=False)
