"""Data protection on the command line: subject access export, consents, erasure requests, the
sensitive-read audit and the record of processing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    JsonOut,
    app,
    output,
    parse_date,
    people_app,
    print_json,
    run_as,
)
from ipm_workflow.entrypoints.cli.problems import BadValue

if TYPE_CHECKING:
    from ipm_workflow.domain.privacy import ConsentEvent

privacy_app = typer.Typer(
    help="Data protection: erasure requests, the read audit, the record of processing.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(privacy_app, name="privacy")
Out = Annotated[Path | None, typer.Option("--out", help="Write to this file (default: stdout).")]
Lang = Annotated[str, typer.Option("--lang", help="fr or en (the HTML document).")]


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"written to {out}")


@people_app.command("export")
def people_export(
    person_id: int,
    fmt: Annotated[str, typer.Option("--format", help="json or html")] = "json",
    out: Out = None,
    lang: Lang = "fr",
    as_user: AsUser = None,
) -> None:
    """Everything held on a person (subject access), as JSON or a printable HTML document;
    the export is recorded (who, when)."""
    from ipm_workflow.entrypoints.web.privacy import export_html, export_json  # noqa: PLC0415

    export = run_as(
        as_user,
        lambda c, actor: c.privacy.export(person_id, actor, fmt, entry_point="cli:people export"),
    )
    _write(export_json(export) if fmt == "json" else export_html(export, lang), out)


@people_app.command("consent")
def people_consent(
    person_id: int,
    purpose: Annotated[str, typer.Option(help="email, sms or photos_testimonials")],
    granted: Annotated[bool, typer.Option("--granted/--withdrawn")],
    method: Annotated[str | None, typer.Option(help="form, paper, portal, phone…")] = None,
    by: Annotated[str | None, typer.Option(help="young_person, guardian or staff")] = None,
    guardian: Annotated[int | None, typer.Option(help="The guardian's id (--by guardian).")] = None,
    as_user: AsUser = None,
) -> None:
    """Give or withdraw a consent; e-mail and SMS messages follow the current consent."""
    run_as(
        as_user,
        lambda c, actor: c.privacy.record_consent(
            person_id, purpose, granted, actor, method=method, given_by=by, guardian_id=guardian
        ),
    )
    typer.echo(f"consent {purpose} {'granted' if granted else 'withdrawn'} for person {person_id}")


@people_app.command("consents")
def people_consents(person_id: int, as_user: AsUser = None, json_out: JsonOut = False) -> None:
    """A person's consents, given and withdrawn, oldest first."""
    events = run_as(as_user, lambda c, actor: c.privacy.consents(person_id, actor))
    output(events, json_out, lambda found: map(_consent_line, found))


def _consent_line(e: ConsentEvent) -> str:
    state = "granted" if e.granted else "withdrawn"
    guardian = f" (guardian {e.guardian_id})" if e.guardian_id else ""
    return f"{e.at.isoformat()}\t{e.purpose}\t{state}\t{e.method}\t{e.given_by}{guardian}"


@privacy_app.command("erasure-request")
def erasure_request(
    person_id: int,
    received_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    requester: Annotated[str, typer.Option(help="young_person, guardian or representative")],
    as_user: AsUser = None,
) -> None:
    """Record an erasure request as received."""
    day = parse_date(received_on, "--received-on")
    if day is None:
        raise BadValue("--received-on: expected a date as YYYY-MM-DD")
    made = run_as(
        as_user, lambda c, actor: c.privacy.record_erasure(person_id, day, requester, actor)
    )
    typer.echo(f"erasure request {made.id}")


@privacy_app.command("erasure-decide")
def erasure_decide(
    request_id: int,
    decision: Annotated[str, typer.Option(help="deletion, pseudonymisation or refused")],
    reason: Annotated[str, typer.Option(help="The reason stated to the person.")],
    as_user: AsUser = None,
) -> None:
    """Decide an erasure request (the retention run carries accepted ones out)."""
    run_as(as_user, lambda c, actor: c.privacy.decide_erasure(request_id, decision, reason, actor))
    typer.echo(f"erasure request {request_id}: {decision}")


@privacy_app.command("erasures")
def erasures(
    person: Annotated[int | None, typer.Option(help="One person's requests.")] = None,
    as_user: AsUser = None,
) -> None:
    """Erasure requests, newest first."""
    print_json(run_as(as_user, lambda c, actor: c.privacy.erasures(actor, person)))


@privacy_app.command("reads")
def reads(
    person: Annotated[int | None, typer.Option(help="One person's data.")] = None,
    actor_ref: Annotated[str | None, typer.Option("--actor", help="e.g. user:3")] = None,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD (UTC)")] = None,
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD (UTC), excluded")] = None,
    as_user: AsUser = None,
) -> None:
    """Reads of sensitive data, allowed and refused, newest first."""
    from ipm_workflow.domain.privacy import ReadQuery  # noqa: PLC0415 - fast start

    def moment(raw: str | None, option: str) -> datetime | None:
        day = parse_date(raw, option)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None

    query = ReadQuery(person, actor_ref, moment(since, "--since"), moment(until, "--until"))
    found = run_as(as_user, lambda c, actor: c.privacy.reads(query, actor))
    for r in found:
        outcome = "read" if r.allowed else "REFUSED"
        typer.echo(
            f"{r.at.isoformat()}\tperson {r.person_id}\t{r.actor} ({r.role})\t"
            f"{r.entry_point or '-'}\t{outcome}"
        )


@privacy_app.command("register")
def register(
    fmt: Annotated[str, typer.Option("--format", help="md or html")] = "md",
    out: Out = None,
    lang: Lang = "fr",
    as_user: AsUser = None,
) -> None:
    """The record of processing, generated from the configuration and the workflow files."""
    from ipm_workflow.entrypoints.web.privacy import register_html  # noqa: PLC0415
    from ipm_workflow.services.processing_register import register_markdown  # noqa: PLC0415

    if fmt not in ("md", "html"):
        raise BadValue("--format: md or html")
    found = run_as(as_user, lambda c, actor: c.privacy.register(actor))
    _write(register_html(found, lang) if fmt == "html" else register_markdown(found), out)
