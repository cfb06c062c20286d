"""Commands on workflow definitions and the database schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    Role,
    acting,
    db_app,
    open_container,
    parse_pairs,
    run_or_exit,
    settings_from_env,
    workflows_app,
)


@workflows_app.command("check")
def workflows_check(directory: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Validate every workflow file of a directory; exit 1 on any problem."""
    from ipm_workflow.bootstrap import check_workflows  # noqa: PLC0415 - fast start (common.py)

    directory = directory or settings_from_env().workflows_dir
    workflows, problems = check_workflows(directory)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        raise typer.Exit(1)
    for wf in workflows:
        typer.echo(
            f"ok  {wf.name} v{wf.version}: {len(wf.states)} states, "
            f"{len(wf.transitions)} transitions, {len(wf.reminders)} reminder rules"
            + (f", {len(wf.events)} event messages" if wf.events else "")
            + (f", {len(wf.computed)} computed values" if wf.computed else "")
        )


@workflows_app.command("list")
def workflows_list() -> None:
    """List the loaded workflows and their versions."""
    container = open_container()
    for compiled in container.registry.all():
        wf = compiled.definition
        typer.echo(f"{wf.name} v{wf.version}  {wf.title.en} / {wf.title.fr}")


@workflows_app.command("show")
def workflows_show(
    name: str,
    version: Annotated[int | None, typer.Option()] = None,
    lang: Annotated[str, typer.Option(help="Labels in 'en' or 'fr'.")] = "en",
) -> None:
    """Print a workflow as a Mermaid state diagram."""
    from ipm_workflow.domain.diagram import mermaid  # noqa: PLC0415 - fast start (common.py)

    container = open_container()
    compiled = run_or_exit(lambda: container.registry.get(name, version))
    typer.echo(mermaid(compiled.definition, lang), nl=False)


@workflows_app.command("migrate")
def workflows_migrate(
    name: str,
    to: Annotated[int, typer.Option("--to", help="Target version.")],
    maps: Annotated[
        list[str] | None, typer.Option("--map", help="OLD=NEW state mapping, repeatable.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Report, change nothing.")] = False,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Move running cases of a workflow to another version (refuses unmapped states)."""
    container, actor = acting(as_user, role)
    mapping = parse_pairs(maps)
    moved = run_or_exit(
        lambda: container.versions.migrate(name, to, mapping, actor, dry_run=dry_run)
    )
    verb = "would move" if dry_run else "moved"
    for m in moved:
        typer.echo(
            f"case {m.case_id}: v{m.from_version} {m.from_state} -> v{m.to_version} {m.to_state}"
        )
    typer.echo(f"{len(moved)} case(s) {verb} to {name} v{to}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (creates the SQLite file if needed)."""
    from ipm_workflow.bootstrap import upgrade_database  # noqa: PLC0415 - fast start (common.py)

    url = upgrade_database(settings_from_env())
    typer.echo(f"database at the latest schema ({url})")
