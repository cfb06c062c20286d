"""The `ipm-workflow` command line, for operators and scripts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from dataclasses import asdict, is_dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.workflow_files import check_directory
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.cases import DocumentStatus
from ipm_workflow.domain.diagram import mermaid
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.people import MissionLocale, Person
from ipm_workflow.entrypoints.worker import Worker
from ipm_workflow.logging import configure_logging
from ipm_workflow.services import demo
from ipm_workflow.services.commands import (
    Actor,
    FireTrigger,
    OpenCase,
    RecordDocument,
    UpdateData,
)

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

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (username).")]
Role = Annotated[str | None, typer.Option(help="Role to act in (default: the user's role).")]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Inputs = Annotated[list[str] | None, typer.Option("--input", "-i", help="field=value, repeatable.")]


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


def _container() -> Container:
    try:
        return bootstrap(_settings())
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None


def _actor(container: Container, as_user: str | None, role: str | None) -> Actor:
    if as_user is None:
        # An operator at the console acts on every mission locale, in the role they name.
        return Actor("operator:cli", role or "advisor")
    return Actor.of(container.people.user_by_name(as_user), role)


def _pairs(items: list[str] | None) -> dict[str, str]:
    pairs = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected field=value, got {item!r}")
        pairs[key.strip()] = value
    return pairs


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str))


def _run(action: Any) -> Any:
    """Run a command; domain errors become a message and exit code 1, not a traceback."""
    try:
        return action()
    except DomainError as exc:
        typer.echo(f"error ({exc.kind}): {exc.message}", err=True)
        for item in exc.context.get("errors", []):
            typer.echo(f"  - {item['field']}: {item['message']}", err=True)
        raise typer.Exit(1) from None


@workflows_app.command("check")
def workflows_check(directory: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Validate every workflow file of a directory; exit 1 on any problem."""
    directory = directory or _settings().workflows_dir
    workflows, problems = check_directory(directory)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        raise typer.Exit(1)
    for wf in workflows:
        typer.echo(
            f"ok  {wf.name} v{wf.version}: {len(wf.states)} states, "
            f"{len(wf.transitions)} transitions, {len(wf.reminders)} reminder rules"
        )


@workflows_app.command("list")
def workflows_list() -> None:
    """List the loaded workflows and their versions."""
    container = _container()
    for compiled in container.registry.all():
        wf = compiled.definition
        typer.echo(f"{wf.name} v{wf.version}  {wf.title.en} / {wf.title.fr}")


@workflows_app.command("show")
def workflows_show(
    name: str,
    version: Annotated[int | None, typer.Option()] = None,
    lang: Annotated[str, typer.Option(help="Labels in 'en' or 'fr'.")] = "en",
) -> None:
    """Print a workflow as a Mermaid state diagram."""
    container = _container()
    compiled = _run(lambda: container.registry.get(name, version))
    typer.echo(mermaid(compiled.definition, lang), nl=False)


@workflows_app.command("migrate")
def workflows_migrate(
    name: str,
    to: Annotated[int, typer.Option("--to", help="Target version.")],
    maps: Annotated[
        list[str] | None, typer.Option("--map", help="OLD=NEW state mapping, repeatable.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Report, change nothing.")] = False,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """Move running cases of a workflow to another version (refuses unmapped states)."""
    container = _container()
    actor = _actor(container, as_user, role or "supervisor")
    mapping = _pairs(maps)
    moved = _run(lambda: container.versions.migrate(name, to, mapping, actor, dry_run=dry_run))
    verb = "would move" if dry_run else "moved"
    for m in moved:
        typer.echo(
            f"case {m.case_id}: v{m.from_version} {m.from_state} -> v{m.to_version} {m.to_state}"
        )
    typer.echo(f"{len(moved)} case(s) {verb} to {name} v{to}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (creates the SQLite file if needed)."""
    settings = _settings()
    engine = create_db_engine(settings.database_url)
    migrate.upgrade(engine)
    typer.echo(f"database at the latest schema ({engine.url.render_as_string()})")
    engine.dispose()


@ml_app.command("add")
def add_mission_locale(
    ml_id: str, name: str, departement: Annotated[str | None, typer.Option()] = None
) -> None:
    """Create or rename a mission locale."""
    container = _container()
    container.people.add_mission_locale(MissionLocale(ml_id, name, departement))
    typer.echo(f"mission locale {ml_id} saved")


@users_app.command("add")
def add_user(
    username: str,
    display_name: Annotated[str, typer.Option("--name")],
    role: Annotated[str, typer.Option(help="advisor, supervisor or admin")],
    ml: Annotated[list[str] | None, typer.Option(help="Mission locale id, repeatable.")] = None,
) -> None:
    """Create a user."""
    container = _container()
    user = _run(lambda: container.people.add_user(username, display_name, role, ml or []))
    typer.echo(f"user {user.id} ({user.username}, {user.role})")


@people_app.command("add")
def people_add(
    first_name: Annotated[str, typer.Option()],
    last_name: Annotated[str, typer.Option()],
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Register a young person (warns about probable duplicates)."""
    container = _container()
    born = date.fromisoformat(birth_date) if birth_date else None
    result = container.people.register(Person(None, first_name, last_name, born, email, phone))
    typer.echo(f"person {result.person.id}")
    for other in result.possible_duplicates:
        typer.echo(f"warning: possible duplicate of person {other.id}", err=True)


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
    container = _container()
    actor = _actor(container, as_user, role)
    cmd = OpenCase(person, workflow, ml, advisor, _pairs(inputs))
    case = _run(lambda: container.cases.open_case(cmd, actor))
    typer.echo(f"case {case.id} opened in {case.state} (version {case.version})")


@cases_app.command("show")
def cases_show(
    case_id: int, as_user: AsUser = None, role: Role = None, json_out: JsonOut = False
) -> None:
    """Show a case: state, data, documents."""
    container = _container()
    case = _run(lambda: container.cases.get(case_id, _actor(container, as_user, role)))
    if json_out:
        _print_json(case)
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
    container = _container()
    case, actions = _run(lambda: container.cases.actions(case_id, _actor(container, as_user, role)))
    if json_out:
        _print_json(actions)
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
    container = _container()
    actor = _actor(container, as_user, role)
    cmd = FireTrigger(case_id, trigger, _pairs(inputs), reason, expected_version)
    fired = _run(lambda: container.cases.fire(cmd, actor))
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
    container = _container()
    cmd = UpdateData(case_id, _pairs(changes), reason)
    case = _run(lambda: container.cases.update_data(cmd, _actor(container, as_user, role)))
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
    container = _container()
    if status not in ("missing", "received", "validated", "expired", "refused"):
        raise typer.BadParameter(f"unknown status {status!r}")
    doc_status: DocumentStatus = status  # type: ignore[assignment]
    cmd = RecordDocument(
        case_id,
        document,
        doc_status,
        date.fromisoformat(valid_from) if valid_from else None,
        date.fromisoformat(valid_until) if valid_until else None,
    )
    case = _run(lambda: container.cases.record_document(cmd, _actor(container, as_user, role)))
    typer.echo(f"case {case_id}: {document} {status} (version {case.version})")


@cases_app.command("history")
def cases_history(
    case_id: int, as_user: AsUser = None, role: Role = None, json_out: JsonOut = False
) -> None:
    """Print a case's history, oldest first."""
    container = _container()
    entries = _run(lambda: container.cases.history(case_id, _actor(container, as_user, role)))
    if json_out:
        _print_json(entries)
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
    container = _container()
    actor = _actor(container, as_user, "supervisor")
    merged = _run(lambda: container.merges.merge(survivor, duplicate, reason, actor))
    typer.echo(f"case {duplicate} merged into case {survivor} (now {merged.merged.state})")


@cohorts_app.command("create")
def cohorts_create(
    code: str,
    label: Annotated[str, typer.Option()],
    workflow: Annotated[str, typer.Option()],
    start: Annotated[str | None, typer.Option(help="Planned start, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Planned end, YYYY-MM-DD.")] = None,
) -> None:
    """Create a cohort (a group leaving together)."""
    container = _container()
    cohort = _run(
        lambda: container.cohorts.create(
            code,
            label,
            workflow,
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
        )
    )
    typer.echo(f"cohort {cohort.id} ({cohort.code})")


@cohorts_app.command("add")
def cohorts_add(
    cohort_id: int, case_ids: list[int], as_user: AsUser = None, role: Role = None
) -> None:
    """Put cases in a cohort."""
    container = _container()
    added = _run(
        lambda: container.cohorts.add_cases(cohort_id, case_ids, _actor(container, as_user, role))
    )
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
    container = _container()
    result = _run(
        lambda: container.cohorts.bulk_fire(
            cohort_id,
            trigger,
            _actor(container, as_user, role),
            inputs=_pairs(inputs),
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


@audit_app.command("verify")
def audit_verify(case: Annotated[int | None, typer.Option(help="Only this case.")] = None) -> None:
    """Recompute the hash chains; name the first broken entry of each broken case."""
    container = _container()
    reports = _run(lambda: container.cases.verify([case] if case is not None else None))
    broken = [r for r in reports if not r.ok]
    for r in broken:
        typer.echo(f"BROKEN case {r.case_id}: entry {r.broken_seq}: {r.problem}", err=True)
    entries = sum(r.entries for r in reports)
    typer.echo(f"{len(reports)} case(s), {entries} entries checked, {len(broken)} broken")
    if broken:
        raise typer.Exit(1)


@tokens_app.command("create")
def tokens_create(
    username: str,
    days: Annotated[int, typer.Option(help="Validity in days.")] = 90,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue an API token for a user; it is printed once and only its hash is kept."""
    container = _container()
    issued = _run(lambda: container.tokens.issue(username, days, label))
    typer.echo(issued.token)
    typer.echo(
        f"token {issued.record.id} for {username}, expires {issued.record.expires_at:%Y-%m-%d}",
        err=True,
    )


@tokens_app.command("list")
def tokens_list(username: str) -> None:
    """List a user's tokens (never their values)."""
    container = _container()
    _, records = _run(lambda: container.tokens.tokens_of(username))
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
    container = _container()
    if not container.tokens.revoke(token_id):
        typer.echo(f"no active token {token_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"token {token_id} revoked")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Default: IPM_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: IPM_PORT or 8000.")] = None,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
    worker: Annotated[
        bool,
        typer.Option(
            help="Run a reminder worker in each server process (--no-worker to scale out)."
        ),
    ] = True,
) -> None:
    """Run the HTTP API (refuses to start on an invalid workflow or an outdated schema)."""
    import uvicorn  # noqa: PLC0415 - only the server needs it; the other commands start faster

    settings = _settings()
    container = _container()
    missing = migrate.pending(container.engine)
    container.close()
    if missing:
        typer.echo(
            f"database schema is not current (pending: {', '.join(missing)}); "
            "run `ipm-workflow db upgrade`",
            err=True,
        )
        raise typer.Exit(2)
    host, port = host or settings.host, port or settings.port
    # Each server process builds its app from the environment (uvicorn imports the factory).
    os.environ["IPM_EMBEDDED_WORKER"] = "true" if worker else "false"
    typer.echo(
        f"ipm-workflow API on http://{host}:{port}/  (OpenAPI: http://{host}:{port}/schema)",
        err=True,
    )
    uvicorn.run(
        "ipm_workflow.entrypoints.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_config=None,
    )


@app.command("worker")
def run_worker(
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then exit.")] = False,
) -> None:
    """Run a reminder worker alone (any number can share one PostgreSQL); stops on SIGTERM."""
    container = _container()
    settings = container.settings

    async def main_loop() -> None:
        worker = Worker(
            container.delivery,
            container.channels(),
            concurrency=settings.worker_concurrency,
            poll_seconds=settings.worker_poll_seconds,
        )
        if once:
            handled = await worker.run_once()
            await worker.stop()
            typer.echo(f"{handled} reminder(s) handled")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        worker.start()
        await stop.wait()
        await worker.stop()

    asyncio.run(main_loop())
    container.close()


@reminders_app.command("list")
def reminders_list(
    case: Annotated[int | None, typer.Option(help="One case's reminders.")] = None,
    days: Annotated[int, typer.Option(help="Agenda horizon, in days.")] = 14,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """List a case's reminders, or the agenda of what is due soon."""
    container = _container()
    actor = _actor(container, as_user, role)
    if case is not None:
        rows = _run(lambda: container.reminders.of_case(case, actor))
    else:
        rows = container.reminders.agenda(actor, days).reminders
        counts = container.reminders.counts()
        typer.echo("by status: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    for r in rows:
        typer.echo(
            f"{r.id:>6} case {r.case_id:<5} {r.due_at:%Y-%m-%d %H:%M} {r.status:<9} "
            f"{r.kind:<10} {r.rule_id:<28} {r.recipient:<12} {r.outcome or ''}"
        )


@reminders_app.command("preview")
def reminders_preview(reminder_id: int, as_user: AsUser = None, role: Role = None) -> None:
    """Render a reminder as it would be sent now."""
    container = _container()
    message = _run(
        lambda: container.delivery.preview(reminder_id, _actor(container, as_user, role))
    )
    typer.echo(
        f"Channel: {message.channel}\nTo: {', '.join(message.to) or '(in-app)'}\n"
        f"Message-ID: {message.message_id}\nSubject: {message.subject}\n\n{message.body}"
    )


@reminders_app.command("retry")
def reminders_retry(reminder_id: int) -> None:
    """Requeue a dead-lettered (or skipped) reminder for a new delivery attempt."""
    container = _container()
    if not container.reminders.retry(reminder_id):
        typer.echo(f"reminder {reminder_id} is not dead-lettered or skipped", err=True)
        raise typer.Exit(1)
    typer.echo(f"reminder {reminder_id} requeued")


@app.command("demo")
def load_demo(
    tokens: Annotated[bool, typer.Option(help="Issue one-day tokens for the demo users.")] = True,
) -> None:
    """Load the demonstration data once, then print fresh demo credentials."""
    container = _container()
    migrate.upgrade(container.engine)
    loaded = demo.load(container.cases, container.people)
    typer.echo("demo data loaded" if loaded else "demo data already present")
    if not tokens:
        return
    settings = container.settings
    typer.echo(
        f"\nAPI: http://{settings.host}:{settings.port}/api/v1  "
        f"(OpenAPI: http://{settings.host}:{settings.port}/schema)"
    )
    typer.echo("Demo credentials (valid one day; new ones at each `make run`):")
    for username, _, role, _ in demo.USERS:
        issued = container.tokens.issue(username, days=1, label="demo")
        typer.echo(f"  {role:<10} {username:<16} Authorization: Bearer {issued.token}")
    typer.echo("")


def main() -> None:
    """Run the command line."""
    app(prog_name="ipm-workflow")


if __name__ == "__main__":
    main()
