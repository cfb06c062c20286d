"""GET /metrics in the Prometheus text format, for a scraper with a token or on a known network."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware

from ipm_workflow.bootstrap import metrics_exposition
from ipm_workflow.config import Settings
from ipm_workflow.entrypoints.http.deps import ContainerDep

PATH = "/metrics"


def _networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in settings.metrics_networks]


def _from_allowed_network(settings: Settings, host: str | None) -> bool:
    if not host or not settings.metrics_networks:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in _networks(settings))


def metrics_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Let in a scraper with the metrics bearer token, or one from an allowed network."""
    settings: Settings = connection.app.state.container.settings
    client = connection.client.host if connection.client else None
    if _from_allowed_network(settings, client):
        return
    given = connection.headers.get("authorization", "")
    scheme, _sep, token = given.partition(" ")
    expected = settings.metrics_token
    if (
        expected is not None
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), expected.get_secret_value().encode())
    ):
        return
    if expected is None:
        raise PermissionDeniedException("metrics are served to the configured networks only")
    raise NotAuthorizedException("metrics need the metrics bearer token (IPM_METRICS_TOKEN)")


@get(
    PATH,
    sync_to_thread=True,
    exclude_from_auth=True,
    guards=[metrics_guard],
    include_in_schema=False,
)
def metrics(container: ContainerDep) -> Response[bytes]:
    """Every metric, in the Prometheus text exposition format."""
    body, content_type = metrics_exposition(container)
    return Response(body, media_type=content_type)


def request_metrics_middleware() -> DefineMiddleware:
    """Count requests and time them by route template, method and status (Litestar's plugin)."""
    from litestar.plugins.prometheus import (  # noqa: PLC0415
        PrometheusConfig,
        PrometheusMiddleware,
    )

    config = PrometheusConfig(
        app_name="ipm_workflow",
        prefix="ipm_http",
        group_path=True,  # the route template, never the ids of a path (bounded labels)
        exclude=[f"^{PATH}$", "^/health$", "^/schema"],
    )
    return DefineMiddleware(PrometheusMiddleware, config=config)
