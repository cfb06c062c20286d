"""The one way a page is rendered: its template, title, language, user, CSRF token, navigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import DomainError, NotFound
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.entrypoints.web.i18n import language_of, translator
from ipm_workflow.entrypoints.web.session import (
    LANGUAGE_COOKIE,
    current_session,
    expected_csrf,
    redirect,
)


@dataclass(frozen=True)
class NavItem:
    """A link of the header's navigation, shown to those the policy allows `action`."""

    path: str
    label: str  # an English message id, translated when rendered
    action: Action | None = None
    sandbox_only: bool = False  # shown only in a training sandbox


# Pages add their entry here (in the order shown).
NAV: list[NavItem] = [
    NavItem("/app/cases", "My cases", Action.CASES_READ),
    NavItem("/app/users", "Users", Action.DIRECTORY),
    # web2: referral, agenda, supervision, sandbox, inbox
    NavItem("/app/referrals/new", "New referral", Action.CASES_OPEN),
    NavItem("/app/agenda", "Agenda", Action.REMINDERS_READ),
    NavItem("/app/inbox", "Inbox", Action.REMINDERS_READ),
    NavItem("/app/uploads", "Documents to validate", Action.CASES_DOCUMENT),
    NavItem("/app/audit", "Audit", Action.AUDIT),
    NavItem("/app/cohorts", "Cohorts", Action.COHORTS_READ),
    NavItem("/app/dashboards", "Dashboards", Action.REPORTS_READ),  # issue 14
    NavItem("/app/privacy/reads", "Sensitive data reads", Action.AUDIT),
    NavItem("/app/privacy/register", "Record of processing", Action.PRIVACY_REGISTER),
    NavItem("/app/sandbox/clock", "Sandbox clock", Action.SANDBOX_CLOCK, sandbox_only=True),
    NavItem("/app/sandbox/outbox", "Outbox", Action.SANDBOX_OUTBOX, sandbox_only=True),
    NavItem("/app/account", "My account"),
]


def language(request: Request[Any, Any, Any]) -> str:
    """The page's language: the signed-in user's, else the language cookie's, else French."""
    session = current_session(request)
    if session is not None:
        return language_of(session.user.language)
    return language_of(request.cookies.get(LANGUAGE_COOKIE))


def gettext(request: Request[Any, Any, Any]) -> Any:
    """`_` for messages composed in a handler, in the page's language."""
    return translator(language(request))


def actor_of(request: Request[Any, Any, Any]) -> Actor | None:
    """The signed-in user as the policy's actor (None before signing in)."""
    session = current_session(request)
    return Actor.of(session.user) if session is not None else None


# A page shows the same moments again and again (a case's timeline on each visit): Babel's
# formatting of each was a visible share of the case page's time (bench/web.py).
@lru_cache(maxsize=8192)
def when(moment: date | datetime | None, lang: str, timezone: str) -> str:
    """A date, or a time in the service's time zone, in the page's language."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return format_datetime(moment, "short", tzinfo=ZoneInfo(timezone), locale=lang)
    return format_date(moment, "medium", locale=lang)


def allowed_nav(actor: Actor | None, sandbox: bool = False) -> list[NavItem]:
    """The navigation's entries the actor may open (the sandbox's only in a sandbox)."""
    if actor is None:
        return []
    return [
        i
        for i in NAV
        if (i.action is None or policy.may(actor, i.action)) and (sandbox or not i.sandbox_only)
    ]


def home_path(request: Request[Any, Any, Any]) -> str:
    """Where `/app/` leads the signed-in user: the first entry of their navigation."""
    entries = allowed_nav(actor_of(request), request.app.state.container.settings.sandbox)
    return entries[0].path if entries else "/app/account"


def page(
    request: Request[Any, Any, Any],
    template: str,
    title: str,
    *,
    status_code: int = 200,
    csrf_token: str | None = None,
    **context: Any,
) -> Template:
    """Render a page template; `title` is an English message id (translated here)."""
    lang = language(request)
    container: Container = request.app.state.container
    actor = actor_of(request)
    nav = [(item.path, item.label) for item in allowed_nav(actor, container.settings.sandbox)]
    session = current_session(request)
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "lang": lang,
            "title": translator(lang)(title),
            "user": session.user if session else None,
            "csrf_token": csrf_token or expected_csrf(request) or "",
            "sandbox": container.settings.sandbox,
            "nav": nav,
            "path": request.url.path,
            "label": lambda labels: getattr(labels, lang) if labels else "",
            "when": lambda moment: when(moment, lang, container.settings.timezone),
            **context,
        },
    )


ERROR_TITLES = {
    403: "Access refused",
    404: "Page not found",
    409: "Conflict",
    422: "Invalid input",
    429: "Too many attempts",
}


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Errors of the pages as pages: sign-in for a missing session, otherwise an error page."""
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return redirect(f"/app/sign-in?next={_quoted(target)}", request)
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, HTTPException):
        status = exc.status_code
    elif isinstance(exc, DomainError):
        status = 422
    else:
        raise exc
    title = ERROR_TITLES.get(status, "Error")
    return page(request, "error.html", title, status_code=status, status=status, detail=exc)


def _quoted(path: str) -> str:
    from urllib.parse import quote  # noqa: PLC0415 - rare path

    return quote(path, safe="/")
