"""Commands for administrators: missions locales, users, tokens, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipm_workflow.domain.people import MissionLocale
from ipm_workflow.entrypoints.cli.common import (
    audit_app,
    ml_app,
    open_container,
    run_or_exit,
    tokens_app,
    users_app,
)
from ipm_workflow.entrypoints.cli.problems import BadValue


@ml_app.command("add")
def add_mission_locale(
    ml_id: str, name: str, departement: Annotated[str | None, typer.Option()] = None
) -> None:
    """Create or rename a mission locale."""
    container = open_container()
    run_or_exit(
        lambda: container.people.add_mission_locale(MissionLocale(ml_id, name, departement))
    )
    typer.echo(f"mission locale {ml_id} saved")


@users_app.command("add")
def add_user(
    username: str,
    display_name: Annotated[str, typer.Option("--name")],
    role: Annotated[str, typer.Option(help="advisor, supervisor or admin")],
    ml: Annotated[list[str] | None, typer.Option(help="Mission locale id, repeatable.")] = None,
) -> None:
    """Create a user."""
    container = open_container()
    user = run_or_exit(lambda: container.people.add_user(username, display_name, role, ml or []))
    typer.echo(f"user {user.id} ({user.username}, {user.role})")


@users_app.command("set-password")
def set_password(
    username: str,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 10 characters (asked when absent).",
        ),
    ],
) -> None:
    """Set or reset a user's password for the web pages; their open sessions end."""
    container = open_container()
    user = run_or_exit(lambda: container.accounts.set_password(username, password))
    typer.echo(f"password set for {user.username}; their page sessions ended")


@users_app.command("activate")
def activate(username: str) -> None:
    """Activate a deactivated user again."""
    container = open_container()
    user = run_or_exit(lambda: container.accounts.reactivate(username))
    typer.echo(f"user {user.username} activated")


@audit_app.command("verify")
def audit_verify(
    case: Annotated[int | None, typer.Option(help="Only this case.")] = None,
    against: Annotated[
        Path | None,
        typer.Option(help="A checkpoint file: also name cases cut or rolled back since."),
    ] = None,
) -> None:
    """Recompute the hash chains; name the first broken entry of each broken case."""
    from ipm_workflow.domain.chain import Checkpoint  # noqa: PLC0415 - fast start (common.py)

    checkpoint = Checkpoint.from_json(read_text(against, "--against")) if against else None
    container = open_container()
    reports = run_or_exit(lambda: container.cases.verify([case] if case is not None else None))
    broken = [r for r in reports if not r.ok]
    for r in broken:
        typer.echo(f"BROKEN case {r.case_id}: entry {r.broken_seq}: {r.problem}", err=True)
    entries = sum(r.entries for r in reports)
    typer.echo(f"{len(reports)} case(s), {entries} entries checked, {len(broken)} broken")
    cut = container.audit.compare(checkpoint) if checkpoint else []
    for finding in cut:
        typer.echo(f"CUT case {finding.case_id}: {finding.problem}", err=True)
    if checkpoint:
        typer.echo(
            f"against the checkpoint of {checkpoint.taken_at} ({checkpoint.digest()[:16]}…): "
            f"{len(checkpoint.heads)} head(s), {len(cut)} cut or rolled back"
        )
    if broken or cut:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    file: Annotated[Path, typer.Argument(help="Where to write it (keep it off the database).")],
) -> None:
    """Write every case's chain head to a file and print its digest (also logged)."""
    container = open_container()
    checkpoint = container.audit.checkpoint()
    try:
        file.write_text(checkpoint.to_json(), encoding="utf-8")
    except OSError as exc:
        raise BadValue(f"FILE: cannot write the checkpoint ({exc.strerror})") from None
    typer.echo(f"checkpoint of {len(checkpoint.heads)} case(s) written to {file}")
    typer.echo(f"sha256 {checkpoint.digest()}")


@audit_app.command("erase")
def audit_erase(
    case_id: int,
    entry: Annotated[list[int], typer.Option("--entry", help="Entry number, repeatable.")],
    rule: Annotated[str, typer.Option(help="The retention rule or request that requires it.")],
) -> None:
    """Erase entries' payloads (personal data); the chain records which, when and why."""
    from ipm_workflow.services.commands import Actor  # noqa: PLC0415 - fast start (common.py)

    container = open_container()
    record = container.audit.erase(case_id, entry, rule, Actor("operator:cli", "admin"))
    typer.echo(f"case {case_id}: entries {sorted(set(entry))} erased (record {record.seq})")


def read_text(path: Path, option: str) -> str:
    """Read a file the operator named; an unreadable one is a bad value naming the option."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise BadValue(f"{option}: cannot read the file") from None


@tokens_app.command("create")
def tokens_create(
    username: str,
    days: Annotated[int, typer.Option(help="Validity in days.")] = 90,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue an API token for a user; it is printed once and only its hash is kept."""
    container = open_container()
    issued = run_or_exit(lambda: container.tokens.issue(username, days, label))
    typer.echo(issued.token)
    typer.echo(
        f"token {issued.record.id} for {username}, expires {issued.record.expires_at:%Y-%m-%d}",
        err=True,
    )


@tokens_app.command("list")
def tokens_list(username: str) -> None:
    """List a user's tokens (never their values)."""
    container = open_container()
    _, records = run_or_exit(lambda: container.tokens.tokens_of(username))
    for r in records:
        state = (
            f"revoked {r.revoked_at:%Y-%m-%d}"
            if r.revoked_at
            else (f"expires {r.expires_at:%Y-%m-%d}")
        )
        typer.echo(f"{r.id:>5}  {state:<20} {r.label}")


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    container = open_container()
    if not container.tokens.revoke(token_id):
        typer.echo(f"no active token {token_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"token {token_id} revoked")
