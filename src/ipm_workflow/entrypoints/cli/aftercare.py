"""Commands on the follow-up and the money of a case: contact attempts, checkpoints, grant."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from ipm_workflow.domain.money import format_cents
from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    JsonOut,
    Role,
    cases_app,
    print_json,
    run_as,
)
from ipm_workflow.entrypoints.cli.problems import BadValue
from ipm_workflow.services.aftercare import ConfirmGrant, LogContactAttempt


@cases_app.command("contact")
def cases_contact(
    case_id: int,
    channel: Annotated[str, typer.Option(help="sms|call|email|letter|mission_locale")],
    answered: Annotated[bool, typer.Option("--answered/--unanswered")] = False,
    at: Annotated[str | None, typer.Option(help="When (ISO 8601; default now).")] = None,
    checkpoint: Annotated[str | None, typer.Option(help="Default: the latest opened.")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Log a contact attempt on a case (recorded in the history)."""
    try:
        when = datetime.fromisoformat(at) if at else None
    except ValueError:
        raise BadValue("--at: an ISO 8601 moment, e.g. 2027-03-01T10:00+01:00") from None
    if when is not None and when.tzinfo is None:
        raise BadValue("--at: give the time zone, e.g. 2027-03-01T10:00+01:00")
    cmd = LogContactAttempt(case_id, channel, answered, when, checkpoint, note)
    case, attempt = run_as(
        as_user, lambda c, actor: c.cases.aftercare.log_attempt(cmd, actor), role
    )
    result = "answered" if attempt.answered else "unanswered"
    typer.echo(
        f"case {case_id}: attempt {attempt.id} by {attempt.channel}, {result}, checkpoint "
        f"{attempt.checkpoint or '-'} (version {case.version})"
    )


@cases_app.command("follow-up")
def cases_follow_up(
    case_id: int, as_user: AsUser = None, role: Role = None, json_out: JsonOut = False
) -> None:
    """Show a case's contact attempts and where each checkpoint stands."""
    view = run_as(as_user, lambda c, actor: c.cases.aftercare.follow_up(case_id, actor), role)
    if json_out:
        print_json({"attempts": view.attempts, "checkpoints": view.checkpoints})
        return
    for c in view.checkpoints:
        source = f" from {c.source}" if c.source else ""
        typer.echo(
            f"checkpoint {c.id:<6} {c.status:<14} {c.outcome or '-'}{source}  "
            f"opens {c.opens_on or '-'}  attempts {c.attempts} (answered {c.answered})"
        )
    for a in view.attempts:
        result = "answered" if a.answered else "unanswered"
        typer.echo(f"  {a.at:%Y-%m-%d %H:%M} {a.channel:<15} {result:<10} {a.by}")
    if view.lost_contact_due:
        typer.echo(f"lost contact established on {view.lost_contact_due} unless answered")


@cases_app.command("money")
def cases_money(
    case_id: int,
    lang: Annotated[str, typer.Option(help="fr|en")] = "fr",
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Show a case's grant, pre-financing, balance, recovery and the proposed grant."""
    view = run_as(as_user, lambda c, actor: c.cases.aftercare.money(case_id, actor), role)
    for key, value in view.values.items():
        shown = format_cents(value, lang) if type(value) is int else (value or "-")
        typer.echo(f"  {key} = {shown}")
    typer.echo(f"  days done = {view.days_done or '-'}; balance due {view.balance_due or '-'}")
    p = view.proposal
    if p is not None:
        typer.echo(
            f"proposed grant ({p.rule}, {p.days_done}/{p.planned_days} days): "
            f"{format_cents(p.proposed, lang)}; balance {format_cents(p.balance, lang)}; "
            f"recovery {format_cents(p.recovery, lang)}"
        )


@cases_app.command("confirm-grant")
def cases_confirm_grant(
    case_id: int,
    amount: Annotated[int | None, typer.Option(help="Euro cents (default: proposal).")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Needed for another amount than the proposal.")
    ] = None,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Confirm the recomputed grant: the balance, or a recovery order issued today."""
    cmd = ConfirmGrant(case_id, amount, reason)
    view = run_as(as_user, lambda c, actor: c.cases.aftercare.confirm_grant(cmd, actor), role)
    final = view.values.get("grant_final")
    shown = format_cents(final, "fr") if isinstance(final, int) else "-"
    typer.echo(f"case {case_id}: grant confirmed at {shown} (version {view.case.version})")
