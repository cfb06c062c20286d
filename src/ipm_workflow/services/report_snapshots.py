"""Reports computed ahead (issue 16): a snapshot's period and scope keys, and its rows as JSON
values and back (the columns' kinds of the report's definition say which text is a date).
What a snapshot keeps of a list of cases (its first rows and its count) is `ReportService.refresh`'s
rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ipm_workflow.domain.indicators import ReportDefinition

# The period a snapshot covers: the dashboards open without one (every case so far).
ALL_PERIODS = "all"
EVERY_SCOPE = "*"


def scope_key(scope: Sequence[str] | None) -> str:
    """A snapshot's scope: "*" for every mission locale, else the sorted ids joined by commas."""
    return EVERY_SCOPE if scope is None else ",".join(sorted(scope))


def encoded(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as JSON values: dates in ISO text, decimals as floats."""

    def value(v: Any) -> Any:
        if isinstance(v, date):
            return v.isoformat()
        return float(v) if isinstance(v, Decimal) else v

    return [[value(v) for v in row] for row in rows]


def decoded(rows: list[list[Any]], report: ReportDefinition) -> list[tuple[Any, ...]]:
    """Rows back from JSON: ISO text in a date column becomes a date (or a moment)."""
    kinds = [c.kind for c in report.columns]

    def value(v: Any, kind: str) -> Any:
        if kind != "date" or not isinstance(v, str):
            return v
        return date.fromisoformat(v) if len(v) == 10 else datetime.fromisoformat(v)

    return [tuple(value(v, k) for v, k in zip(row, kinds, strict=True)) for row in rows]
