"""The directory: missions locales, staff and the missions locales they work for, cohorts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from ipm_workflow.adapters.db.tables.columns import timestamp


class MissionLocaleRow(SQLModel, table=True):
    """A mission locale that refers young people."""

    __tablename__ = "mission_locales"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    departement: str | None = Field(default=None, max_length=3)
    contact_email: str | None = Field(default=None, max_length=254)


class UserRow(SQLModel, table=True):
    """Someone who acts on cases: advisor, supervisor or admin."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    active: bool = True
    email: str | None = Field(default=None, max_length=254)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    created_at: datetime = timestamp()
    # Staff who leave (issue 11): when the account was switched off (its tokens revoked then).
    deactivated_at: datetime | None = timestamp(nullable=True)

    # Staff sign-in on the web pages (argon2; None: no password set) and the pages' language.
    password_hash: str | None = Field(default=None, max_length=200)
    language: str = Field(
        default="fr", sa_column=Column(String(2), nullable=False, server_default="fr")
    )


class UserMissionLocaleRow(SQLModel, table=True):
    """Which missions locales a user works for (an advisor sees only these cases)."""

    __tablename__ = "user_mission_locales"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    mission_locale_id: str = Field(foreign_key="mission_locales.id", primary_key=True)


class CohortRow(SQLModel, table=True):
    """A group of cases leaving together (a group mobility)."""

    __tablename__ = "cohorts"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=200)
    workflow: str = Field(max_length=64)
    planned_start: date | None = None
    planned_end: date | None = None
    created_at: datetime = timestamp()
    created_by: str | None = Field(default=None, max_length=64)  # an actor reference


class InstanceRow(SQLModel, table=True):
    """Facts about this database: whether it is a production or a training sandbox one."""

    __tablename__ = "instance"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=500)
