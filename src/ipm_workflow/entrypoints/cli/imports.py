"""`import referrals`: load the missions locales' CSV exports, one line of result per row."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import structlog
import typer

from ipm_workflow.entrypoints.cli.common import AsUser, Role, acting, app

if TYPE_CHECKING:
    from ipm_workflow.services.referrals import RowResult

import_app = typer.Typer(help="Load data exported by other systems.", no_args_is_help=True)
app.add_typer(import_app, name="import")


def describe(result: RowResult) -> str:
    """One line for one row: created, already imported, refused (with the reason)."""
    head = f"row {result.number}: "
    if result.outcome == "refused":
        return head + f"refused: {result.reason}"
    if result.outcome == "would_create":
        line = head + f"would create a person and a case ({result.workflow})"
    elif result.outcome == "already_imported":
        line = head + f"already imported (person {result.person_id}, case {result.case_id})"
    else:
        line = head + f"created person {result.person_id}, {result.workflow} case {result.case_id}"
    if result.duplicates and result.outcome != "already_imported":
        others = ", ".join(str(d) for d in result.duplicates)
        line += f"; warning: possible duplicate of person {others}"
    if result.duplicate_elsewhere and result.outcome != "already_imported":
        line += "; warning: a probable duplicate exists in a record you may not see"
    return line


@import_app.command("referrals")
def import_referrals(
    file: Annotated[Path, typer.Argument(help="CSV export (`;` or `,`, UTF-8 or Windows-1252).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, write nothing.")
    ] = False,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Import referrals: each row registers the young person and opens the case, once."""
    from rich.console import Console  # noqa: PLC0415 - only this command draws a progress bar
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    from ipm_workflow.bootstrap import read_referral_export  # noqa: PLC0415
    from ipm_workflow.domain.errors import InvalidInput  # noqa: PLC0415
    from ipm_workflow.services.referrals import folded  # noqa: PLC0415

    container, actor = acting(as_user, role)
    try:
        export = read_referral_export(file)
    except (OSError, InvalidInput) as exc:
        typer.echo(f"cannot import {file}: {getattr(exc, 'message', exc)}", err=True)
        for item in getattr(exc, "errors", []):
            typer.echo(f"  - {item['field']}: {item['message']}", err=True)
        raise typer.Exit(2) from None
    known = container.referrals.known_extras()
    ignored = [h for h in export.extras if folded(h) not in known]
    typer.echo(
        f"{file}: {len(export.rows)} row(s), {export.encoding}, delimiter {export.delimiter!r}"
        + (" (dry run: nothing is written)" if dry_run else "")
    )
    if ignored:
        typer.echo(f"ignored column(s): {', '.join(ignored)}")
    counts = {"created": 0, "would_create": 0, "already_imported": 0, "refused": 0}
    warned = 0
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
        transient=True,
    )
    with progress:
        task = progress.add_task("rows", total=len(export.rows))
        for row in export.rows:
            try:
                result = container.referrals.import_row(row, actor, dry_run=dry_run)
            except Exception:
                # Logged with the row number only: the row itself is personal data.
                structlog.get_logger("ipm_workflow.imports").exception(
                    "referral_import_crashed", row=row.number
                )
                progress.stop()
                typer.echo(
                    f"row {row.number}: stopped by an internal error; nothing of this row was "
                    "written, the rows before it are imported. Run the same command again to "
                    "resume (imported rows are skipped).",
                    err=True,
                )
                container.close()
                raise typer.Exit(2) from None
            counts[result.outcome] += 1
            warned += (bool(result.duplicates) or result.duplicate_elsewhere) and (
                result.outcome != "already_imported"
            )
            typer.echo(describe(result))  # above the bar: rich redirects stdout while it draws
            progress.advance(task)
    container.close()
    made = "would be created" if dry_run else "created"
    typer.echo(
        f"{len(export.rows)} row(s): {counts['created'] + counts['would_create']} {made} "
        f"({warned} with a duplicate warning), {counts['already_imported']} already imported, "
        f"{counts['refused']} refused"
    )
    if counts["refused"]:
        raise typer.Exit(1)
