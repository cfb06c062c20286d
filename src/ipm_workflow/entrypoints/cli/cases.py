"""Commands on cases: open, inspect, advance, merge, suspend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ipm_workflow.domain.cases import DocumentStatus
from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    ExpectedVersion,
    Inputs,
    JsonOut,
    Reason,
    Role,
    cases_app,
    output,
    parse_date,
    parse_pairs,
    run_as,
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

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from ipm_workflow.bootstrap import Container
    from ipm_workflow.domain.actions import Action as AvailableAction
    from ipm_workflow.domain.cases import Case, HistoryEntry
    from ipm_workflow.domain.policy import Actor


def _case_view(
    name: str,
    help_text: str,
    read: Callable[[Container, Actor, int], T],
    lines: Callable[[T], Iterable[str]],
    as_json: Callable[[T], Any] | None = None,
) -> None:
    """Declare `cases NAME CASE_ID [--as] [--role] [--json]`: what `read` returns for the case,
    as `lines` writes it (or, with --json, as JSON of what `as_json` picks)."""

    def view(
        case_id: int, as_user: AsUser = None, role: Role = None, json_out: JsonOut = False
    ) -> None:
        found = run_as(as_user, lambda c, actor: read(c, actor, case_id), role)
        output(found, json_out, lines, as_json)

    cases_app.command(name, help=help_text)(view)


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
    cmd = OpenCase(person, workflow, ml, advisor, parse_pairs(inputs))
    case = run_as(as_user, lambda c, actor: c.cases.open_case(cmd, actor), role)
    typer.echo(f"case {case.id} opened in {case.state} (version {case.version})")


def _case_lines(case: Case) -> Iterator[str]:
    yield (
        f"case {case.id}  {case.workflow} v{case.workflow_version}  state {case.state}  "
        f"version {case.version}  ML {case.mission_locale_id}"
    )
    for key, value in sorted(case.data.items()):
        yield f"  {key} = {value}"
    for doc in case.documents.values():
        until = f" until {doc.valid_until}" if doc.valid_until else ""
        yield f"  document {doc.type}: {doc.status}{until}"


_case_view(
    "show",
    "Show a case: state, data, documents.",
    lambda c, actor, case_id: c.cases.get(case_id, actor),
    _case_lines,
)


def _action_lines(case: Case, actions: list[AvailableAction]) -> Iterator[str]:
    yield f"case {case.id} in {case.state} (version {case.version})"
    for action in actions:
        mark = "allowed" if action.allowed else "denied "
        needs = ", ".join(f"{i.field}:{i.type}" for i in action.inputs)
        needs = f"  [{needs}]" if needs else ""
        yield f"  {mark} {action.trigger} -> {action.dest}{needs}"
        for unmet in action.unmet:
            yield f"      - {unmet.message}"


_case_view(
    "actions",
    "List every trigger out of the case's state, allowed or denied with reasons.",
    lambda c, actor, case_id: c.cases.actions(case_id, actor),
    lambda pair: _action_lines(*pair),
    lambda pair: pair[1],
)


@cases_app.command("fire")
def cases_fire(
    case_id: int,
    trigger: str,
    inputs: Inputs = None,
    reason: Reason = None,
    expected_version: ExpectedVersion = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Fire a trigger on a case."""
    cmd = FireTrigger(case_id, trigger, parse_pairs(inputs), reason, expected_version)
    fired = run_as(as_user, lambda c, actor: c.cases.fire(cmd, actor), role)
    typer.echo(
        f"case {case_id}: {fired.outcome.from_state} -> {fired.outcome.to_state} "
        f"(version {fired.case.version})"
    )


@cases_app.command("set")
def cases_set(
    case_id: int,
    changes: Annotated[list[str], typer.Argument(help="field=value ...")],
    reason: Reason = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Change data fields of a case (recorded in the history)."""
    cmd = UpdateData(case_id, parse_pairs(changes, "field=value"), reason)
    case = run_as(as_user, lambda c, actor: c.cases.update_data(cmd, actor), role)
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
    case = run_as(as_user, lambda c, actor: c.cases.record_document(cmd, actor), role)
    typer.echo(f"case {case_id}: {document} {status} (version {case.version})")


def _history_line(e: HistoryEntry) -> str:
    move = f"{e.from_state or ''} -> {e.to_state}" if e.to_state else ""
    return (
        f"{e.seq:>3} {e.at:%Y-%m-%d %H:%M} {e.kind:<12} {e.trigger or '':<18} "
        f"{move:<28} {e.actor} ({e.role})  {e.hash[:12]}"
    )


_case_view(
    "history",
    "Print a case's history, oldest first.",
    lambda c, actor, case_id: c.cases.history(case_id, actor),
    lambda found: map(_history_line, found),
)


@cases_app.command("merge")
def cases_merge(
    survivor: int,
    duplicate: int,
    reason: Annotated[str, typer.Option(help="Why these are the same journey.")],
    as_user: AsUser = None,
) -> None:
    """Merge a duplicate case into the surviving one (supervisors)."""
    merged = run_as(as_user, lambda c, actor: c.merges.merge(survivor, duplicate, reason, actor))
    typer.echo(f"case {duplicate} merged into case {survivor} (now {merged.merged.state})")


@cases_app.command("suspend")
def cases_suspend(
    case_id: int,
    reason: Annotated[str, typer.Option(help="Why the case stops (kept in the history).")],
    as_user: AsUser = None,
) -> None:
    """Suspend an active case: it keeps its state, its time limit's clock stops."""
    case = run_as(as_user, lambda c, actor: c.cases.suspend(Suspend(case_id, reason), actor))
    typer.echo(f"case {case_id} suspended in {case.state} (version {case.version})")


@cases_app.command("resume")
def cases_resume(
    case_id: int,
    reason: Reason = None,
    as_user: AsUser = None,
) -> None:
    """Resume a suspended case: its deadline moves later by the time it was suspended."""
    case = run_as(as_user, lambda c, actor: c.cases.resume(Resume(case_id, reason), actor))
    due = case.due_at.isoformat() if case.due_at else "none"
    typer.echo(f"case {case_id} resumed in {case.state}, due {due} (version {case.version})")


@cases_app.command("clocks")
def cases_clocks(as_user: AsUser = None) -> None:
    """Give a deadline to open cases that have none yet (once, after upgrading)."""
    changed = run_as(as_user, lambda c, actor: c.cases.suspensions.set_clocks(actor))
    typer.echo(f"{len(changed)} case(s) given a deadline")
