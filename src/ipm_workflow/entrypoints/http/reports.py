"""Issue 14 routes: reports as JSON, CSV or XLSX; targets per year and funder."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, Field

from ipm_workflow.bootstrap import csv_file, report_sheet, xlsx_file
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.reports import Counting, ReportFilters, ReportTable
from ipm_workflow.entrypoints.downloads import attachment
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.schemas import (
    CSV,
    XLSX,
    Body,
    served_formats,
)
from ipm_workflow.services.report_ports import Target

_FORMATS = ("json", "csv", "xlsx")


class ColumnOut(BaseModel):
    """A report's column: key, label (English and French) and the kind of its values."""

    key: str
    label: str
    label_fr: str | None
    kind: str


class TargetLineOut(BaseModel):
    """A target next to the actual figure."""

    indicator: str
    funder: str
    year: int
    target: int
    actual: int | None
    achieved: float | None


class ReportOut(BaseModel):
    """A report's table: rows as objects keyed by column (masked cells are null)."""

    name: str
    title: str
    counting: str
    masked: bool
    filters: dict[str, Any]
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    targets: list[TargetLineOut]
    # When the figures were computed ahead (the worker's snapshot, issue 16); null: just now.
    as_of: datetime | None = None
    # The report's rows in all; `truncated`: `rows` holds only the first ones (asked by `limit`).
    total_rows: int = 0
    truncated: bool = False

    @classmethod
    def of(cls, table: ReportTable) -> ReportOut:
        """Translate a report table."""
        filters = {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in vars(table.filters).items()
            if v not in (None, ())
        }
        return cls(
            name=table.name,
            title=table.title,
            counting=table.counting.value,
            masked=table.masked,
            filters=filters,
            columns=[ColumnOut(**vars(c)) for c in table.columns],
            rows=[
                {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
                for row in table.as_dicts()
            ],
            targets=[TargetLineOut(**vars(t), achieved=t.achieved) for t in table.targets],
            as_of=table.as_of,
            total_rows=table.row_count,
            truncated=table.truncated,
        )


class ReportInfoOut(BaseModel):
    """A report of the catalogue and its definition in words."""

    name: str
    title: str
    title_fr: str
    definition: str
    counting: str
    uses_period: bool
    lists_people: bool
    columns: list[ColumnOut]


class TargetIn(Body):
    """A target: so many (people or starts) for an indicator, a year and a funder."""

    year: int = Field(ge=2000, le=2100, examples=[2026])
    funder: str = Field(min_length=1, max_length=100, examples=["Région"])
    indicator: str = Field(examples=["departed"])
    value: int = Field(ge=0, examples=[500])


class TargetOut(BaseModel):
    """A target as set."""

    year: int
    funder: str
    indicator: str
    value: int
    set_by: str | None
    set_at: datetime | None


def _params(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    query = request.query_params
    return {key: query.getall(key) for key in query}


def _one(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[0] if values else None


def _choice(value: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput(
            f"invalid {field}", [{"field": field, "message": f"expected one of {allowed}"}]
        )
    return value


def _limit(value: str | None, fmt: str) -> int | None:
    """The `limit` parameter: a number of rows from 1, for a JSON answer only (a file holds
    every row)."""
    if value is None:
        return None
    if fmt != "json" or not value.isdigit() or int(value) < 1:
        message = "a number from 1, with format=json (files hold every row)"
        raise InvalidInput("invalid limit", [{"field": "limit", "message": message}])
    return int(value)


def report_file(table: ReportTable, fmt: str, language: str) -> Response[bytes]:
    """A report table as a CSV or XLSX download."""
    sheet = report_sheet(table, language)
    stamp = table.filters.start.isoformat() if table.filters.start else "all"
    if fmt == "csv":
        body, media, ext = csv_file(sheet), CSV, "csv"
    else:
        body, media, ext = xlsx_file(sheet), XLSX, "xlsx"
    return Response(body, media_type=media, headers=attachment(f"{table.name}-{stamp}.{ext}"))


class ReportController(Controller):
    """Reports for supervisors and funders, and the targets they are compared with."""

    path = "/api/v1/reports"
    tags = ["reports"]  # noqa: RUF012 - Litestar reads this class attribute as is

    @routes.get("/", "The reports and their definitions", Action.REPORTS_READ)
    def catalogue(self, call: CallDep) -> list[ReportInfoOut]:
        """Every report, what it counts in words, its columns."""
        return [
            from_attributes(
                ReportInfoOut,
                r,
                counting=r.counting.value,
                columns=[ColumnOut(**vars(c)) for c in r.columns],
            )
            for r in call.container.reports.catalogue(call.actor)
        ]

    @routes.get("/targets", "Targets per year and funder", Action.REPORTS_READ)
    def targets(
        self,
        call: CallDep,
        year: FromQuery[int | None] = None,
        funder: FromQuery[str | None] = None,
    ) -> list[TargetOut]:
        """The targets set (for a year, a funder)."""
        return [
            TargetOut(**vars(t)) for t in call.container.reports.targets(year, funder, call.actor)
        ]

    @routes.put(
        "/targets", "Set a target for a year, a funder and an indicator", Action.REPORTS_TARGETS
    )
    def set_target(self, call: CallDep, data: JSONBody[TargetIn]) -> TargetOut:
        """Supervisors set targets; reports show them against the actual figures."""
        target = Target(data.year, data.funder, data.indicator, data.value)
        return TargetOut(**vars(call.container.reports.set_target(target, call.actor)))

    @routes.get(
        "/{report:str}",
        "One report as JSON, CSV (name.csv) or XLSX (name.xlsx)",
        Action.REPORTS_READ,
        description="Filters: from, to (YYYY-MM-DD, both included), workflow, ml, attribution "
        "(referring|current), departement, qpv, rural, gender, age_band, education_level, "
        "fewer_opportunities, funder, grant_project; counting=people|starts; format=json|csv|xlsx; "
        "language=fr|en (file headings). Files are masked (counts under the threshold hidden) "
        "unless mask=false. Without filters, a dashboard's report answers from the worker's "
        "latest snapshot (as_of says when; IPM_DASHBOARD_REFRESH_MINUTES) unless fresh=true. "
        "Every row is returned (total_rows counts them) unless limit=N (JSON only): then the "
        "first N rows, truncated=true when there are more; a list of cases the snapshot keeps "
        "shortened answers from it only with a limit up to the rows a dashboard page shows, "
        "otherwise it is computed live.",
        operation_class=served_formats("application/json", CSV, XLSX),
    )
    def report(
        self, call: CallDep, request: Request[Any, Any, Any], report: FromPath[str]
    ) -> Response[Any]:
        """Run a report for the caller (advisors: their missions locales only)."""
        params, name = _params(request), report
        fmt = _choice(_one(params, "format"), _FORMATS, "format") or "json"
        for ext in ("csv", "xlsx"):
            if name.endswith(f".{ext}"):
                name, fmt = name[: -len(ext) - 1], ext
        counting = _choice(_one(params, "counting"), tuple(Counting), "counting")
        language = _choice(_one(params, "language"), ("fr", "en"), "language") or "fr"
        mask = _choice(_one(params, "mask"), ("true", "false"), "mask")
        masked_export = (fmt != "json") if mask is None else mask == "true"
        fresh = _choice(_one(params, "fresh"), ("true", "false"), "fresh") == "true"
        limit = _limit(_one(params, "limit"), fmt)
        table = call.container.reports.run(
            name,
            ReportFilters.parse(params),
            Counting(counting) if counting else None,
            actor=call.actor,
            masked_export=masked_export,
            precomputed=not fresh,
            first=limit,
        )
        if fmt == "json":
            return Response(ReportOut.of(table))
        return report_file(table, fmt, language)
