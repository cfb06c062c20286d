"""Dependencies every controller can ask for: the container and the acting user."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor


def provide_container(request: Request[Any, Any, Any]) -> Container:
    """Return the application's container."""
    container: Container = request.app.state.container
    return container


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    """Return the authenticated user as an actor (role and missions locales from the token)."""
    user: User = request.user
    return Actor.of(user)


def provide_request_id(request: Request[Any, Any, Any]) -> str | None:
    """Return this request's id."""
    value = request.scope.get("request_id")
    return str(value) if value else None


# Handlers declare what they receive by these names; Litestar injects them.
ContainerDep = NamedDependency[Container]
ActorDep = NamedDependency[Actor]
RequestIdDep = NamedDependency[str | None]

DEPENDENCIES = {
    "container": Provide(provide_container, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "request_id": Provide(provide_request_id, sync_to_thread=False),
}
