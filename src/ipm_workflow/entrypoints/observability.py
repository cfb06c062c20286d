"""Turning metrics on for a process (API server or worker) when the settings ask for them."""

from __future__ import annotations

from collections.abc import Callable

from ipm_workflow.bootstrap import Container, start_prometheus
from ipm_workflow.services.telemetry import NO_TELEMETRY, Telemetry


def metrics_enabled(container: Container) -> bool:
    """Metrics are on only when a scraper token or network is configured (never by default)."""
    settings = container.settings
    return settings.metrics_token is not None or bool(settings.metrics_networks)


def start_metrics(container: Container) -> tuple[Telemetry, Callable[[], None]]:
    """Count events with prometheus-client when metrics are on; return the stop to call at exit."""
    if not metrics_enabled(container):
        return NO_TELEMETRY, lambda: None
    return start_prometheus(container)
