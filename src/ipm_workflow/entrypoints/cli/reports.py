"""Issue 14 commands: a report as JSON, CSV or XLSX; targets; reference populations."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ipm_workflow.entrypoints.cli.common import AsUser, acting, app, print_json, run_or_exit
from ipm_workflow.services.report_ports import Target

targets_app = typer.Typer(
    help="Targets per year and funder, shown against the reports' figures.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(targets_app, name="targets")

Many = Annotated[list[str] | None, typer.Option(help="Repeatable.")]


@app.command("reports")
def reports(
    name: Annotated[str, typer.Argument(help="The report (`list`: the catalogue).")],
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (included).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json, csv or xlsx.")] = "json",
    out: Annotated[Path | None, typer.Option(help="Write to this file (else stdout).")] = None,
    counting: Annotated[str | None, typer.Option(help="people or starts.")] = None,
    workflow: Many = None,
    ml: Many = None,
    attribution: Annotated[str | None, typer.Option(help="referring or current.")] = None,
    departement: Many = None,
    qpv: Annotated[str | None, typer.Option(help="yes, no or unknown.")] = None,
    rural: Annotated[str | None, typer.Option(help="yes, no or unknown.")] = None,
    gender: Many = None,
    age_band: Many = None,
    education_level: Many = None,
    fewer_opportunities: Annotated[
        bool | None, typer.Option("--fewer-opportunities/--no-fewer-opportunities")
    ] = None,
    funder: Annotated[str | None, typer.Option(help="Targets of this funder.")] = None,
    grant_project: Annotated[
        str | None, typer.Option("--grant-project", "--grant", help="A grant project's code.")
    ] = None,
    language: Annotated[str, typer.Option(help="Headings of files: fr or en.")] = "fr",
    mask: Annotated[
        bool | None, typer.Option("--mask/--no-mask", help="Default: masked for csv/xlsx.")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Compute a report (supervisors, admins; advisors: their missions locales)."""
    from rich.progress import Progress  # noqa: PLC0415 - fast start

    from ipm_workflow.bootstrap import csv_file, report_sheet, xlsx_file  # noqa: PLC0415
    from ipm_workflow.domain.reports import Counting, ReportFilters  # noqa: PLC0415
    from ipm_workflow.entrypoints.cli.problems import BadValue  # noqa: PLC0415

    if name == "beneficiary-module":  # the Erasmus+ file (cli/funder_files.py)
        from ipm_workflow.entrypoints.cli.funder_files import run_beneficiary_module  # noqa: PLC0415

        run_beneficiary_module(grant_project, out, as_user)
        return
    container, actor = acting(as_user)
    if name == "list":
        for r in run_or_exit(lambda: container.reports.catalogue(actor)):
            typer.echo(f"{r.name:<20} {r.title}")
        return
    if fmt not in ("json", "csv", "xlsx"):
        raise BadValue("--format: expected json, csv or xlsx")
    if counting not in (None, *Counting):
        raise BadValue("--counting: expected people or starts")
    params: dict[str, Any] = {
        "from": start, "to": end, "workflow": workflow, "ml": ml, "attribution": attribution,
        "departement": departement, "qpv": qpv, "rural": rural, "gender": gender,
        "age_band": age_band, "education_level": education_level, "funder": funder,
        "grant_project": grant_project,
        "fewer_opportunities": {None: None, True: "true", False: "false"}[fewer_opportunities],
    }  # fmt: skip
    filters = run_or_exit(lambda: ReportFilters.parse({k: v for k, v in params.items() if v}))
    masked = (fmt != "json") if mask is None else mask
    with Progress(transient=True, console=_stderr()) as bar:
        task = bar.add_task(f"report {name}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        table = run_or_exit(
            lambda: container.reports.run(
                name,
                filters,
                Counting(counting) if counting else None,
                actor=actor,
                masked_export=masked,
                progress=advance,
            )
        )
    if fmt == "json":
        payload = {
            "name": table.name,
            "counting": table.counting.value,
            "masked": table.masked,
            "rows": table.as_dicts(),
            "total_rows": table.row_count,  # computed live: every row, as the API's answer
            "targets": [vars(t) | {"achieved": t.achieved} for t in table.targets],
        }
        text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        return
    sheet = report_sheet(table, language)
    body = csv_file(sheet) if fmt == "csv" else xlsx_file(sheet)
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        out.write_bytes(body)
        typer.echo(f"{len(table.rows)} rows written to {out}", err=True)


def _stderr() -> Any:
    from rich.console import Console  # noqa: PLC0415 - fast start

    return Console(stderr=True)


@targets_app.command("set")
def targets_set(
    year: Annotated[int, typer.Option()],
    funder: Annotated[str, typer.Option()],
    indicator: Annotated[str, typer.Option(help="referred, assessed, departed, returned, …")],
    value: Annotated[int, typer.Option()],
    as_user: AsUser = None,
) -> None:
    """Set a target for a year, a funder and an indicator (supervisors)."""
    container, actor = acting(as_user)
    done = run_or_exit(
        lambda: container.reports.set_target(Target(year, funder, indicator, value), actor)
    )
    typer.echo(f"target {done.indicator} {done.year} {done.funder}: {done.value}")


@targets_app.command("list")
def targets_list(
    year: Annotated[int | None, typer.Option()] = None,
    funder: Annotated[str | None, typer.Option()] = None,
    as_user: AsUser = None,
) -> None:
    """The targets set (for a year, a funder), as JSON."""
    container, actor = acting(as_user)
    print_json(run_or_exit(lambda: container.reports.targets(year, funder, actor)))
