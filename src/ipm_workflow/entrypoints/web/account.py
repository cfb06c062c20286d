"""Signing in and out, one's own account (password, language), and the admins' users page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import FailureBrake
from ipm_workflow.entrypoints.http.deps import ContainerDep
from ipm_workflow.entrypoints.web.i18n import LANGUAGES, language_of
from ipm_workflow.entrypoints.web.rendering import gettext, home_path, page
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.entrypoints.web.session import (
    LANGUAGE_COOKIE,
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    cookie,
    current_session,
    forget_cookie,
    presession_token,
    redirect,
    safe_next,
    session_cookie,
)
from ipm_workflow.services.accounts import StaffSession

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


@dataclass
class SignInForm:
    """The sign-in form."""

    username: str = ""
    password: str = ""
    next: str = "/app"


@dataclass
class PasswordForm:
    """Changing one's own password."""

    current: str = ""
    new: str = ""
    confirm: str = ""


@dataclass
class LanguageForm:
    """Choosing the pages' language."""

    language: str = "fr"
    next: str = "/app"


@dataclass
class SetPasswordForm:
    """An admin setting or resetting someone's password."""

    password: str = ""


def _session(request: Request[Any, Any, Any]) -> StaffSession:
    session = current_session(request)
    assert session is not None  # noqa: S101 - the session middleware guarantees it
    return session


def _sign_in_page(
    request: Request[Any, Any, Any], next_: str, error: str | None = None, status: int = 200
) -> Template:
    token = presession_token(request)
    template = page(
        request,
        "sign_in.html",
        "Sign in",
        status_code=status,
        csrf_token=token,
        next=safe_next(next_),
        error=error,
        languages=LANGUAGES,
    )
    template.cookies.append(cookie(request.app.state.container.settings, PRESESSION_COOKIE, token))
    return template


@page_get("/")
async def home() -> Response[None]:
    """The site's root: the pages (signing in first when needed)."""
    return redirect("/app")


@page_get("/app")
async def app_home(request: Request[Any, Any, Any]) -> Response[None]:
    """The pages' home: the first page of the navigation the user may open (my cases)."""
    return redirect(home_path(request))


@page_get("/app/sign-in")
async def sign_in_page(
    request: Request[Any, Any, Any], lang: FromQuery[str | None] = None
) -> Template:
    """The sign-in form (`?lang=en` switches its language)."""
    if lang is not None:
        request.cookies[LANGUAGE_COOKIE] = language_of(lang)
    template = _sign_in_page(request, request.query_params.get("next", "/app"))
    if lang is not None:
        settings = request.app.state.container.settings
        template.cookies.append(cookie(settings, LANGUAGE_COOKIE, language_of(lang), 31536000))
    return template


@page_post("/app/sign-in")
async def sign_in(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    data: Annotated[SignInForm, Form],
) -> Response[Any]:
    """Check the password; a failure is braked like a failing API token (same brake)."""
    session = await anyio.to_thread.run_sync(
        container.accounts.sign_in, data.username, data.password
    )
    if session is None:
        brake: FailureBrake = request.app.state.brake
        client = request.client.host if request.client else "unknown"
        _ = gettext(request)
        if brake.blocked(client):
            return _sign_in_page(
                request, data.next, _("Too many failed attempts: try again later."), 429
            )
        await anyio.sleep(brake.failed(client))
        return _sign_in_page(request, data.next, _("Wrong username or password."), 401)
    response = redirect(safe_next(data.next))
    settings = container.settings
    response.cookies.extend(
        [
            session_cookie(settings, session),
            forget_cookie(settings, PRESESSION_COOKIE),
            cookie(settings, LANGUAGE_COOKIE, session.user.language, 31536000),
        ]
    )
    return response


@page_post("/app/sign-out")
async def sign_out(request: Request[Any, Any, Any], container: ContainerDep) -> Response[None]:
    """End this session."""
    cookie_value = request.cookies.get(SESSION_COOKIE, "")
    await anyio.to_thread.run_sync(container.accounts.sign_out, cookie_value)
    response = redirect("/app/sign-in")
    response.cookies.append(forget_cookie(container.settings, SESSION_COOKIE))
    return response


@page_get("/app/account")
async def account(request: Request[Any, Any, Any], done: FromQuery[str | None] = None) -> Template:
    """One's own account: password and language."""
    return page(request, "account.html", "My account", languages=LANGUAGES, done=done)


@page_post("/app/account/password")
def change_password(
    request: Request[Any, Any, Any], container: ContainerDep, data: Annotated[PasswordForm, Form]
) -> Response[Any]:
    """Change one's own password (the current one is asked); other sessions end."""
    _ = gettext(request)
    error = None
    if data.new != data.confirm:
        error = _("The two new passwords differ.")
    else:
        try:
            if not container.accounts.change_password(_session(request), data.current, data.new):
                error = _("The current password is wrong.")
        except InvalidInput:
            error = _("A password has at least 10 characters.")
    if error:
        return page(
            request, "account.html", "My account", status_code=422, error=error, languages=LANGUAGES
        )
    return redirect("/app/account?done=password")


@page_post("/app/account/language")
def change_language(
    request: Request[Any, Any, Any], container: ContainerDep, data: Annotated[LanguageForm, Form]
) -> Response[None]:
    """Choose the pages' language (kept on the user)."""
    lang = language_of(data.language)
    container.accounts.set_language(_session(request).user.id, lang)
    response = redirect(safe_next(data.next))
    response.cookies.append(cookie(container.settings, LANGUAGE_COOKIE, lang, 31536000))
    return response


@page_get("/app/users", Action.DIRECTORY)
def users(
    request: Request[Any, Any, Any], container: ContainerDep, done: FromQuery[str | None] = None
) -> Template:
    """The admins' list of users, with a form to set or reset each one's password."""
    return page(request, "users.html", "Users", users=container.accounts.users(), done=done)


@page_post("/app/users/{username:str}/password", Action.DIRECTORY)
def set_password(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    username: FromPath[str],
    data: Annotated[SetPasswordForm, Form],
) -> Response[Any]:
    """Set or reset a user's password; their sessions end."""
    try:
        container.accounts.set_password(username, data.password)
    except InvalidInput:
        _ = gettext(request)
        return page(
            request,
            "users.html",
            "Users",
            status_code=422,
            users=container.accounts.users(),
            error=_("A password has at least 10 characters."),
        )
    return redirect(f"/app/users?done={username}")


PAGES = [
    home,
    app_home,
    sign_in_page,
    sign_in,
    sign_out,
    account,
    change_password,
    change_language,
    users,
    set_password,
]
