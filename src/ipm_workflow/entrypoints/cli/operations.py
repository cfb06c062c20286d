"""Commands that run the service: API server, worker, demo data, reminders."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Annotated

import typer

from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.instance import WrongInstance, claim_mode
from ipm_workflow.bootstrap import Container
from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    Role,
    actor_for,
    app,
    open_container,
    reminders_app,
    run_or_exit,
    settings_from_env,
)
from ipm_workflow.entrypoints.worker import Worker
from ipm_workflow.services import demo


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
    sandbox: Annotated[
        bool,
        typer.Option(
            help="Run a training sandbox on its own database, with a clock trainers move."
        ),
    ] = False,
) -> None:
    """Run the HTTP API (refuses an invalid workflow, an outdated schema, a wrong database)."""
    import uvicorn  # noqa: PLC0415 - only the server needs it; the other commands start faster

    if sandbox:
        os.environ["IPM_SANDBOX"] = "true"
    settings = settings_from_env()
    engine = create_db_engine(settings.active_database_url)
    if settings.sandbox:
        migrate.upgrade(engine)  # a sandbox sets itself up
    missing = migrate.pending(engine)
    if missing:
        typer.echo(
            f"database schema is not current (pending: {', '.join(missing)}); "
            "run `ipm-workflow db upgrade`",
            err=True,
        )
        raise typer.Exit(2)
    try:
        claim_mode(engine, settings.sandbox)
    except WrongInstance as exc:
        typer.echo(f"refusing to start: {exc.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    host, port = host or settings.host, port or settings.port
    if settings.sandbox:
        container = open_container()
        demo.load(container.cases, container.people)
        typer.echo("TRAINING SANDBOX: messages are captured in its outbox, never sent.")
        print_credentials(container, host, port)
        container.close()
    # Each server process builds its app from the environment (uvicorn imports the factory).
    os.environ["IPM_EMBEDDED_WORKER"] = "true" if worker else "false"
    # Links in messages point to where this server really listens (unless IPM_PUBLIC_URL says).
    os.environ["IPM_HOST"], os.environ["IPM_PORT"] = host, str(port)
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


def print_credentials(container: Container, host: str, port: int) -> None:
    """Print the API's address and fresh one-day tokens for the demo users."""
    typer.echo(f"\nAPI: http://{host}:{port}/api/v1  (OpenAPI: http://{host}:{port}/schema)")
    typer.echo("Demo credentials (valid one day; new ones at each start):")
    for username, _, role, _ in demo.USERS:
        issued = container.tokens.issue(username, days=1, label="demo")
        typer.echo(f"  {role:<10} {username:<16} Authorization: Bearer {issued.token}")
    typer.echo("")


@app.command("worker")
def run_worker(
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then exit.")] = False,
) -> None:
    """Run a reminder worker alone (any number can share one PostgreSQL); stops on SIGTERM."""
    container = open_container()
    settings = container.settings
    try:
        claim_mode(container.engine, sandbox=False)
    except WrongInstance as exc:
        typer.echo(f"refusing to start: {exc.message}", err=True)
        raise typer.Exit(2) from None

    from ipm_workflow.entrypoints.observability import start_metrics  # noqa: PLC0415

    # Counted into PROMETHEUS_MULTIPROC_DIR, where a server of the same host scrapes them.
    telemetry, stop_metrics = start_metrics(container)

    async def main_loop() -> None:
        worker = Worker(
            container.delivery,
            container.channels(),
            concurrency=settings.worker_concurrency,
            poll_seconds=settings.worker_poll_seconds,
            telemetry=telemetry,
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
    stop_metrics()
    container.close()


@reminders_app.command("list")
def reminders_list(
    case: Annotated[int | None, typer.Option(help="One case's reminders.")] = None,
    days: Annotated[int, typer.Option(help="Agenda horizon, in days.")] = 14,
    as_user: AsUser = None,
    role: Role = None,
) -> None:
    """List a case's reminders, or the agenda of what is due soon."""
    container = open_container()
    actor = actor_for(container, as_user, role)
    if case is not None:
        rows = run_or_exit(lambda: container.reminders.of_case(case, actor))
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
    container = open_container()
    message = run_or_exit(
        lambda: container.delivery.preview(reminder_id, actor_for(container, as_user, role))
    )
    typer.echo(
        f"Channel: {message.channel}\nTo: {', '.join(message.to) or '(in-app)'}\n"
        f"Message-ID: {message.message_id}\nSubject: {message.subject}\n\n{message.body}"
    )


@reminders_app.command("retry")
def reminders_retry(reminder_id: int) -> None:
    """Requeue a dead-lettered (or skipped) reminder for a new delivery attempt."""
    container = open_container()
    if not run_or_exit(lambda: container.reminders.retry(reminder_id)):
        typer.echo(f"reminder {reminder_id} is not dead-lettered or skipped", err=True)
        raise typer.Exit(1)
    typer.echo(f"reminder {reminder_id} requeued")


@app.command("demo")
def load_demo(
    tokens: Annotated[bool, typer.Option(help="Issue one-day tokens for the demo users.")] = True,
) -> None:
    """Load the demonstration data once, then print fresh demo credentials."""
    container = open_container()
    migrate.upgrade(container.engine)
    loaded = demo.load(container.cases, container.people)
    typer.echo("demo data loaded" if loaded else "demo data already present")
    if tokens:
        print_credentials(container, container.settings.host, container.settings.port)
    container.close()
