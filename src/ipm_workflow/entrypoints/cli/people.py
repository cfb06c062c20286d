"""Commands on the people around a journey: contact, profile, guardians, sensitive data, and
the communes reference."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    JsonOut,
    acting,
    app,
    parse_pairs,
    people_app,
    print_json,
    run_or_exit,
)
from ipm_workflow.entrypoints.cli.problems import BadValue

guardians_app = typer.Typer(
    help="A young person's legal guardians.", no_args_is_help=True, rich_markup_mode=None
)
sensitive_app = typer.Typer(
    help="Sensitive data: need-to-know, every read recorded.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
reference_app = typer.Typer(
    help="Reference data an admin loads.", no_args_is_help=True, rich_markup_mode=None
)
people_app.add_typer(guardians_app, name="guardians")
people_app.add_typer(sensitive_app, name="sensitive")
app.add_typer(reference_app, name="reference")

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


@people_app.command("show")
def people_show(person_id: int, as_user: AsUser = None, json_out: JsonOut = False) -> None:
    """Show a young person: contacts, consent, profile, and the flag of a minor with no
    guardian on file."""
    container, actor = acting(as_user)
    person = run_or_exit(lambda: container.people.get_for(person_id, actor))
    flagged = container.person_records.minors_without_guardian([person_id], container.cases.today())
    shown = {
        k: v
        for k, v in vars(person).items()
        if k not in ("pseudonymised_at", "merged_into_id", "registered_by")
    }
    shown["minor_without_guardian"] = person_id in flagged
    if json_out:
        print_json(shown)
        return
    for key, value in shown.items():
        typer.echo(f"{key}: {'' if value is None else value}")


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
    container, actor = acting(as_user)
    changes = typed(parse_pairs(sets, "--set"))
    result = run_or_exit(lambda: container.people.update(person_id, changes, actor))
    typer.echo(f"person {result.person.id} updated: {', '.join(sorted(changes)) or 'nothing'}")


@guardians_app.command("list")
def guardians_list(person_id: int, as_user: AsUser = None, json_out: JsonOut = False) -> None:
    """List a person's guardians, parental authority first."""
    container, actor = acting(as_user)
    found = run_or_exit(lambda: container.person_records.guardians(person_id, actor))
    if json_out:
        print_json(found)
        return
    for g in found:
        authority = "parental authority" if g.parental_authority else "no parental authority"
        contact = ", ".join(c for c in (g.email, g.phone) if c)
        typer.echo(f"{g.id}\t{g.name}\t{g.link}\t{authority}\t{contact}\t{g.preferred_channel}")


@guardians_app.command("add")
def guardians_add(
    person_id: int,
    name: Annotated[str, typer.Option()],
    sets: Sets = None,
    as_user: AsUser = None,
) -> None:
    """Record a guardian (--set link=mother email=… phone=… consent_sms=true …)."""
    container, actor = acting(as_user)
    values = {"name": name, **typed(parse_pairs(sets, "--set"))}
    added = run_or_exit(lambda: container.person_records.add_guardian(person_id, values, actor))
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
    container, actor = acting(as_user)
    run_or_exit(lambda: container.person_records.remove_guardian(person_id, guardian_id, actor))
    typer.echo(f"guardian {guardian_id} removed")


@sensitive_app.command("show")
def sensitive_show(
    person_id: int,
    case: Annotated[int | None, typer.Option(help="The case you read it for.")] = None,
    as_user: AsUser = None,
    json_out: JsonOut = False,
) -> None:
    """Read a person's sensitive data (your read is recorded; never printed to the logs)."""
    container, actor = acting(as_user)
    data = run_or_exit(
        lambda: container.person_records.sensitive(
            person_id, actor, case, entry_point="cli:people sensitive show"
        )
    )
    if json_out:
        print_json(data)
        return
    for key, value in vars(data).items():
        typer.echo(f"{key}: {'' if value is None else value}")


@sensitive_app.command("set")
def sensitive_set(person_id: int, sets: Sets = None, as_user: AsUser = None) -> None:
    """Replace a person's sensitive data (--set rqth=true fewer_opportunities=true
    fewer_opportunities_reason=health inclusion_support_amount=350 …)."""
    container, actor = acting(as_user)
    values = typed(parse_pairs(sets, "--set"))
    run_or_exit(lambda: container.person_records.put_sensitive(person_id, values, actor))
    typer.echo(f"sensitive data of person {person_id} replaced")


@reference_app.command("load-communes")
def load_communes(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_user: AsUser = None,
) -> None:
    """Load the communes reference (CSV: insee_code, departement, qpv, rural)."""
    from ipm_workflow.bootstrap import read_communes  # noqa: PLC0415 - fast start

    container, actor = acting(as_user)
    communes = run_or_exit(lambda: read_communes(file))
    loaded = run_or_exit(lambda: container.person_records.load_communes(communes, actor))
    typer.echo(f"{loaded} communes loaded")
