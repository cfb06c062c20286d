"""Commands that run the service: API server, worker, demo data, reminders."""

from __future__ import annotations

import signal
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipm_workflow.domain.errors import DomainError
from ipm_workflow.entrypoints.cli.common import (
    AsUser,
    Role,
    acting,
    app,
    open_container,
    reminders_app,
    run_as,
    run_or_exit,
    settings_from_env,
)

if TYPE_CHECKING:
    from ipm_workflow.bootstrap import Container
    from ipm_workflow.config import Settings

# A server process spends its first seconds importing and building its app; uvicorn's parent
# kills a child that does not answer its health ping in time. A loaded machine must not make
# it kill children that are merely starting.
HEALTHCHECK_SECONDS = 60


def refusing_to_start(check: Callable[[], Any]) -> Any:
    """Run a start-up check; a refusal exits 2 with its reason on one line."""
    try:
        return check()
    except DomainError as exc:
        typer.echo(f"refusing to start: {exc.message}", err=True)
        raise typer.Exit(2) from None


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
    import uvicorn  # noqa: PLC0415 - only the server needs it (fast start, see common.py)
    from uvicorn.supervisors import Multiprocess  # noqa: PLC0415

    from ipm_workflow.bootstrap import prepare_to_serve  # noqa: PLC0415
    from ipm_workflow.services import demo  # noqa: PLC0415

    overrides: dict[str, Any] = {"embedded_worker": worker}
    if sandbox:
        overrides["sandbox"] = True
    settings = settings_from_env(**overrides)
    refusing_to_start(lambda: prepare_to_serve(settings))
    host, port = host or settings.host, port or settings.port
    # Links in messages point to where this server really listens (unless IPM_PUBLIC_URL says).
    settings = settings.model_copy(update={"host": host, "port": port})
    if settings.sandbox:
        container = open_container(settings)
        demo.load(container.cases, container.people)
        typer.echo("TRAINING SANDBOX: messages are captured in its outbox, never sent.")
        print_credentials(container, host, port)
        container.close()
    typer.echo(
        f"ipm-workflow pages and API on http://{host}:{port}/ (API: /api/v1, OpenAPI: /schema)",
        err=True,
    )
    config = server_config(settings, workers=workers, access_log=access_log)
    server = uvicorn.Server(config)
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server.run()
    if workers == 1 and not server.started:
        raise typer.Exit(3)


def server_config(settings: Settings, *, workers: int = 1, access_log: bool = False) -> Any:
    """Uvicorn's configuration for `serve`: the app factory, the address, the trusted proxies."""
    import uvicorn  # noqa: PLC0415 - only the server needs it (fast start, see common.py)

    from ipm_workflow.entrypoints.http.app import create_app  # noqa: PLC0415

    # Every server process builds its own app from these very settings (pickled to the
    # children), never from variables this process would write into its environment.
    # Behind a reverse proxy, the client address (the failure brake's key) is the one the
    # trusted proxies forward; anybody else's X-Forwarded-For is ignored.
    return uvicorn.Config(
        partial(create_app, settings),
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        access_log=access_log,
        log_config=None,
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
    )


def print_credentials(container: Container, host: str, port: int) -> None:
    """Print the pages' and the API's addresses, the demo users' passwords and fresh tokens."""
    typer.echo(f"\nOpen http://{host}:{port}/ and sign in (web pages for staff)")
    typer.echo(f"API: http://{host}:{port}/api/v1  (OpenAPI: http://{host}:{port}/schema)")
    typer.echo("Demo credentials (fake passwords; tokens valid one day, new ones at each start):")
    from ipm_workflow.services import demo  # noqa: PLC0415 - fast start

    for username, _, role, _ in demo.USERS:
        container.accounts.ensure_password(username, demo.PASSWORD)
        issued = container.tokens.issue(username, days=1, label="demo")
        typer.echo(
            f"  {role:<10} {username:<16} Authorization: Bearer {issued.token}"
            f"  password: {demo.PASSWORD}"
        )
    link = demo.young_person_link(container.portal, container.people)
    if link:
        typer.echo(f"A demo young person's own pages (single-use link, 72 h): {link}")
    typer.echo("")


@app.command("worker")
def run_worker(
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then exit.")] = False,
) -> None:
    """Run a reminder worker alone (any number can share one PostgreSQL); stops on SIGTERM."""
    import asyncio  # noqa: PLC0415 - fast start (see common.py)

    from ipm_workflow.entrypoints.worker import worker_for  # noqa: PLC0415

    container = open_container(settings_from_env(sandbox=False))
    refusing_to_start(container.claim_mode)
    refusing_to_start(lambda: container.retention)  # its daily job reads the rules file

    from ipm_workflow.entrypoints.observability import start_metrics  # noqa: PLC0415

    # Counted into PROMETHEUS_MULTIPROC_DIR, where a server of the same host scrapes them.
    telemetry, stop_metrics = start_metrics(container)

    async def main_loop() -> None:
        worker = worker_for(container, telemetry)
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
    container, actor = acting(as_user, role)
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
    message = run_as(as_user, lambda c, actor: c.delivery.preview(reminder_id, actor), role)
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
    from ipm_workflow.bootstrap import upgrade_database  # noqa: PLC0415 - fast start
    from ipm_workflow.services import demo  # noqa: PLC0415

    settings = settings_from_env()
    upgrade_database(settings, sandbox=settings.sandbox)
    container = open_container(settings)
    loaded = demo.load(container.cases, container.people)
    typer.echo("demo data loaded" if loaded else "demo data already present")
    if tokens:
        print_credentials(container, container.settings.host, container.settings.port)
    container.close()
