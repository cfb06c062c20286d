"""`db backup` and `db restore`: copies of the database, and a check of what a restore brought."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipm_workflow.entrypoints.cli.common import db_app, settings_from_env

if TYPE_CHECKING:
    from sqlalchemy import Engine


@db_app.command("backup")
def db_backup(file: Annotated[Path, typer.Argument(help="Where to write the backup.")]) -> None:
    """Back up the database while the service runs (SQLite backup API, or pg_dump -Fc)."""
    from ipm_workflow.bootstrap import backup_database  # noqa: PLC0415
    from ipm_workflow.domain.errors import DomainError  # noqa: PLC0415

    try:
        size = backup_database(settings_from_env(), file)
    except DomainError as exc:
        typer.echo(f"backup failed: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"backup written to {file} ({size} bytes)")


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A file written by `db backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data.")
    ] = False,
) -> None:
    """Restore a backup into an empty database (stop the service first), then check it."""
    from ipm_workflow.bootstrap import RestoreRefused, restore_database  # noqa: PLC0415
    from ipm_workflow.domain.errors import DomainError  # noqa: PLC0415

    try:
        engine = restore_database(settings_from_env(), file, force=force)
    except RestoreRefused as exc:
        typer.echo(f"refusing to restore: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except DomainError as exc:
        typer.echo(f"restore failed: {exc.message}", err=True)
        raise typer.Exit(1) from None
    try:
        typer.echo(f"restored {file} into {engine.url.render_as_string(hide_password=True)}")
        check_restored(engine)
    finally:
        engine.dispose()


def check_restored(engine: Engine) -> None:
    """After a restore: the schema must be at head and every case's hash chain intact."""
    from ipm_workflow.bootstrap import bootstrap, pending_migrations  # noqa: PLC0415

    pending = pending_migrations(engine)
    if pending:
        typer.echo(
            f"check: schema behind the code (pending: {', '.join(pending)}); "
            "run `ipm-workflow db upgrade`, then `ipm-workflow audit verify`",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo("check: schema at the latest migration")
    container = bootstrap(settings_from_env(), engine=engine)
    try:
        reports = container.cases.verify(None)
    finally:
        container.close()
    broken = [r for r in reports if not r.ok]
    for r in broken:
        typer.echo(f"BROKEN case {r.case_id}: entry {r.broken_seq}: {r.problem}", err=True)
    entries = sum(r.entries for r in reports)
    typer.echo(
        f"check: {len(reports)} case(s), {entries} history entries verified, {len(broken)} broken"
    )
    if broken:
        raise typer.Exit(1)
