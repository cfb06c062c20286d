"""Shared pieces of the command line: the command groups, options and helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ipm_workflow.domain.json_values import plain
from ipm_workflow.entrypoints.cli.problems import BadValue, ProblemGroup

T = TypeVar("T")

if TYPE_CHECKING:
    from ipm_workflow.bootstrap import Container
    from ipm_workflow.config import Settings
    from ipm_workflow.services.commands import Actor

# Heavy modules (settings, SQLAlchemy, Alembic, Litestar…) are imported inside the commands
# that need them: `ipm-workflow --help` and the offline commands start in a fraction of a second.
app = typer.Typer(
    cls=ProblemGroup,
    # Plain help and usage errors: rich's formatting would cost a third of the start-up.
    rich_markup_mode=None,
    # Failures are mapped to one line each by ProblemGroup; no rich traceback to print.
    pretty_exceptions_enable=False,
    help="ipm-workflow: declared journeys for youth international mobility.",
    no_args_is_help=True,
)
workflows_app = typer.Typer(
    help="Check, list and draw workflow definitions.", no_args_is_help=True, rich_markup_mode=None
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True, rich_markup_mode=None)
cases_app = typer.Typer(
    help="Open, inspect and advance cases.", no_args_is_help=True, rich_markup_mode=None
)
people_app = typer.Typer(help="Young people.", no_args_is_help=True, rich_markup_mode=None)
ml_app = typer.Typer(help="Missions locales.", no_args_is_help=True, rich_markup_mode=None)
users_app = typer.Typer(
    help="Users (advisors, supervisors, admins).", no_args_is_help=True, rich_markup_mode=None
)
tokens_app = typer.Typer(
    help="API tokens: shown once, stored as hashes.", no_args_is_help=True, rich_markup_mode=None
)
audit_app = typer.Typer(
    help="Tamper-evidence of the history.", no_args_is_help=True, rich_markup_mode=None
)
reminders_app = typer.Typer(
    help="Reminders: agenda, preview, retry.", no_args_is_help=True, rich_markup_mode=None
)
cohorts_app = typer.Typer(
    help="Groups leaving together; bulk actions.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(workflows_app, name="workflows")
app.add_typer(db_app, name="db")
app.add_typer(cases_app, name="cases")
app.add_typer(people_app, name="people")
app.add_typer(ml_app, name="ml")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(reminders_app, name="reminders")
app.add_typer(cohorts_app, name="cohorts")

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this user (username), with their role and missions locales. Without it "
        "you act as the console operator, who reads everything and administers, but does no "
        "case work (see the README's access table).",
    ),
]
Role = Annotated[
    str | None,
    typer.Option(help="Workflow role to act in, among those the user's role allows."),
]
Reason = Annotated[
    str | None, typer.Option(help="Why (kept in the history); the workflow says when it is needed.")
]
ExpectedVersion = Annotated[
    int | None, typer.Option(help="Refuse if the case is no longer at this version.")
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Inputs = Annotated[list[str] | None, typer.Option("--input", "-i", help="field=value, repeatable.")]


def settings_from_env(**overrides: Any) -> Settings:
    """Read the settings (IPM_* variables, .env) once, with the command's options on top."""
    from ipm_workflow.config import Settings  # noqa: PLC0415 - see the note on `app`
    from ipm_workflow.logging import configure_logging  # noqa: PLC0415

    settings = Settings(**overrides)
    configure_logging(settings.log_format, settings.log_level)
    return settings


def open_container(settings: Settings | None = None) -> Container:
    """Build every adapter and service through the composition root."""
    from ipm_workflow.bootstrap import bootstrap  # noqa: PLC0415 - see the note on `app`

    return bootstrap(settings or settings_from_env())


def actor_for(container: Container, as_user: str | None, role: str | None = None) -> Actor:
    """Return the user named by --as (in a role their own allows), or the console operator."""
    from ipm_workflow.domain.errors import Forbidden  # noqa: PLC0415 - fast start
    from ipm_workflow.domain.policy import OPERATOR_ACTOR, Actor  # noqa: PLC0415

    def resolve() -> Actor:
        if as_user is None:
            if role is not None:
                raise Forbidden("--role needs --as USERNAME: the console operator has one role")
            return OPERATOR_ACTOR
        return Actor.of(container.people.user_by_name(as_user), role)

    actor: Actor = run_or_exit(resolve)
    return actor


def acting(as_user: str | None, role: str | None = None) -> tuple[Container, Actor]:
    """Open the container and resolve who acts (--as, --role), as `actor_for` does."""
    container = open_container()
    return container, actor_for(container, as_user, role)


def run_as(
    as_user: str | None, action: Callable[[Container, Actor], T], role: str | None = None
) -> T:
    """Open the container, resolve who acts (--as, --role) and run `action` with both; its
    result, or its failure as one line (`cli/problems.py`)."""
    container, actor = acting(as_user, role)
    result: T = run_or_exit(lambda: action(container, actor))
    return result


def output(
    value: T,
    json_out: bool,
    lines: Callable[[T], Iterable[str]],
    as_json: Callable[[T], Any] | None = None,
) -> None:
    """Print a command's answer: as JSON for scripts (--json; `as_json` picks what of it), or
    as the lines `lines` writes for a reader."""
    if json_out:
        print_json(as_json(value) if as_json else value)
        return
    for line in lines(value):
        typer.echo(line)


def field_lines(values: dict[str, Any]) -> Iterator[str]:
    """`key: value` lines of a record, an empty value for None."""
    for key, value in values.items():
        yield f"{key}: {'' if value is None else value}"


def parse_pairs(items: list[str] | None, option: str = "--input") -> dict[str, str]:
    """Read repeated `field=value` options; a malformed one is named by position, not value."""
    pairs = {}
    for position, item in enumerate(items or [], start=1):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadValue(f"{option} #{position}: expected field=value")
        pairs[key.strip()] = value
    return pairs


def parse_date(value: str | None, option: str) -> date | None:
    """Read an optional YYYY-MM-DD option; the error names the option, never the value."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadValue(f"{option}: expected a date as YYYY-MM-DD") from None


def print_json(value: Any) -> None:
    """Print a command's answer as JSON (`domain/json_values.plain`); a workflow's declared
    piece (a pydantic model) as its own JSON form, anything else unknown as text."""
    typer.echo(json.dumps(plain(value), indent=2, ensure_ascii=False, default=_json_fallback))


def _json_fallback(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


def run_or_exit(action: Any) -> Any:
    """Run a command's action; its failure is mapped to one line by `cli/problems.py`."""
    return action()
