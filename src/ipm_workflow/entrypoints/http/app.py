"""The Litestar application factory."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Server

from ipm_workflow import __version__
from ipm_workflow.bootstrap import bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.entrypoints.http.admin import AdminController
from ipm_workflow.entrypoints.http.aftercare import AftercareController
from ipm_workflow.entrypoints.http.attribution import StaffController, eligibility
from ipm_workflow.entrypoints.http.audit import AuditController
from ipm_workflow.entrypoints.http.auth import FailureBrake, TokenAuthenticationMiddleware
from ipm_workflow.entrypoints.http.bodies import CheckedRequest, refuse_nul_in_url
from ipm_workflow.entrypoints.http.case_changes import CaseChangeController
from ipm_workflow.entrypoints.http.cases import CaseController
from ipm_workflow.entrypoints.http.catalogue import WorkflowController, health, ready
from ipm_workflow.entrypoints.http.cohorts import CohortController, merge_case
from ipm_workflow.entrypoints.http.context import request_id_middleware
from ipm_workflow.entrypoints.http.contract import allow_every_method, publish_contract
from ipm_workflow.entrypoints.http.deps import DEPENDENCIES, ContainerDep
from ipm_workflow.entrypoints.http.funder_files import beneficiary_module
from ipm_workflow.entrypoints.http.guardians import GuardianController, SensitiveController
from ipm_workflow.entrypoints.http.metrics import metrics as metrics_route
from ipm_workflow.entrypoints.http.metrics import request_metrics_middleware
from ipm_workflow.entrypoints.http.people import PeopleController
from ipm_workflow.entrypoints.http.privacy import PrivacyController
from ipm_workflow.entrypoints.http.problems import EXCEPTION_HANDLERS
from ipm_workflow.entrypoints.http.reminders import ReminderController
from ipm_workflow.entrypoints.http.reports import ReportController
from ipm_workflow.entrypoints.http.sandbox import SandboxController, mark_sandbox
from ipm_workflow.entrypoints.http.uploads import UploadController
from ipm_workflow.entrypoints.observability import metrics_enabled, start_metrics
from ipm_workflow.entrypoints.web.app import WEB_PATHS, template_config, web_handlers
from ipm_workflow.entrypoints.web.portal_pages import portal_brake
from ipm_workflow.entrypoints.worker import worker_for
from ipm_workflow.logging import configure_logging

# The pages (entrypoints/web) check their own session cookie and CSRF token instead.
PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema", *WEB_PATHS]


def openapi_config(sandbox: bool = False) -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema, with bearer authentication declared."""
    return OpenAPIConfig(
        title="ipm-workflow API" + (" (TRAINING SANDBOX)" if sandbox else ""),
        version=__version__,
        description="Cases of young people's international mobility journeys: explained "
        "actions, transitions, history and audit. Errors are RFC 9457 problem details.",
        path="/schema",
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="A token from `ipm-workflow tokens create`",
                )
            }
        ),
        security=[{"BearerToken": []}],
    )


def create_app(
    settings: Settings | None = None,
    container: ContainerDep | None = None,
    *,
    reuse: Litestar | None = None,
) -> Litestar:
    """Build the application from the container bootstrap builds (from the settings).

    Refuses to start when a workflow file is invalid or the database is of the other mode.
    `reuse`: an application this function built before, of the same shape (sandbox or not,
    metrics or not), no longer serving; it serves this container instead of a new one being
    built (building reads every handler's signature: ~0.3 s, most of a short test).
    """
    settings = settings or (container.settings if container else Settings())
    configure_logging(settings.log_format, settings.log_level)
    container = container or bootstrap(settings)
    app = reuse or _application(settings.sandbox, metrics=metrics_enabled(container))
    return _serve(app, container)


def _serve(app: Litestar, container: ContainerDep) -> Litestar:
    """Give an application its container: mode claimed, metrics, worker, a fresh brake."""
    settings = container.settings
    shape = (settings.sandbox, metrics_enabled(container))
    if app.state.get("shape") != shape:
        raise ValueError(f"an application of shape {app.state.get('shape')} cannot serve {shape}")
    container.claim_mode()
    telemetry, stop_metrics = start_metrics(container)
    worker = (
        worker_for(container, telemetry) if settings.embedded_worker or settings.sandbox else None
    )
    app.state.update(container=container, brake=FailureBrake(), worker=worker, stop=stop_metrics)
    app.state["portal_brake"] = portal_brake(settings)
    app.state.pop("sandbox", None)
    if settings.sandbox and worker is not None:
        app.state["sandbox"] = container.sandbox(worker.run_once, worker.lock)
    return app


async def _start_worker(app: Litestar) -> None:
    if app.state.worker is not None:
        app.state.worker.start()


async def _stop(app: Litestar) -> None:
    if app.state.worker is not None:
        await app.state.worker.stop()
    app.state.container.close()
    app.state.stop()


def _application(sandbox: bool, *, metrics: bool) -> Litestar:
    """The routes, middleware and configuration; `_serve` gives it its container."""
    handlers: list[Any] = [
        CaseController,
        CaseChangeController,
        PeopleController,
        GuardianController,
        SensitiveController,
        PrivacyController,
        WorkflowController,
        AuditController,
        AdminController,
        ReminderController,
        CohortController,
        AftercareController,
        StaffController,
        ReportController,
        UploadController,
        eligibility,
        beneficiary_module,  # issue 14
        merge_case,
        health,
        ready,
        *web_handlers(),
    ]
    middleware: list[Any] = [
        request_id_middleware,
        DefineMiddleware(TokenAuthenticationMiddleware, exclude=PUBLIC_PATHS),
    ]
    if metrics:
        handlers.append(metrics_route)
        middleware.insert(0, request_metrics_middleware())
    before_send: list[Any] = [allow_every_method]
    if sandbox:
        handlers.append(SandboxController)
        before_send.append(mark_sandbox)
    app = Litestar(
        route_handlers=handlers,
        dependencies=DEPENDENCIES,
        middleware=middleware,
        before_send=before_send,
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=CheckedRequest,
        before_request=refuse_nul_in_url,
        openapi_config=openapi_config(sandbox),
        template_config=template_config(),
        state=State({"shape": (sandbox, metrics)}),
        on_startup=[_start_worker],
        on_shutdown=[_stop],
        logging_config=None,
        debug=False,
    )
    publish_contract(app, ["/health", "/ready"])
    return app
