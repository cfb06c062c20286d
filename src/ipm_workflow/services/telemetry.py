"""What the services and the worker report for monitoring; the null reporter by default."""

from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    """Counts events as they happen (implemented with prometheus-client in the adapters)."""

    def transition(self, workflow: str, trigger: str) -> None:
        """Count one committed transition of a case on a workflow."""

    def worker_tick(self) -> None:
        """Count one tick of a reminder worker."""

    def claimed(self, count: int) -> None:
        """Count reminders a worker claimed for delivery."""

    def lease_lost(self) -> None:
        """Count a claimed reminder whose lease had run out before the worker got to it."""


class NoTelemetry:
    """Reports nothing: the CLI, the tests and a server without metrics use it."""

    def transition(self, workflow: str, trigger: str) -> None:
        """Do nothing."""

    def worker_tick(self) -> None:
        """Do nothing."""

    def claimed(self, count: int) -> None:
        """Do nothing."""

    def lease_lost(self) -> None:
        """Do nothing."""


NO_TELEMETRY: Telemetry = NoTelemetry()
