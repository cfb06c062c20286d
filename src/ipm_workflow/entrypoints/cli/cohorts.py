"""Commands on cohorts: groups of cases leaving together, and their bulk actions."""

from __future__ import annotations

from typing import Annotated

import typer

from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    Inputs,
    Reason,
    Role,
    acting,
    cohorts_app,
    parse_date,
    parse_pairs,
    run_as,
    run_or_exit,
)


@cohorts_app.command("create")
def cohorts_create(
    code: str,
    label: Annotated[str, typer.Option()],
    workflow: Annotated[str, typer.Option()],
    start: Annotated[str | None, typer.Option(help="Planned start, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Planned end, YYYY-MM-DD.")] = None,
    as_user: AsUser = None,
) -> None:
    """Create a cohort (a group leaving together); its creator sees it."""
    container, actor = acting(as_user)
    cohort = run_or_exit(
        lambda: container.cohorts.create(
            code,
            label,
            workflow,
            parse_date(start, "--start"),
            parse_date(end, "--end"),
            actor=actor,
        )
    )
    typer.echo(f"cohort {cohort.id} ({cohort.code})")


@cohorts_app.command("add")
def cohorts_add(
    cohort_id: int, case_ids: list[int], as_user: AsUser = None, role: Role = None
) -> None:
    """Put cases in a cohort."""
    added = run_as(as_user, lambda c, actor: c.cohorts.add_cases(cohort_id, case_ids, actor), role)
    typer.echo(f"{len(added)} case(s) added to cohort {cohort_id}")


@cohorts_app.command("fire")
def cohorts_fire(
    cohort_id: int,
    trigger: str,
    inputs: Inputs = None,
    reason: Reason = None,
    dry_run: Annotated[bool, typer.Option(help="Say what would happen, change nothing.")] = False,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Fire a trigger on every case of a cohort; each case succeeds or fails on its own."""
    container, actor = acting(as_user, role)
    result = run_or_exit(
        lambda: container.cohorts.bulk_fire(
            cohort_id,
            trigger,
            actor,
            inputs=parse_pairs(inputs),
            reason=reason,
            dry_run=dry_run,
        )
    )
    for item in result.items:
        if item.ok:
            typer.echo(f"  ok    case {item.case_id}: {item.from_state} -> {item.to_state}")
        else:
            typer.echo(f"  no    case {item.case_id} ({item.from_state}): {item.message}")
    failed = sum(not i.ok for i in result.items)
    typer.echo(f"{len(result.items) - failed} ok, {failed} not" + (" (dry run)" if dry_run else ""))
