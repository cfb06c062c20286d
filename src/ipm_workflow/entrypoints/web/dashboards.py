"""Supervision dashboards (issue 14): one page per dashboard with its filter form, inline SVG
charts and the same figures as tables, CSV/XLSX downloads; targets entered by supervisors next
to the actual figures (`funder_pages.py`, with the reference populations and the Beneficiary
Module file).

Every figure comes from the reports service (`container.reports`, the same as the API's and the
CLI's); the access policy narrows an advisor to their missions locales there. A dashboard opened
without filters answers from the worker's latest snapshot (issue 16) and says when it was
computed; `?fresh=1` (the "Compute now" button) and any filter compute live. A page shows a
table's first rows (`ReportService.page_rows`, `PAGE_ROWS`) and how many there are in all; its
CSV/XLSX downloads hold every row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from babel.numbers import format_decimal, format_percent
from litestar import Request, Response
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from ipm_workflow.bootstrap import (
    Container,
    csv_file,
    report_sheet,
    xlsx_file,
)
from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.indicators import REPORTS
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.profile import EducationLevel, Gender
from ipm_workflow.domain.reports import AgeBand, Counting, ReportFilters, ReportTable
from ipm_workflow.entrypoints.downloads import attachment
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.http.schemas import CSV, XLSX
from ipm_workflow.entrypoints.web.charts import MAX_BARS, Bar, bar_chart
from ipm_workflow.entrypoints.web.rendering import language, page, when
from ipm_workflow.entrypoints.web.routes import page_get


@dataclass(frozen=True)
class Dashboard:
    """A dashboard: its path, its title (an English message id) and its reports, each charted
    by one of its columns."""

    slug: str
    title: str
    charts: tuple[tuple[str, str], ...]  # (report name, column charted)


DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("funnel", "Funnel", (("funnel", "cases"),)),
    Dashboard(
        "first-contact",
        "First contact within 48 hours",
        (("first_contact", "within_48h_share"), ("first_contact_late", "days")),
    ),
    Dashboard(
        "time-to-departure", "Referral to departure", (("time_to_departure", "median_days"),)
    ),
    Dashboard("dropout", "Drop-out", (("dropout", "cases"),)),
    Dashboard("early-returns", "Early returns", (("early_returns", "cases"),)),
    Dashboard("outcomes", "Outcomes at 6 months", (("outcomes_6m", "positive_exit_share"),)),
    Dashboard("caseload", "Caseload", (("caseload", "open_cases"),)),
    Dashboard("overdue", "Overdue", (("overdue_cases", "cases"), ("overdue_documents", "cases"))),
    Dashboard("territory", "Territory equity", (("territory_equity", "per_1000"),)),
)
BY_SLUG = {d.slug: d for d in DASHBOARDS}
FORMATS = {"csv": CSV, "xlsx": XLSX}
FILTER_KEYS = (
    "from", "to", "workflow", "ml", "attribution", "departement", "qpv", "rural", "gender",
    "age_band", "education_level", "counting",
)  # fmt: skip


def query_of(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    """The filter form's fields as given (repeated fields kept), empty ones left out."""
    return {
        k: [v for v in request.query_params.getall(k, []) if v]
        for k in FILTER_KEYS
        if any(request.query_params.getall(k, []))
    }


def counting_of(given: Mapping[str, list[str]]) -> Counting | None:
    """The counting rule asked for (None: the report's own)."""
    raw = (given.get("counting") or [""])[0]
    try:
        return Counting(raw) if raw else None
    except ValueError:
        raise invalid_field("invalid counting rule", "counting", "people or starts") from None


def cell(value: Any, kind: str, lang: str, timezone: str) -> str:
    """A table's cell in the page's language ("—": masked, or nothing to divide)."""
    if value is None:
        return "—"
    if kind == "share":
        return format_percent(value, "#,##0.0 %", locale=lang)
    if kind in ("days", "rate"):
        return format_decimal(value, "#,##0.0" if kind == "days" else "#,##0.00", locale=lang)
    if kind == "date":
        return when(value, lang, timezone)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, locale=lang)
    return str(value)


@dataclass(frozen=True)
class Shown:
    """A report as a dashboard shows it: headings, formatted rows, its chart, its downloads."""

    name: str
    title: str
    definition: str
    headings: list[str]
    numeric: list[bool]
    rows: list[list[str]]
    chart: Any
    targets: list[dict[str, Any]]
    total: int  # the table's rows in all: `rows` may be only the first ones
    # (rows shown, rows in all) in the page's language when only the first ones are shown.
    cut: tuple[str, str] | None = None


def shown(table: ReportTable, charted: str, lang: str, timezone: str) -> Shown:
    """Format a report's table and draw its chart (one bar per row, labelled by its text
    columns)."""
    definition = REPORTS[table.name]
    kinds = [c.kind for c in table.columns]
    keys = [c.key for c in table.columns]
    at = keys.index(charted)
    labels = [i for i, k in enumerate(kinds) if k in ("text", "date")]
    bars = []
    for row in table.rows[:MAX_BARS]:
        label = " · ".join(str(row[i]) for i in labels if row[i] is not None) or "—"
        value = row[at]
        number = float(value) if isinstance(value, int | float) else None
        bars.append(Bar(label, number, cell(value, kinds[at], lang, timezone)))
    title = definition.title_fr if lang == "fr" else definition.title
    heading = table.columns[at].heading(lang)

    def count(n: int) -> str:
        return cell(n, "int", lang, timezone)

    targets = [
        {
            "indicator": t.indicator,
            "funder": t.funder,
            "year": t.year,
            "target": cell(t.target, "int", lang, timezone),
            "actual": cell(t.actual, "int", lang, timezone),
            "target_value": t.target,
            "actual_value": t.actual,
            "achieved": cell(t.achieved, "share", lang, timezone),
        }
        for t in table.targets
    ]
    return Shown(
        table.name,
        title,
        definition.definition,
        [c.heading(lang) for c in table.columns],
        [k != "text" for k in kinds],
        [
            [cell(v, k, lang, timezone) for v, k in zip(row, kinds, strict=True)]
            for row in table.rows
        ],
        bar_chart(f"{title}: {heading}", bars, share=kinds[at] == "share"),
        targets,
        table.row_count,
        (count(len(table.rows)), count(table.row_count)) if table.truncated else None,
    )


def _choices(container: Container) -> dict[str, Any]:
    return {
        "workflows": sorted({c.definition.name for c in container.registry.latest()}),
        "mission_locales": container.people.mission_locales(),
        "genders": [g.value for g in Gender],
        "age_bands": [a.value for a in AgeBand],
        "education_levels": [e.value for e in EducationLevel],
        "countings": [c.value for c in Counting],
    }


@page_get("/app/dashboards", Action.REPORTS_READ)
async def dashboards(request: Request[Any, Any, Any], actor: ActorDep) -> Template:
    """The dashboards, and the targets and populations forms for those allowed."""
    return page(
        request,
        "dashboards.html",
        "Dashboards",
        dashboards=DASHBOARDS,
        may_set_targets=policy.may(actor, Action.REPORTS_TARGETS),
        may_load_populations=policy.may(actor, Action.DIRECTORY),
        may_read_sensitive=policy.may(actor, Action.READ_SENSITIVE),
        loaded=request.query_params.get("loaded"),
        error=None,
    )


@page_get("/app/dashboards/{slug:str}", Action.REPORTS_READ)
def dashboard(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep, slug: FromPath[str]
) -> Template:
    """One dashboard: its filter form, its charts and tables, its downloads."""
    board = BY_SLUG.get(slug)
    if board is None:
        raise NotFoundException(f"dashboard '{slug}' not found")
    given = query_of(request)
    lang = language(request)
    timezone = container.settings.timezone
    error, reports, computed = None, [], list[datetime]()
    precomputed = request.query_params.get("fresh") != "1"
    try:
        filters = ReportFilters.parse(given)
        counting = counting_of(given)
        for name, charted in board.charts:
            table = container.reports.run(
                name,
                filters,
                counting,
                actor=actor,
                precomputed=precomputed,
                first=container.reports.page_rows,
            )
            reports.append(shown(table, charted, lang, timezone))
            computed.extend([table.as_of] if table.as_of else [])
    except InvalidInput as exc:
        error = exc.message + ": " + ", ".join(str(e.get("field")) for e in exc.errors or [])
    query = request.url.query or ""
    return page(
        request,
        "dashboard.html",
        board.title,
        status_code=422 if error else 200,
        board=board,
        given=given,
        reports=reports,
        error=error,
        query=query,
        # The oldest snapshot shown, as HH:MM at Ipm (None: every figure computed just now).
        as_of=format_time(min(computed), "HH:mm", tzinfo=ZoneInfo(timezone), locale=lang)
        if computed
        else None,
        refresh_minutes=container.reports.refresh_minutes,
        **_choices(container),
    )


@page_get("/app/dashboards/{slug:str}/{name:str}/{fmt:str}", Action.REPORTS_READ)
def download(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    slug: FromPath[str],
    name: FromPath[str],
    fmt: FromPath[str],
) -> Response[bytes]:
    """A dashboard's table as CSV (UTF-8 with BOM, `;`) or XLSX, every row (a snapshot that
    keeps only a list's first rows is not used: computed live); small counts masked, as in
    every file that may leave Ipm."""
    board = BY_SLUG.get(slug)
    if board is None or name not in dict(board.charts) or fmt not in FORMATS:
        raise NotFoundException("no such file")
    given = query_of(request)
    table = container.reports.run(
        name,
        ReportFilters.parse(given),
        counting_of(given),
        actor=actor,
        masked_export=True,
        precomputed=request.query_params.get("fresh") != "1",
    )
    sheet = report_sheet(table, language(request))
    body = csv_file(sheet) if fmt == "csv" else xlsx_file(sheet)
    stamp = container.reports.today().isoformat()
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers=attachment(f"{name}-{stamp}.{fmt}"),
    )


DASHBOARD_PAGES = [dashboards, dashboard, download]
