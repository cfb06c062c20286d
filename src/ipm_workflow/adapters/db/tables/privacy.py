"""Data protection (0016_privacy): consents, erasure requests and subject access exports."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ipm_workflow.adapters.db.tables.columns import big_id, big_ref, long_text, timestamp


class ConsentRow(SQLModel, table=True):
    """One consent given or withdrawn: for what, when, how, by whom."""

    __tablename__ = "consents"

    id: int | None = big_id()
    person_id: int = big_ref("people.id")
    purpose: str = Field(max_length=32)
    granted: bool
    at: datetime = timestamp()
    method: str = Field(max_length=100)
    given_by: str = Field(max_length=16)
    guardian_id: int | None = big_ref(nullable=True, index=False)
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = timestamp()


class ErasureRequestRow(SQLModel, table=True):
    """A request to erase a person's data and its decision (kept after the person is gone)."""

    __tablename__ = "erasure_requests"

    id: int | None = big_id()
    person_id: int = big_ref()
    received_on: date
    requester: str = Field(max_length=16)
    decision: str | None = Field(default=None, max_length=16)
    reason: str | None = long_text()
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = timestamp(nullable=True)
    carried_out_at: datetime | None = timestamp(nullable=True)
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = timestamp()


class DataExportRow(SQLModel, table=True):
    """One subject access export: whose data, by whom, when, in which format."""

    __tablename__ = "data_exports"

    id: int | None = big_id()
    person_id: int = big_ref()
    actor: str = Field(max_length=64)
    role: str = Field(max_length=20)
    at: datetime = timestamp()
    format: str = Field(max_length=8)
    entry_point: str | None = Field(default=None, max_length=64)
