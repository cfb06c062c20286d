"""Bearer-token authentication, the policy's route guards, and a brake on repeated failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import structlog
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.exceptions.http_exceptions import TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import Forbidden
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import Action, Actor

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ipm-workflow"'}


class FailureBrake:
    """Slows down, then refuses, failing authentications per client address (per process); a
    valid credential is never refused."""

    def __init__(
        self, free: int = 5, window: float = 300.0, max_delay: float = 2.0, block_after: int = 30
    ) -> None:
        self.free, self.window, self.max_delay, self.block_after = (
            free,
            window,
            max_delay,
            block_after,
        )
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(client, []) if now - t < self.window]
        self._failures[client] = kept
        return kept

    def recent_failures(self, client: str) -> int:
        """How many failures of a client the window still holds."""
        with self._lock:
            return len(self._recent(client, time.monotonic()))

    def blocked(self, client: str) -> bool:
        """Tell whether a client has failed too often lately to be heard at all."""
        with self._lock:
            return len(self._recent(client, time.monotonic())) >= self.block_after

    def failed(self, client: str) -> float:
        """Record a failure and return how long to hold the answer back."""
        with self._lock:
            now = time.monotonic()
            recent = self._recent(client, now)
            recent.append(now)
            excess = len(recent) - self.free
        return 0.0 if excess <= 0 else min(self.max_delay, 0.05 * 2 ** (excess - 1))


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Resolve `Authorization: Bearer <token>` to an active user, or answer 401."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Authenticate one request."""
        state = connection.app.state
        brake: FailureBrake = state.brake
        client = connection.client.host if connection.client else "unknown"
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        user: User | None = None
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            tokens = state.container.tokens
            # A token seen moments ago is answered on the event loop: the thread hop cost more
            # than the rest of authentication (bench/http_api.py). Not in the sandbox, whose
            # clock reads its database.
            if state.get("sandbox") is None:
                user = tokens.remembered(token)
            if user is None:
                user = await anyio.to_thread.run_sync(tokens.authenticate, token)
        if user is not None:
            # A valid credential is always served: behind a shared address (an office, a proxy)
            # someone else's failures must not lock a user out. Only failures are braked, and a
            # success does not excuse them (a failing script next to a working one stays slowed).
            structlog.contextvars.bind_contextvars(actor=user.actor)
            return AuthenticationResult(user=user, auth=None)
        if brake.blocked(client):
            raise TooManyRequestsException(
                "too many failed authentications; try again later",
                headers={"Retry-After": str(int(brake.window))},
            )
        await anyio.sleep(brake.failed(client))
        raise NotAuthorizedException(
            "missing, invalid, expired or revoked bearer token", headers=CHALLENGE
        )


def requires(
    *actions: Action,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """A route guard that asks the access policy whether the caller may use each action, in
    order (the first one refused answers 403)."""

    # Async on purpose: Litestar runs a sync guard in a worker thread, a hop for nothing here.
    # Several actions in one guard: Litestar copies the route handler for each guard it calls.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # Litestar answers OPTIONS itself, without authentication
        user: User = connection.user
        actor = Actor.of(user)
        try:
            for action in actions:
                policy.require(actor, action)
        except Forbidden as exc:
            raise PermissionDeniedException(exc.message) from None

    return guard
