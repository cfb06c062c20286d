"""The young person's own pages (/my): their session cookie, its guard and their router.

Apart from staff sessions on purpose: another cookie, another table, another router. A portal
cookie opens no staff page (/app answers the staff sign-in) and no API route (bearer tokens
only); a staff cookie opens no portal page.

The interface other portal pages build on (documents from a phone, issue 17):
- `portal_router(handlers)`: a Router at /my whose handlers get a live session or the
  sign-in page, and whose unsafe requests need the session's CSRF token (`_csrf` form field or
  the X-CSRF-Token header);
- `portal_session(request)`: the signed-in `PortalSession` (person_id, guardian_id,
  is_guardian, `actor` to pass to every service, language, csrf_token);
- `portal_case(request, case_id)`: one of the person's cases, NotFound (404) for any other.
"""

from __future__ import annotations

from typing import Any

import anyio
import structlog
from litestar import Router
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
)
from litestar.handlers import BaseRouteHandler
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.entrypoints.web.session import check_csrf
from ipm_workflow.services.portal_links import PortalSession

PORTAL_COOKIE = "ipm_portal"
# Before signing in: the double-submit token of the "send me a link" and "open" forms.
PORTAL_PRESESSION = "ipm_portal_csrf"
# Reached without a session: asking for a link, opening one.
PORTAL_OPEN_PATHS = ["^/my/sign-in$", "^/my/link/"]
PORTAL_PATHS = ["^/my(/|$)"]


class PortalAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Resolve the portal cookie to a live PortalSession (request.auth), or refuse (sign in)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Authenticate one portal request."""
        container: Container = connection.app.state.container
        cookie = connection.cookies.get(PORTAL_COOKIE, "")
        session = (
            await anyio.to_thread.run_sync(container.portal.session, cookie) if cookie else None
        )
        if session is None:
            raise NotAuthorizedException("sign in first")
        structlog.contextvars.bind_contextvars(actor=session.actor.id)
        return AuthenticationResult(user=session.actor, auth=session)


def current_portal_session(
    connection: ASGIConnection[Any, Any, Any, Any],
) -> PortalSession | None:
    """The signed-in portal session of a request, if any."""
    auth = connection.scope.get("auth")
    return auth if isinstance(auth, PortalSession) else None


def portal_session(connection: ASGIConnection[Any, Any, Any, Any]) -> PortalSession:
    """The signed-in portal session (the router's middleware guarantees one)."""
    session = current_portal_session(connection)
    if session is None:
        raise NotAuthorizedException("sign in first")
    return session


def portal_case(connection: ASGIConnection[Any, Any, Any, Any], case_id: int) -> Case:
    """One case of the signed-in person; NotFound (a 404 page) for anybody else's."""
    container: Container = connection.app.state.container
    return container.journey.case(portal_session(connection), case_id)


async def portal_csrf_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Refuse an unsafe portal request unless it carries the session's (or the pre-session
    cookie's) CSRF token."""
    session = current_portal_session(connection)
    expected = session.csrf_token if session else connection.cookies.get(PORTAL_PRESESSION)
    await check_csrf(connection, expected)


def portal_router(handlers: list[Any]) -> Router:
    """The router of the young person's pages: portal session, CSRF, error pages."""
    from ipm_workflow.entrypoints.web.portal_pages import portal_error  # noqa: PLC0415 - cycle

    return Router(
        "/",
        route_handlers=handlers,
        middleware=[DefineMiddleware(PortalAuthenticationMiddleware, exclude=PORTAL_OPEN_PATHS)],
        guards=[portal_csrf_guard],
        exception_handlers={HTTPException: portal_error, DomainError: portal_error},
        include_in_schema=False,
    )
