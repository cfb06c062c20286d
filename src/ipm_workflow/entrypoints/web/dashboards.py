"""Supervision dashboards (issue 14): one page per dashboard with its filter form, inline SVG
charts and the same figures as tables, CSV/XLSX downloads; targets entered by supervisors next
to the actual figures; reference populations loaded by an admin from a CSV file.

Every figure comes from the reports service (`container.reports`, the same as the API's and the
CLI's); the access policy narrows an advisor to their missions locales there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import anyio
from babel.numbers import format_decimal, format_percent
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from ipm_workflow.bootstrap import (
    Container,
    beneficiary_module_file,
    csv_file,
    read_populations,
    report_sheet,
    xlsx_file,
)
from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import DomainError, InvalidInput
from ipm_workflow.domain.indicators import REPORTS
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.domain.profile import EducationLevel, Gender
from ipm_workflow.domain.reports import AgeBand, Counting, ReportFilters, ReportTable
from ipm_workflow.entrypoints.downloads import attachment
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web.charts import MAX_BARS, Bar, bar_chart
from ipm_workflow.entrypoints.web.rendering import gettext, language, page, when
from ipm_workflow.entrypoints.web.session import redirect


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
# A page shows the first rows of a long table (a list of cases); the files have them all.
PAGE_ROWS = 200
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
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
        raise InvalidInput(
            "invalid counting rule", [{"field": "counting", "message": "people or starts"}]
        ) from None


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
    total: int


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
        len(table.rows),
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


@get("/app/dashboards", include_in_schema=False, guards=[requires(Action.REPORTS_READ)])
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


@get(
    "/app/dashboards/{slug:str}",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.REPORTS_READ)],
)
def dashboard(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep, slug: FromPath[str]
) -> Template:
    """One dashboard: its filter form, its charts and tables, its downloads."""
    board = BY_SLUG.get(slug)
    if board is None:
        raise NotFoundException(f"dashboard '{slug}' not found")
    given = query_of(request)
    lang = language(request)
    error, reports = None, []
    try:
        filters = ReportFilters.parse(given)
        counting = counting_of(given)
        for name, charted in board.charts:
            table = container.reports.run(name, filters, counting, actor=actor)
            reports.append(shown(table, charted, lang, container.settings.timezone))
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
        **_choices(container),
    )


@get(
    "/app/dashboards/{slug:str}/{name:str}/{fmt:str}",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.REPORTS_READ)],
)
def download(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    slug: FromPath[str],
    name: FromPath[str],
    fmt: FromPath[str],
) -> Response[bytes]:
    """A dashboard's table as CSV (UTF-8 with BOM, `;`) or XLSX; small counts masked, as in
    every file that may leave Ipm."""
    board = BY_SLUG.get(slug)
    if board is None or name not in dict(board.charts) or fmt not in FORMATS:
        raise NotFoundException("no such file")
    given = query_of(request)
    table = container.reports.run(
        name, ReportFilters.parse(given), counting_of(given), actor=actor, masked_export=True
    )
    sheet = report_sheet(table, language(request))
    body = csv_file(sheet) if fmt == "csv" else xlsx_file(sheet)
    stamp = container.reports.today().isoformat()
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers=attachment(f"{name}-{stamp}.{fmt}"),
    )


def _targets_page(
    request: Request[Any, Any, Any],
    container: Container,
    actor: Actor,
    *,
    year: int,
    funder: str,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> Template:
    lang = language(request)
    filters = ReportFilters(start=date(year, 1, 1), end=date(year, 12, 31), funder=funder or None)
    reports = []
    for name, charted in (("activity", "referred"), ("esf", "participants")):
        table = container.reports.run(name, filters, actor=actor)
        reports.append(shown(table, charted, lang, container.settings.timezone))
    lines = [t for r in reports for t in r.targets]
    bars = [
        Bar(f"{t['indicator']} · {t['funder']}", t["actual_value"], t["actual"], t["target_value"])
        for t in lines
    ]
    _ = gettext(request)
    return page(
        request,
        "targets.html",
        "Targets",
        status_code=status_code,
        year=year,
        funder=funder,
        lines=lines,
        chart=bar_chart(_("Actual figures against targets"), bars),
        indicators=_target_indicators(),
        may_set_targets=policy.may(actor, Action.REPORTS_TARGETS),
        error=error,
        notice=notice,
    )


def _target_indicators() -> tuple[str, ...]:
    from ipm_workflow.services.reports import TARGET_INDICATORS  # noqa: PLC0415

    return TARGET_INDICATORS


@get(
    "/app/targets",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.REPORTS_READ)],
)
def targets(request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep) -> Template:
    """Targets per year and funder against the actual figures; the entry form for supervisors."""
    raw_year = request.query_params.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() else container.reports.today().year
    funder = (request.query_params.get("funder") or "").strip()
    return _targets_page(request, container, actor, year=year, funder=funder)


@post(
    "/app/targets",
    include_in_schema=False,
    guards=[requires(Action.REPORTS_TARGETS)],
)
async def set_target(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep
) -> Template:
    """Set a target (supervisors); the page again, with the figures."""
    form = await request.form()
    _ = gettext(request)

    def work() -> Template:
        from ipm_workflow.services.reports import Target  # noqa: PLC0415

        raw_year, raw_value = str(form.get("year", "")), str(form.get("value", ""))
        funder = str(form.get("funder", "")).strip()
        year = int(raw_year) if raw_year.isdigit() else container.reports.today().year
        try:
            if not raw_value.isdigit():
                raise InvalidInput(
                    "invalid target", [{"field": "value", "message": "a whole number"}]
                )
            target = Target(year, funder, str(form.get("indicator", "")), int(raw_value))
            container.reports.set_target(target, actor)
        except DomainError as exc:
            return _targets_page(
                request, container, actor, year=year, funder=funder, status_code=422,
                error=exc.message,
            )  # fmt: skip
        return _targets_page(
            request, container, actor, year=year, funder=funder, notice=_("Target saved.")
        )

    return await anyio.to_thread.run_sync(work)


@post(
    "/app/populations",
    include_in_schema=False,
    guards=[requires(Action.DIRECTORY)],
)
async def load_populations(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep
) -> Response[Any]:
    """Load reference populations from a CSV file (admins): mission_locale_id;year;population."""
    form = await request.form()
    upload = form.get("file")
    raw = await upload.read() if isinstance(upload, UploadFile) else b""

    def work() -> int:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "populations.csv"
            path.write_bytes(raw)
            return container.reports.load_populations(read_populations(path), actor)

    try:
        loaded = await anyio.to_thread.run_sync(work)
    except DomainError as exc:
        return page(
            request, "dashboards.html", "Dashboards", status_code=422, dashboards=DASHBOARDS,
            may_set_targets=policy.may(actor, Action.REPORTS_TARGETS),
            may_load_populations=True, may_read_sensitive=policy.may(actor, Action.READ_SENSITIVE),
            error=exc.message,
        )  # fmt: skip
    return redirect(f"/app/dashboards?loaded={loaded}", request)


@get(
    "/app/beneficiary-module",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.READ_SENSITIVE)],
)
def beneficiary_module(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep
) -> Response[bytes]:
    """The Erasmus+ Beneficiary Module's import file of a grant agreement (the API's service)."""
    grant = (request.query_params.get("grant") or "").strip()
    fmt = request.query_params.get("format") or "xlsx"
    if fmt not in FORMATS:
        raise NotFoundException("no such file")
    rows = container.beneficiary_module.rows(grant, actor)
    return Response(
        beneficiary_module_file(rows, fmt),
        media_type=FORMATS[fmt],
        headers=attachment(f"beneficiary-module.{fmt}"),
    )


DASHBOARD_PAGES = [
    dashboards,
    dashboard,
    download,
    targets,
    set_target,
    load_populations,
    beneficiary_module,
]
