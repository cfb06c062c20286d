"""Reports: the filters, the two counting rules, the table a report returns, and masking.

A report is a table of figures computed in the database; each figure is defined once in
domain/indicators.py (what is counted, over what, the date that places a case in a period).
Sensitive data reaches a report only as counts; small counts are masked in files that leave Ipm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from ipm_workflow.domain.errors import InvalidInput

ColumnKind = Literal["text", "int", "share", "date", "days", "rate"]
Attribution = Literal["referring", "current"]
ATTRIBUTIONS: tuple[str, ...] = ("referring", "current")
TERRITORY_VALUES: tuple[str, ...] = ("yes", "no", "unknown")
# A dashboard page shows a report's first PAGE_ROWS rows and says how many there are in all (a
# list of cases may hold hundreds of thousands); a snapshot keeps that many rows of such a list
# with their count (issue 16). Files, the API (unless it asks for `limit`) and the CLI have
# every row.
PAGE_ROWS = 200


class Counting(StrEnum):
    """The two counting rules: each young person once per period (or operation), or every start."""

    PEOPLE = "people"
    STARTS = "starts"


class AgeBand(StrEnum):
    """Age at referral (the case's opening), as the State, the Région and the ESF break it down."""

    UNDER_18 = "under_18"
    FROM_18_TO_25 = "18_25"
    FROM_26_TO_29 = "26_29"
    FROM_30 = "30_plus"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ReportFilters:
    """Which cases a report looks at. Period bounds are calendar days at Ipm, both included.

    `attribution` says which mission locale `mission_locales` (and the mission-locale rows of a
    report) mean: the referring one, or the current one (the one that follows the case now).
    `fewer_opportunities` narrows to young people with (or without) the Erasmus+ flag; reports
    that list people refuse it (the flag never shows next to a person).
    """

    start: date | None = None
    end: date | None = None
    workflows: tuple[str, ...] = ()
    mission_locales: tuple[str, ...] = ()
    attribution: Attribution = "current"
    departements: tuple[str, ...] = ()
    qpv: str | None = None
    rural: str | None = None
    genders: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    education_levels: tuple[str, ...] = ()
    fewer_opportunities: bool | None = None
    funder: str | None = None
    grant_project: str | None = None
    # Set by the service from the access policy: the missions locales the reader may count
    # (None: all; empty: none). Callers leave it alone.
    scope: tuple[str, ...] | None = None

    @property
    def year(self) -> int | None:
        """The year targets are looked up for: the period's first day's (else its last's)."""
        day = self.start or self.end
        return day.year if day else None

    def narrowed(self, mission_locales: Sequence[str] | None) -> ReportFilters:
        """Return these filters within some missions locales (None: unchanged; empty: none)."""
        if mission_locales is None:
            return self
        return replace(self, scope=tuple(mission_locales))

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> ReportFilters:
        """Read filters from query parameters (lists repeated or comma-separated); InvalidInput
        names every bad one. Keys: from, to, workflow, ml, attribution, departement, qpv, rural,
        gender, age_band, education_level, fewer_opportunities, funder, grant_project."""
        errors: list[dict[str, Any]] = []

        def many(key: str) -> tuple[str, ...]:
            raw = params.get(key)
            items = raw if isinstance(raw, list | tuple) else [raw] if raw else []
            return tuple(p.strip() for i in items for p in str(i).split(",") if p.strip())

        def one(key: str, allowed: Sequence[str] | None = None) -> str | None:
            found = many(key)
            if not found:
                return None
            if allowed is not None and found[0] not in allowed:
                errors.append({"field": key, "message": f"expected one of {', '.join(allowed)}"})
                return None
            return found[0]

        def day(key: str) -> date | None:
            raw = one(key)
            try:
                return date.fromisoformat(raw) if raw else None
            except ValueError:
                errors.append({"field": key, "message": "expected a date YYYY-MM-DD"})
                return None

        flag = one("fewer_opportunities", ("true", "false", "yes", "no"))
        bands = many("age_band")
        for band in bands:
            if band not in set(AgeBand):
                errors.append({"field": "age_band", "message": f"unknown age band '{band}'"})
        filters = cls(
            start=day("from"),
            end=day("to"),
            workflows=many("workflow"),
            mission_locales=many("ml"),
            attribution=one("attribution", ATTRIBUTIONS) or "current",  # type: ignore[arg-type]
            departements=many("departement"),
            qpv=one("qpv", TERRITORY_VALUES),
            rural=one("rural", TERRITORY_VALUES),
            genders=many("gender"),
            age_bands=bands,
            education_levels=many("education_level"),
            fewer_opportunities=None if flag is None else flag in ("true", "yes"),
            funder=one("funder"),
            grant_project=one("grant_project"),
        )
        if filters.start and filters.end and filters.end < filters.start:
            errors.append({"field": "to", "message": "the period ends before it starts"})
        if errors:
            raise InvalidInput("invalid report filters", errors)
        return filters


@dataclass(frozen=True)
class Column:
    """One column of a report: its key, its labels and the kind of its values.

    Kinds: text; int (a count); share (a fraction 0..1, None when nothing to divide);
    date (a `date`); days (a number of days, float); rate (a float, e.g. per 1,000).
    """

    key: str
    label: str
    kind: ColumnKind = "int"
    label_fr: str | None = None

    def heading(self, language: str = "fr") -> str:
        """The column's heading in a language (French when known, else English)."""
        return self.label_fr if language == "fr" and self.label_fr else self.label


@dataclass(frozen=True)
class TargetLine:
    """A target set for a year and a funder, next to the actual figure."""

    indicator: str
    funder: str
    year: int
    target: int
    actual: int | None

    @property
    def achieved(self) -> float | None:
        """Actual over target (None when the target is zero or the actual unknown)."""
        if self.actual is None or not self.target:
            return None
        return self.actual / self.target


@dataclass(frozen=True)
class ReportTable:
    """What a report returns: its columns, its rows (values in column order), targets, notes."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    filters: ReportFilters = field(default_factory=ReportFilters)
    counting: Counting = Counting.STARTS
    targets: tuple[TargetLine, ...] = ()
    masked: bool = False
    notes: tuple[str, ...] = ()
    # When the figures were computed, if ahead (a snapshot); None: computed for this request.
    as_of: datetime | None = None
    # How many rows the report has in all when `rows` holds only its first ones (a page, a
    # snapshot of a list of cases, `first_rows`); None: `rows` are all of them.
    total_rows: int | None = None

    @property
    def row_count(self) -> int:
        """How many rows the report has in all (`rows` may hold only the first ones)."""
        return len(self.rows) if self.total_rows is None else self.total_rows

    @property
    def truncated(self) -> bool:
        """Whether `rows` holds only the report's first rows (`row_count` says how many)."""
        return self.row_count > len(self.rows)

    def as_dicts(self) -> list[dict[str, Any]]:
        """The rows as dictionaries keyed by column key."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def column(self, key: str) -> list[Any]:
        """Every value of one column, in row order."""
        at = [c.key for c in self.columns].index(key)
        return [row[at] for row in self.rows]


def first_rows(table: ReportTable, limit: int) -> ReportTable:
    """The table's first `limit` rows (at least 0), with the count of all its rows."""
    return replace(table, rows=table.rows[: max(limit, 0)], total_rows=table.row_count)


MASK = None  # a masked cell: empty in files, "masked" in JSON


def masked(table: ReportTable, threshold: int) -> ReportTable:
    """Hide counts from 1 to threshold-1 in a table, and the shares, rates and days of any row
    holding such a count: a share of a small group tells as much as the count itself."""
    if threshold <= 1:
        return replace(table, masked=True)
    kinds = [c.kind for c in table.columns]

    def small(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold

    rows = []
    for row in table.rows:
        hide_shares = any(small(v) for v, k in zip(row, kinds, strict=True) if k == "int")
        rows.append(
            tuple(
                MASK
                if (k == "int" and small(v)) or (k in ("share", "days", "rate") and hide_shares)
                else v
                for v, k in zip(row, kinds, strict=True)
            )
        )
    return replace(table, rows=rows, masked=True)
