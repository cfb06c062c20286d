"""Page sessions: the session cookie, the sign-in redirect and the CSRF check of every form.

The bearer-token API is untouched: its middleware skips the page paths, and these checks apply
only to the pages' router.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any, cast

import anyio
import structlog
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from ipm_workflow.bootstrap import Container
from ipm_workflow.config import Settings
from ipm_workflow.services.accounts import StaffSession

SESSION_COOKIE = "ipm_session"
# Before signing in there is no session yet: the sign-in form's token is a double-submit cookie.
PRESESSION_COOKIE = "ipm_csrf"
LANGUAGE_COOKIE = "ipm_lang"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages reached without a session (the sign-in page itself).
OPEN_PATHS = ["^/app/sign-in$"]


class SessionAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Resolve the session cookie to an active user (request.user) and its session (request.auth).

    Without a live session the request is refused; the pages turn that into the sign-in page.
    """

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Authenticate one page request."""
        container: Container = connection.app.state.container
        cookie = connection.cookies.get(SESSION_COOKIE, "")
        # A session seen moments ago is answered on the event loop, like an API token.
        session = container.accounts.remembered(cookie)
        if session is None and cookie:
            session = await anyio.to_thread.run_sync(container.accounts.session, cookie)
        if session is None:
            raise NotAuthorizedException("sign in first")
        structlog.contextvars.bind_contextvars(actor=session.user.actor)
        return AuthenticationResult(user=session.user, auth=session)


def current_session(connection: ASGIConnection[Any, Any, Any, Any]) -> StaffSession | None:
    """The signed-in session of a request, if any."""
    auth = connection.scope.get("auth")
    return auth if isinstance(auth, StaffSession) else None


def expected_csrf(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token a form of this request must carry: the session's, or the pre-session cookie."""
    session = current_session(connection)
    if session is not None:
        return session.csrf_token
    return connection.cookies.get(PRESESSION_COOKIE) or None


async def check_csrf(connection: ASGIConnection[Any, Any, Any, Any], expected: str | None) -> None:
    """Refuse an unsafe request (PermissionDeniedException, a 403) unless it carries `expected`
    in its X-CSRF-Token header or its `_csrf` form field; a safe one (GET…) passes."""
    if connection.scope.get("method") in SAFE_METHODS:
        return
    sent = connection.headers.get(CSRF_HEADER)
    if not sent:
        form = await cast("Request[Any, Any, Any]", connection).form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise PermissionDeniedException("the form's security token is missing or stale")


async def csrf_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Refuse a page's unsafe request unless it carries its CSRF token (form field or header)."""
    await check_csrf(connection, expected_csrf(connection))


def presession_token(request: Request[Any, Any, Any]) -> str:
    """The sign-in form's token: the cookie's, or a new one (set it with `presession_cookie`)."""
    return request.cookies.get(PRESESSION_COOKIE) or secrets.token_urlsafe(32)


def cookie(settings: Settings, name: str, value: str, max_age: int | None = None) -> Cookie:
    """A page cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS (settings)."""
    return Cookie(
        key=name,
        value=value,
        path="/",
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.cookies_secure,
    )


def session_cookie(settings: Settings, session: StaffSession) -> Cookie:
    """The cookie of a session just opened (it lives as long as the session)."""
    assert session.cookie is not None  # noqa: S101 - only a session just opened has one
    return cookie(settings, SESSION_COOKIE, session.cookie, settings.web_session_minutes * 60)


def forget_cookie(settings: Settings, name: str) -> Cookie:
    """A cookie that deletes one."""
    return cookie(settings, name, "", 0)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/app"


def redirect(location: str, request: Request[Any, Any, Any] | None = None) -> Response[None]:
    """A 303 to another page (htmx follows it with HX-Redirect)."""
    headers = {"Location": location}
    if request is not None and request.headers.get("hx-request"):
        headers = {"HX-Redirect": location}
        return Response(None, status_code=200, headers=headers)
    return Response(None, status_code=303, headers=headers)
