"""The Litestar application factory."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Server

from ipm_workflow import __version__
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.entrypoints.http.admin import AdminController
from ipm_workflow.entrypoints.http.audit import AuditController
from ipm_workflow.entrypoints.http.auth import FailureBrake, TokenAuthenticationMiddleware
from ipm_workflow.entrypoints.http.cases import CaseController
from ipm_workflow.entrypoints.http.catalogue import WorkflowController, health, ready
from ipm_workflow.entrypoints.http.context import request_id_middleware
from ipm_workflow.entrypoints.http.deps import DEPENDENCIES
from ipm_workflow.entrypoints.http.people import PeopleController
from ipm_workflow.entrypoints.http.problems import EXCEPTION_HANDLERS
from ipm_workflow.logging import configure_logging

PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema"]


def openapi_config() -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema, with bearer authentication declared."""
    return OpenAPIConfig(
        title="ipm-workflow API",
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


def create_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    """Build the application; refuses to start when a workflow file is invalid."""
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    container = container or bootstrap(settings)
    return Litestar(
        route_handlers=[
            CaseController,
            PeopleController,
            WorkflowController,
            AuditController,
            AdminController,
            health,
            ready,
        ],
        dependencies=DEPENDENCIES,
        middleware=[
            request_id_middleware,
            DefineMiddleware(TokenAuthenticationMiddleware, exclude=PUBLIC_PATHS),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi_config(),
        state=State({"container": container, "brake": FailureBrake()}),
        on_shutdown=[container.close],
        logging_config=None,
        debug=False,
    )
