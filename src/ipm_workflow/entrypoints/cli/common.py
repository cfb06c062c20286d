"""Shared pieces of the command line: the command groups, options and helpers."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Annotated, Any

import typer

from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.errors import DomainError, Forbidden
from ipm_workflow.domain.policy import OPERATOR_ACTOR, Actor
from ipm_workflow.logging import configure_logging

app = typer.Typer(
    help="ipm-workflow: declared journeys for youth international mobility.", no_args_is_help=True
)
workflows_app = typer.Typer(help="Check, list and draw workflow definitions.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
cases_app = typer.Typer(help="Open, inspect and advance cases.", no_args_is_help=True)
people_app = typer.Typer(help="Young people.", no_args_is_help=True)
ml_app = typer.Typer(help="Missions locales.", no_args_is_help=True)
users_app = typer.Typer(help="Users (advisors, supervisors, admins).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: shown once, stored as hashes.", no_args_is_help=True)
audit_app = typer.Typer(help="Tamper-evidence of the history.", no_args_is_help=True)
reminders_app = typer.Typer(help="Reminders: agenda, preview, retry.", no_args_is_help=True)
cohorts_app = typer.Typer(help="Groups leaving together; bulk actions.", no_args_is_help=True)
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
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Inputs = Annotated[list[str] | None, typer.Option("--input", "-i", help="field=value, repeatable.")]


def settings_from_env() -> Settings:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


def open_container() -> Container:
    try:
        return bootstrap(settings_from_env())
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None


def actor_for(container: Container, as_user: str | None, role: str | None = None) -> Actor:
    """Return the user named by --as (in a role their own allows), or the console operator."""

    def resolve() -> Actor:
        if as_user is None:
            if role is not None:
                raise Forbidden("--role needs --as USERNAME: the console operator has one role")
            return OPERATOR_ACTOR
        return Actor.of(container.people.user_by_name(as_user), role)

    actor: Actor = run_or_exit(resolve)
    return actor


def parse_pairs(items: list[str] | None) -> dict[str, str]:
    pairs = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected field=value, got {item!r}")
        pairs[key.strip()] = value
    return pairs


def plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, date):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    typer.echo(json.dumps(plain(value), indent=2, ensure_ascii=False, default=str))


def run_or_exit(action: Any) -> Any:
    """Run a command; domain errors become a message and exit code 1, not a traceback."""
    try:
        return action()
    except DomainError as exc:
        typer.echo(f"error ({exc.kind}): {exc.message}", err=True)
        for item in exc.context.get("errors", []):
            typer.echo(f"  - {item['field']}: {item['message']}", err=True)
        raise typer.Exit(1) from None
