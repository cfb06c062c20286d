"""Commands on young people, cases and cohorts."""

from __future__ import annotations

from typing import Annotated

import typer

from ipm_workflow.domain.cases import DocumentStatus
from ipm_workflow.domain.people import Person
from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    Inputs,
    JsonOut,
    Role,
    acting,
    actor_for,
    cases_app,
    cohorts_app,
    open_container,
    parse_date,
    parse_pairs,
    people_app,
    print_json,
    run_or_exit,
)
from ipm_workflow.entrypoints.cli.problems import BadValue
from ipm_workflow.services.commands import (
    FireTrigger,
    OpenCase,
    RecordDocument,
    Resume,
    Suspend,
    UpdateData,
)


@people_app.command("add")
def people_add(
    first_name: Annotated[str, typer.Option()],
    last_name: Annotated[str, typer.Option()],
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    as_user: AsUser = None,
) -> None:
    """Register a young person (warns about probable duplicates); the registrant sees them."""
    container = open_container()
    born = parse_date(birth_date, "--birth-date")
    actor = actor_for(container, as_user)
    result = run_or_exit(
        lambda: container.people.register(
            Person(None, first_name, last_name, born, email, phone), actor
        )
    )
    typer.echo(f"person {result.person.id}")
    for other in result.possible_duplicates:
        if other.id in result.returning:
            typer.echo(
                f"note: person {other.id} is known and their cases are closed: a new case on "
                "that record is a re-entry, not a duplicate",
                err=True,
            )
        else:
            typer.echo(f"warning: possible duplicate of person {other.id}", err=True)
    if result.duplicate_elsewhere:
        typer.echo("warning: a probable duplicate exists that you may not see", err=True)


@cases_app.command("open")
def cases_open(
    person: Annotated[int, typer.Option(help="Person id.")],
    workflow: Annotated[str, typer.Option()],
    ml: Annotated[str, typer.Option(help="Referring mission locale id.")],
    advisor: Annotated[int | None, typer.Option(help="Ipm advisor's user id.")] = None,
    inputs: Inputs = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Open a case for a person on a workflow."""
    container, actor = acting(as_user, role)
    cmd = OpenCase(person, workflow, ml, advisor, parse_pairs(inputs))
    case = run_or_exit(lambda: container.cases.open_case(cmd, actor))
    typer.echo(f"case {case.id} opened in {case.state} (version {case.version})")


@cases_app.command("show")
def cases_show(
    case_id: int, as_user: AsUser = None, role: Role = None, json_out: JsonOut = False
) -> None:
    """Show a case: state, data, documents."""
    container, actor = acting(as_user, role)
    case = run_or_exit(lambda: container.cases.get(case_id, actor))
    if json_out:
        print_json(case)
        return
    typer.echo(
        f"case {case.id}  {case.workflow} v{case.workflow_version}  state {case.state}  "
        f"version {case.version}  ML {case.mission_locale_id}"
    )
    for key, value in sorted(case.data.items()):
        typer.echo(f"  {key} = {value}")
    for doc in case.documents.values():
        until = f" until {doc.valid_until}" if doc.valid_until else ""
        typer.echo(f"  document {doc.type}: {doc.status}{until}")


@cases_app.command("actions")
def cases_actions(
    case_id: int, as_user: AsUser = None, role: Role = None, json_out: JsonOut = False
) -> None:
    """List every trigger out of the case's state, allowed or denied with reasons."""
    container, actor = acting(as_user, role)
    case, actions = run_or_exit(lambda: container.cases.actions(case_id, actor))
    if json_out:
        print_json(actions)
        return
    typer.echo(f"case {case.id} in {case.state} (version {case.version})")
    for action in actions:
        mark = "allowed" if action.allowed else "denied "
        needs = ", ".join(f"{i.field}:{i.type}" for i in action.inputs)
        needs = f"  [{needs}]" if needs else ""
        typer.echo(f"  {mark} {action.trigger} -> {action.dest}{needs}")
        for unmet in action.unmet:
            typer.echo(f"      - {unmet.message}")


@cases_app.command("fire")
def cases_fire(
    case_id: int,
    trigger: str,
    inputs: Inputs = None,
    reason: Annotated[str | None, typer.Option()] = None,
    expected_version: Annotated[int | None, typer.Option()] = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Fire a trigger on a case."""
    container, actor = acting(as_user, role)
    cmd = FireTrigger(case_id, trigger, parse_pairs(inputs), reason, expected_version)
    fired = run_or_exit(lambda: container.cases.fire(cmd, actor))
    typer.echo(
        f"case {case_id}: {fired.outcome.from_state} -> {fired.outcome.to_state} "
        f"(version {fired.case.version})"
    )


@cases_app.command("set")
def cases_set(
    case_id: int,
    changes: Annotated[list[str], typer.Argument(help="field=value ...")],
    reason: Annotated[str | None, typer.Option()] = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Change data fields of a case (recorded in the history)."""
    container, actor = acting(as_user, role)
    cmd = UpdateData(case_id, parse_pairs(changes, "field=value"), reason)
    case = run_or_exit(lambda: container.cases.update_data(cmd, actor))
    typer.echo(f"case {case_id} updated (version {case.version})")


@cases_app.command("document")
def cases_document(
    case_id: int,
    document: str,
    status: Annotated[str, typer.Option(help="missing|received|validated|expired|refused")],
    valid_from: Annotated[str | None, typer.Option()] = None,
    valid_until: Annotated[str | None, typer.Option()] = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Record a document's status and validity."""
    container, actor = acting(as_user, role)
    if status not in ("missing", "received", "validated", "expired", "refused"):
        raise BadValue("--status: one of missing, received, validated, expired, refused")
    doc_status: DocumentStatus = status  # type: ignore[assignment]
    cmd = RecordDocument(
        case_id,
        document,
        doc_status,
        parse_date(valid_from, "--valid-from"),
        parse_date(valid_until, "--valid-until"),
    )
    case = run_or_exit(lambda: container.cases.record_document(cmd, actor))
    typer.echo(f"case {case_id}: {document} {status} (version {case.version})")


@cases_app.command("history")
def cases_history(
    case_id: int, as_user: AsUser = None, role: Role = None, json_out: JsonOut = False
) -> None:
    """Print a case's history, oldest first."""
    container, actor = acting(as_user, role)
    entries = run_or_exit(lambda: container.cases.history(case_id, actor))
    if json_out:
        print_json(entries)
        return
    for e in entries:
        move = f"{e.from_state or ''} -> {e.to_state}" if e.to_state else ""
        typer.echo(
            f"{e.seq:>3} {e.at:%Y-%m-%d %H:%M} {e.kind:<12} {e.trigger or '':<18} "
            f"{move:<28} {e.actor} ({e.role})  {e.hash[:12]}"
        )


@cases_app.command("merge")
def cases_merge(
    survivor: int,
    duplicate: int,
    reason: Annotated[str, typer.Option(help="Why these are the same journey.")],
    as_user: AsUser = None,
) -> None:
    """Merge a duplicate case into the surviving one (supervisors)."""
    container, actor = acting(as_user)
    merged = run_or_exit(lambda: container.merges.merge(survivor, duplicate, reason, actor))
    typer.echo(f"case {duplicate} merged into case {survivor} (now {merged.merged.state})")


@cases_app.command("suspend")
def cases_suspend(
    case_id: int,
    reason: Annotated[str, typer.Option(help="Why the case stops (kept in the history).")],
    as_user: AsUser = None,
) -> None:
    """Suspend an active case: it keeps its state, its time limit's clock stops."""
    container, actor = acting(as_user)
    case = run_or_exit(lambda: container.cases.suspend(Suspend(case_id, reason), actor))
    typer.echo(f"case {case_id} suspended in {case.state} (version {case.version})")


@cases_app.command("resume")
def cases_resume(
    case_id: int,
    reason: Annotated[str | None, typer.Option()] = None,
    as_user: AsUser = None,
) -> None:
    """Resume a suspended case: its deadline moves later by the time it was suspended."""
    container, actor = acting(as_user)
    case = run_or_exit(lambda: container.cases.resume(Resume(case_id, reason), actor))
    due = case.due_at.isoformat() if case.due_at else "none"
    typer.echo(f"case {case_id} resumed in {case.state}, due {due} (version {case.version})")


@cases_app.command("clocks")
def cases_clocks(as_user: AsUser = None) -> None:
    """Give a deadline to open cases that have none yet (once, after upgrading)."""
    container, actor = acting(as_user)
    changed = run_or_exit(lambda: container.cases.suspensions.set_clocks(actor))
    typer.echo(f"{len(changed)} case(s) given a deadline")


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
    container, actor = acting(as_user, role)
    added = run_or_exit(lambda: container.cohorts.add_cases(cohort_id, case_ids, actor))
    typer.echo(f"{len(added)} case(s) added to cohort {cohort_id}")


@cohorts_app.command("fire")
def cohorts_fire(
    cohort_id: int,
    trigger: str,
    inputs: Inputs = None,
    reason: Annotated[str | None, typer.Option()] = None,
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
