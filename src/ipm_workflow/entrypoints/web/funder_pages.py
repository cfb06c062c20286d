"""The funders' side of the dashboards (issue 14): targets per year and funder against the
actual figures (entered by supervisors), reference populations loaded by an admin from a CSV
file, and the Erasmus+ Beneficiary Module's import file of a grant agreement.

Every figure comes from the reports service (`container.reports`), as on the dashboards.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import anyio
from litestar import Request, Response
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.response import Template

from ipm_workflow.bootstrap import Container, beneficiary_module_file, read_populations
from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.domain.reports import ReportFilters
from ipm_workflow.entrypoints.downloads import attachment
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web.charts import Bar, bar_chart
from ipm_workflow.entrypoints.web.dashboards import DASHBOARDS, FORMATS, shown
from ipm_workflow.entrypoints.web.rendering import gettext, language, page
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.entrypoints.web.session import redirect


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


@page_get("/app/targets", Action.REPORTS_READ)
def targets(request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep) -> Template:
    """Targets per year and funder against the actual figures; the entry form for supervisors."""
    raw_year = request.query_params.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() else container.reports.today().year
    funder = (request.query_params.get("funder") or "").strip()
    return _targets_page(request, container, actor, year=year, funder=funder)


@page_post("/app/targets", Action.REPORTS_TARGETS)
async def set_target(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep
) -> Template:
    """Set a target (supervisors); the page again, with the figures."""
    form = await request.form()
    _ = gettext(request)

    def work() -> Template:
        from ipm_workflow.services.report_ports import Target  # noqa: PLC0415

        raw_year, raw_value = str(form.get("year", "")), str(form.get("value", ""))
        funder = str(form.get("funder", "")).strip()
        year = int(raw_year) if raw_year.isdigit() else container.reports.today().year
        try:
            if not raw_value.isdigit():
                raise invalid_field("invalid target", "value", "a whole number")
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


@page_post("/app/populations", Action.DIRECTORY)
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


@page_get("/app/beneficiary-module", Action.READ_SENSITIVE)
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


FUNDER_PAGES = [targets, set_target, load_populations, beneficiary_module]
