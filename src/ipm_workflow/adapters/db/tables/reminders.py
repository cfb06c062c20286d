"""Reminders and their delivery: attempts, the texts sent, a sandbox's captured messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ipm_workflow.adapters.db.tables.columns import (
    big_id,
    big_ref,
    long_text,
    table_of,
    timestamp,
)


class ReminderRow(SQLModel, table=True):
    """One planned message, escalation or timeout of a case, and its delivery state."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint(
            "case_id",
            "rule_id",
            "anchor_at",
            "kind",
            "occurrence",
            "recipient",
            name="uq_reminder_occurrence",
        ),
    )

    id: int | None = big_id()
    case_id: int = big_ref("cases.id")
    rule_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    occurrence: int = 0
    recipient: str = Field(max_length=32)
    template: str | None = Field(default=None, max_length=100)
    trigger: str | None = Field(default=None, max_length=64)
    anchor_at: datetime = timestamp()
    due_at: datetime = timestamp()
    next_attempt_at: datetime = timestamp(index=True)
    status: str = Field(max_length=16, index=True)
    attempts: int = 0
    channel: str | None = Field(default=None, max_length=8)
    message_id: str | None = Field(default=None, max_length=200)
    # Whom the message reached, named (in-app included); see services/routing.py.
    addressee: str | None = Field(default=None, max_length=200)
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = timestamp(nullable=True)
    sent_at: datetime | None = timestamp(nullable=True)
    acknowledged_at: datetime | None = timestamp(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=64)
    outcome: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    # The case's current mission locale (0020_scale), for the agenda without the cases table;
    # written with the reminder, kept in step by the case repository when the case moves.
    mission_locale_id: str | None = Field(default=None, max_length=64)


_reminders = table_of(ReminderRow)
Index(  # 0020_scale: the agenda by mission locale
    "ix_reminders_ml_status_due",
    _reminders.c.mission_locale_id,
    _reminders.c.status,
    _reminders.c.due_at,
)


class ReminderAttemptRow(SQLModel, table=True):
    """One delivery attempt of a reminder, kept for the record."""

    __tablename__ = "reminder_attempts"

    id: int | None = big_id()
    reminder_id: int = big_ref("reminders.id")
    attempt: int
    at: datetime = timestamp()
    worker: str = Field(max_length=64)
    channel: str | None = Field(default=None, max_length=8)
    result: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=500)


class SandboxOutboxRow(SQLModel, table=True):
    """A message a training sandbox captured instead of sending."""

    __tablename__ = "sandbox_outbox"

    id: int | None = big_id()
    reminder_id: int | None = big_ref(nullable=True, index=False)
    case_id: int | None = big_ref(nullable=True)
    channel: str = Field(max_length=8)
    recipients: str = Field(max_length=1000)
    # Whom it was for, named: an in-app message has no address but always a recipient.
    addressee: str | None = Field(default=None, max_length=200)
    subject: str = Field(max_length=500)
    body: str = long_text(nullable=False)
    message_id: str = Field(max_length=200)
    at: datetime = timestamp(index=True)


class SentMessageRow(SQLModel, table=True):
    """The text of a message the worker delivered, as it went (the subject access export)."""

    __tablename__ = "sent_messages"

    id: int | None = big_id()
    reminder_id: int = big_ref()
    case_id: int = big_ref()
    recipient: str = Field(max_length=32)
    addressee: str | None = Field(default=None, max_length=200)
    channel: str = Field(max_length=8)
    recipients: str = Field(max_length=1000)
    subject: str = Field(max_length=500)
    body: str = long_text(nullable=False)
    language: str = Field(max_length=2)
    message_id: str = Field(max_length=200)
    at: datetime = timestamp()
