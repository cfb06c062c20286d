"""Issue 15 commands: the retention run (pseudonymise or delete people past their rules)."""

from __future__ import annotations

from typing import Annotated

import typer

from ipm_workflow.entrypoints.cli.common import JsonOut, app, open_container, print_json

retention_app = typer.Typer(
    help="Retention rules (config/retention.yaml): pseudonymise or delete people past them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List who is past their rules; change nothing.")
    ] = False,
    json_out: JsonOut = False,
) -> None:
    """Pseudonymise or delete every person past their retention rules (the worker's daily job).

    Accepted erasure requests are carried out first. Runs under the cluster-wide lock shared
    with the workers' daily job.
    """
    container = open_container()
    with container.cluster_lock("retention") as held:
        if not held:
            typer.echo("another process is running the retention job; try again later", err=True)
            raise typer.Exit(3)
        run = container.retention.run(dry_run=dry_run)
    if json_out:
        print_json(run)
        return
    verb = "would be" if dry_run else "were"
    for request in run.erasures:
        state = "carried out" if request.id in run.erased else "to carry out"
        if dry_run:
            state = "would be carried out"
        typer.echo(
            f"erasure request {request.id} (person {request.person_id}): {request.decision} {state}"
        )
    for verdict in run.due:
        failure = run.failed.get(verdict.person_id)
        mark = f"FAILED ({failure})" if failure else verdict.action.value
        typer.echo(f"person {verdict.person_id:<7} {mark:<13} {verdict.reasons()}")
    typer.echo(
        f"{run.today.isoformat()}: {len(run.due)} person(s) past their rules {verb} handled"
        + ("" if dry_run else f", {len(run.done)} done, {len(run.failed)} failed")
    )
    if run.failed:
        raise typer.Exit(1)
