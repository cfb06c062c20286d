"""What the reports (issue 14, 0014_reports) read besides the cases: targets, populations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from ipm_workflow.adapters.db.tables.columns import json_object, timestamp


class ReportTargetRow(SQLModel, table=True):
    """A target a supervisor sets: so many for an indicator, a year and a funder."""

    __tablename__ = "report_targets"

    year: int = Field(primary_key=True)
    funder: str = Field(primary_key=True, max_length=100)
    indicator: str = Field(primary_key=True, max_length=32)
    value: int
    set_by: str = Field(max_length=64)
    set_at: datetime = timestamp()


class ReferencePopulationRow(SQLModel, table=True):
    """Young people living in a mission locale's area in a year (loaded by an admin)."""

    __tablename__ = "reference_populations"

    mission_locale_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    population: int


class ReportSnapshotRow(SQLModel, table=True):
    """A report's rows computed ahead by the worker (0022_report_snapshots): one per report,
    period ("all": no period filter) and scope ("*": every mission locale, else the sorted ids
    joined by commas); the dashboards answer from it when the request matches."""

    __tablename__ = "report_snapshots"

    report: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=32)
    scope: str = Field(primary_key=True, max_length=1000)
    computed_at: datetime = timestamp()
    rows: dict[str, Any] = json_object()  # {"rows": [[value, ...], ...]}, dates as ISO text
