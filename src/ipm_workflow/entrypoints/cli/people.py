"""Commands on young people and those around a journey: registration, contact, profile,
guardians and sensitive data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipm_workflow.domain.people import Person
from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    JsonOut,
    acting,
    field_lines,
    output,
    parse_date,
    parse_pairs,
    people_app,
    run_as,
    run_or_exit,
)
from ipm_workflow.entrypoints.cli.problems import BadValue

if TYPE_CHECKING:
    from ipm_workflow.bootstrap import Container
    from ipm_workflow.domain.people import Guardian
    from ipm_workflow.domain.policy import Actor

guardians_app = typer.Typer(
    help="A young person's legal guardians.", no_args_is_help=True, rich_markup_mode=None
)
sensitive_app = typer.Typer(
    help="Sensitive data: need-to-know, every read recorded.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
people_app.add_typer(guardians_app, name="guardians")
people_app.add_typer(sensitive_app, name="sensitive")

Sets = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", help="field=value, repeatable; an empty value removes it."),
]
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_FLAGS = frozenset(
    {
        "consent_email",
        "consent_sms",
        "parental_authority",
        "rqth",
        "fewer_opportunities",
    }
)
_MOMENTS = frozenset({"consent_email_at", "consent_sms_at", "consent_at"})


def typed(pairs: dict[str, str]) -> dict[str, Any]:
    """Read `--set` values: booleans, dates and moments by field; errors name the field only."""
    out: dict[str, Any] = {}
    for key, value in pairs.items():
        if value == "":
            out[key] = None
        elif key in _FLAGS:
            if value.strip().lower() not in _BOOLEANS:
                raise BadValue(f"--set {key}: expected true or false")
            out[key] = _BOOLEANS[value.strip().lower()]
        elif key in _MOMENTS or key == "birth_date":
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                raise BadValue(f"--set {key}: expected an ISO date or moment") from None
            if key == "birth_date":
                out[key] = moment.date()
            elif moment.tzinfo is None:
                raise BadValue(f"--set {key}: give the time zone, e.g. 2026-01-05T09:00+01:00")
            else:
                out[key] = moment
        else:
            out[key] = value
    return out


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
    person = Person(
        None, first_name, last_name, parse_date(birth_date, "--birth-date"), email, phone
    )
    result = run_as(as_user, lambda c, actor: c.people.register(person, actor))
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


@people_app.command("show")
def people_show(person_id: int, as_user: AsUser = None, json_out: JsonOut = False) -> None:
    """Show a young person: contacts, consent, profile, and the flag of a minor with no
    guardian on file."""

    def read(container: Container, actor: Actor) -> dict[str, Any]:
        person = container.people.get_for(person_id, actor)
        today = container.cases.today()
        flagged = container.person_records.minors_without_guardian([person_id], today)
        hidden = ("pseudonymised_at", "merged_into_id", "registered_by")
        shown = {k: v for k, v in vars(person).items() if k not in hidden}
        return shown | {"minor_without_guardian": person_id in flagged}

    output(run_as(as_user, read), json_out, field_lines)


@people_app.command("link")
def people_link(
    person_id: int,
    guardian: Annotated[
        int | None, typer.Option(help="A guardian's id: their link, while the person is a minor.")
    ] = None,
    hours: Annotated[
        int | None, typer.Option(min=1, max=168, help="Valid this long (default: a reminder's).")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Print a single-use sign-in link to the young person's own pages (or a guardian's), to
    hand over in person; advisors who follow the person."""
    from datetime import timedelta  # noqa: PLC0415 - fast start

    container, actor = acting(as_user)
    lifetime = timedelta(hours=hours) if hours else None
    url = run_or_exit(
        lambda: container.portal.hand_link(person_id, actor, guardian, lifetime=lifetime)
    )
    typer.echo(url)


@people_app.command("update")
def people_update(person_id: int, sets: Sets = None, as_user: AsUser = None) -> None:
    """Change or correct contacts, consent and profile (each change in the cases' history)."""
    changes = typed(parse_pairs(sets, "--set"))
    result = run_as(as_user, lambda c, actor: c.people.update(person_id, changes, actor))
    typer.echo(f"person {result.person.id} updated: {', '.join(sorted(changes)) or 'nothing'}")


@guardians_app.command("list")
def guardians_list(person_id: int, as_user: AsUser = None, json_out: JsonOut = False) -> None:
    """List a person's guardians, parental authority first."""
    found = run_as(as_user, lambda c, actor: c.person_records.guardians(person_id, actor))
    output(found, json_out, lambda guardians: map(_guardian_line, guardians))


def _guardian_line(g: Guardian) -> str:
    authority = "parental authority" if g.parental_authority else "no parental authority"
    contact = ", ".join(c for c in (g.email, g.phone) if c)
    return f"{g.id}\t{g.name}\t{g.link}\t{authority}\t{contact}\t{g.preferred_channel}"


@guardians_app.command("add")
def guardians_add(
    person_id: int,
    name: Annotated[str, typer.Option()],
    sets: Sets = None,
    as_user: AsUser = None,
) -> None:
    """Record a guardian (--set link=mother email=… phone=… consent_sms=true …)."""
    values = {"name": name, **typed(parse_pairs(sets, "--set"))}
    added = run_as(
        as_user, lambda c, actor: c.person_records.add_guardian(person_id, values, actor)
    )
    typer.echo(f"guardian {added.id}")


@guardians_app.command("update")
def guardians_update(
    person_id: int, guardian_id: int, sets: Sets = None, as_user: AsUser = None
) -> None:
    """Correct a guardian's fields."""
    container, actor = acting(as_user)
    changes = typed(parse_pairs(sets, "--set"))
    run_or_exit(
        lambda: container.person_records.update_guardian(person_id, guardian_id, changes, actor)
    )
    typer.echo(f"guardian {guardian_id} updated: {', '.join(sorted(changes)) or 'nothing'}")


@guardians_app.command("remove")
def guardians_remove(person_id: int, guardian_id: int, as_user: AsUser = None) -> None:
    """Remove a guardian."""
    run_as(
        as_user, lambda c, actor: c.person_records.remove_guardian(person_id, guardian_id, actor)
    )
    typer.echo(f"guardian {guardian_id} removed")


@sensitive_app.command("show")
def sensitive_show(
    person_id: int,
    case: Annotated[int | None, typer.Option(help="The case you read it for.")] = None,
    as_user: AsUser = None,
    json_out: JsonOut = False,
) -> None:
    """Read a person's sensitive data (your read is recorded; never printed to the logs)."""
    data = run_as(
        as_user,
        lambda c, actor: c.person_records.sensitive(
            person_id, actor, case, entry_point="cli:people sensitive show"
        ),
    )
    output(data, json_out, lambda found: field_lines(vars(found)))


@sensitive_app.command("set")
def sensitive_set(person_id: int, sets: Sets = None, as_user: AsUser = None) -> None:
    """Replace a person's sensitive data (--set rqth=true fewer_opportunities=true
    fewer_opportunities_reason=health inclusion_support_amount=350 …)."""
    values = typed(parse_pairs(sets, "--set"))
    run_as(as_user, lambda c, actor: c.person_records.put_sensitive(person_id, values, actor))
    typer.echo(f"sensitive data of person {person_id} replaced")
