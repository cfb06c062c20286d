"""Issue 11 commands: eligibility, case lists by mission locale, moves, staff who leave."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    JsonOut,
    Reason,
    Role,
    acting,
    cases_app,
    output,
    parse_date,
    people_app,
    print_json,
    run_as,
    run_or_exit,
    users_app,
)
from ipm_workflow.services.case_ports import CaseQuery, capped_total
from ipm_workflow.services.commands import Reassign

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ipm_workflow.bootstrap import Container
    from ipm_workflow.domain.cases import Case
    from ipm_workflow.domain.policy import Actor
    from ipm_workflow.services.eligibility import Verdict


@people_app.command("eligibility")
def people_eligibility(person_id: int, as_user: AsUser = None, json_out: JsonOut = False) -> None:
    """Which programmes a person can still apply to, and the rule that refuses the others."""
    verdicts = run_as(as_user, lambda c, actor: c.eligibility.for_person(person_id, actor))
    output(verdicts, json_out, _verdict_lines)


def _verdict_lines(verdicts: list[Verdict]) -> Iterator[str]:
    for v in verdicts:
        mark = "eligible  " if v.eligible else "ineligible"
        yield f"{mark} {v.programme} ({v.workflow} v{v.workflow_version})"
        for refusal in v.refusals:
            yield f"      - {refusal.message}"


@cases_app.command("list")
def cases_list(
    ml: Annotated[str | None, typer.Option(help="Current mission locale.")] = None,
    referring_ml: Annotated[
        str | None, typer.Option(help="Mission locale that referred the case.")
    ] = None,
    advisor: Annotated[int | None, typer.Option(help="Ipm advisor's user id.")] = None,
    unassigned: Annotated[bool, typer.Option(help="Only cases with no advisor.")] = False,
    state: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_user: AsUser = None,
    role: Role = None,
    json_out: JsonOut = False,
) -> None:
    """List the cases you may see, by current or referring mission locale, advisor, state."""
    query = CaseQuery(
        state=state,
        mission_locales=[ml] if ml else None,
        referring_mission_locales=[referring_ml] if referring_ml else None,
        advisor_id=advisor,
        unassigned=unassigned,
        limit=limit,
    )
    cases, counted = run_as(as_user, lambda c, actor: c.cases.list_cases(query, actor), role)
    total, more = capped_total(query, counted)
    if json_out:
        print_json({"items": cases, "total": total, "total_capped": more})
        return
    for c in cases:
        owner = c.advisor_id if c.advisor_id is not None else "unassigned"
        typer.echo(
            f"{c.id:>6}  {c.workflow:<20} {c.state:<18} ML {c.mission_locale_id} "
            f"(referred by {c.referring_mission_locale})  advisor {owner}"
        )
    typer.echo(f"{len(cases)} of {'more than ' if more else ''}{total}")


@cases_app.command("move")
def cases_move(
    case_id: int,
    to: Annotated[str, typer.Option(help="The mission locale the case moves to.")],
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today.")] = None,
    reason: Reason = None,
    ml_contact_name: Annotated[str | None, typer.Option(help="The new ML's advisor.")] = None,
    ml_contact_email: Annotated[str | None, typer.Option()] = None,
    as_user: AsUser = None,
) -> None:
    """Move a case to another mission locale; the referring one keeps the referral."""
    cmd = Reassign(
        case_id,
        mission_locale_id=to,
        reason=reason,
        moved_on=parse_date(on, "--on"),
        ml_contact_name=ml_contact_name,
        ml_contact_email=ml_contact_email,
    )
    case = run_as(as_user, lambda c, actor: c.cases.reassign(cmd, actor))
    typer.echo(
        f"case {case.id} now at {case.mission_locale_id} "
        f"(referred by {case.referring_mission_locale}, version {case.version})"
    )


@users_app.command("deactivate")
def users_deactivate(username: str, as_user: AsUser = None) -> None:
    """Switch a user off: every token revoked at once, no sign-in; their cases stay theirs."""
    container, actor = acting(as_user)
    user = run_or_exit(lambda: container.people.user_by_name(username))
    done = run_or_exit(lambda: container.staff.deactivate(user.id, actor))
    typer.echo(f"user {username} deactivated ({done.tokens_revoked} token(s) revoked)")


@users_app.command("open-cases")
def users_open_cases(username: str, as_user: AsUser = None, json_out: JsonOut = False) -> None:
    """The cases not closed whose advisor is this user."""

    def open_cases(container: Container, actor: Actor) -> list[Case]:
        return container.staff.open_cases(container.people.user_by_name(username).id, actor)

    output(run_as(as_user, open_cases), json_out, _open_case_lines)


def _open_case_lines(cases: list[Case]) -> Iterator[str]:
    for c in cases:
        yield f"{c.id:>6}  {c.workflow:<20} {c.state:<18} ML {c.mission_locale_id}"
    yield f"{len(cases)} open case(s)"


@users_app.command("handover")
def users_handover(
    username: str,
    to: Annotated[str, typer.Option(help="Username of the advisor who takes the cases.")],
    reason: Reason = None,
    key: Annotated[
        str | None, typer.Option(help="Idempotency key: running again replays the result.")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Hand every open case of a user (and their pending reminders) to another advisor."""
    container, actor = acting(as_user)
    leaver = run_or_exit(lambda: container.people.user_by_name(username))
    successor = run_or_exit(lambda: container.people.user_by_name(to))
    result = run_or_exit(
        lambda: container.staff.hand_over(
            leaver.id, successor.id, actor, reason=reason, idempotency_key=key
        )
    )
    for item in result.items:
        if item.ok:
            typer.echo(f"case {item.case_id}: handed over ({item.reminders_moved} reminder(s))")
        else:
            typer.echo(f"case {item.case_id}: {item.error}: {item.message}", err=True)
    failed = sum(not i.ok for i in result.items)
    typer.echo(f"{len(result.items) - failed} handed over, {failed} failed")
    if failed:
        raise typer.Exit(1)
