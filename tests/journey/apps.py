"""The application on a test's container, built once per shape for the run and lent out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from litestar import Litestar

from ipm_workflow.bootstrap import Container
from ipm_workflow.entrypoints.http.app import create_app
from ipm_workflow.entrypoints.observability import metrics_enabled

# Building the application (Litestar reads every handler's signature, the contract is built)
# took ~0.3 s of CPU, ~80 % of a short HTTP test; the container it serves is the test's own.
_SPARE: dict[bool, list[Litestar]] = {}


@contextmanager
def serving(container: Container) -> Iterator[Litestar]:
    """`create_app` on the container, on an application no other test is using if one waits.

    With metrics on, always a new one: Prometheus' collectors live as long as their app."""
    if metrics_enabled(container):
        yield create_app(container.settings, container=container)
        return
    spare = _SPARE.setdefault(container.settings.sandbox, [])
    app = create_app(container.settings, container=container, reuse=spare.pop() if spare else None)
    try:
        yield app
    finally:
        spare.append(app)
