"""Dependencies every controller can ask for: the container, the acting user, the request id,
or the three together as one `call`."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Call:
    """One API call: the container serving it, the user acting, the request's id (for history
    entries and logs). Handlers that need all three take this one parameter, `call`."""

    container: Container
    actor: Actor
    request_id: str | None


def provide_call(request: Request[Any, Any, Any]) -> Call:
    """Return this request's call (the actor as `provide_actor` gives it)."""
    return Call(provide_container(request), provide_actor(request), provide_request_id(request))


# Handlers declare what they receive by these names; Litestar injects them.
ContainerDep = NamedDependency[Container]
ActorDep = NamedDependency[Actor]
RequestIdDep = NamedDependency[str | None]
CallDep = NamedDependency[Call]

DEPENDENCIES = {
    "container": Provide(provide_container, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "request_id": Provide(provide_request_id, sync_to_thread=False),
    "call": Provide(provide_call, sync_to_thread=False),
}
