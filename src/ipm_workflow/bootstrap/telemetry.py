"""Metrics: the Prometheus exposition and the counting of a container's events."""

from __future__ import annotations

from collections.abc import Callable

from ipm_workflow.bootstrap.container import Container
from ipm_workflow.services.telemetry import Telemetry


def metrics_exposition(container: Container) -> tuple[bytes, str]:
    """Every metric in the Prometheus text format, with its content type."""
    from ipm_workflow.adapters.metrics import CONTENT_TYPE, exposition  # noqa: PLC0415

    return exposition(container.engine, container.clock), CONTENT_TYPE


def start_prometheus(container: Container) -> tuple[Telemetry, Callable[[], None]]:
    """Count the container's events with prometheus-client; return the stop to call at exit."""
    from ipm_workflow.adapters import metrics as prometheus  # noqa: PLC0415

    telemetry = prometheus.PrometheusTelemetry()
    container.cases.store.telemetry = telemetry
    release_pool = prometheus.instrument_pool(container.engine)

    def stop() -> None:
        release_pool()
        prometheus.process_ended()

    return telemetry, stop
