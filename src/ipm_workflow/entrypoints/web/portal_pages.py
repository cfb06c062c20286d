"""The young person's own pages: asking for a link, opening it, signing out, error pages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
import structlog
from babel.dates import format_date
from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.params import Body, FromPath
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.config import Settings
from ipm_workflow.domain.errors import Forbidden, NotFound
from ipm_workflow.entrypoints.http.auth import FailureBrake
from ipm_workflow.entrypoints.http.deps import ContainerDep
from ipm_workflow.entrypoints.web.i18n import language_of
from ipm_workflow.entrypoints.web.portal_session import (
    PORTAL_COOKIE,
    PORTAL_PRESESSION,
    current_portal_session,
)
from ipm_workflow.entrypoints.web.portal_text import texts
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.entrypoints.web.session import LANGUAGE_COOKIE, cookie, forget_cookie, redirect
from ipm_workflow.services.messages import DeliveryError
from ipm_workflow.services.portal_links import HOME, LinkOutcome, normalised_address

log = structlog.get_logger("ipm_workflow.portal")
Form = Body(media_type=RequestEncodingType.URL_ENCODED)


def portal_brake(settings: Settings) -> FailureBrake:
    """The brake on link requests: so many per window per client, address and person."""
    count = settings.portal_link_requests
    return FailureBrake(
        free=count, window=settings.portal_brake_minutes * 60.0, max_delay=0.0, block_after=count
    )


def portal_language(request: Request[Any, Any, Any]) -> str:
    """The page's language: the signed-in person's, else the language cookie's, else French."""
    session = current_portal_session(request)
    if session is not None:
        return language_of(session.language)
    return language_of(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))


def portal_page(
    request: Request[Any, Any, Any],
    template: str,
    title_key: str,
    *,
    status_code: int = 200,
    csrf_token: str | None = None,
    **context: Any,
) -> Template:
    """Render a portal page in the reader's language (`t`: its words)."""
    lang = portal_language(request)
    words = texts(lang)
    session = current_portal_session(request)
    container: Container = request.app.state.container
    return Template(
        template_name=template,
        status_code=status_code,
        # A young person's data and a link's page: kept by no cache, shared phone or proxy.
        headers={"Cache-Control": "no-store"},
        context={
            "lang": lang,
            "t": words,
            "title": words[title_key],
            "session": session,
            "csrf_token": csrf_token or (session.csrf_token if session else ""),
            "sandbox": container.settings.sandbox,
            "when": lambda day: format_date(day, "long", locale=lang),
            **context,
        },
    )


def _presession(request: Request[Any, Any, Any]) -> str:
    return request.cookies.get(PORTAL_PRESESSION) or secrets.token_urlsafe(32)


def _open_page(
    request: Request[Any, Any, Any], template: str, title_key: str, status: int = 200, **ctx: Any
) -> Template:
    """A page reached before signing in: its form's token is a double-submit cookie."""
    token = _presession(request)
    page = portal_page(request, template, title_key, status_code=status, csrf_token=token, **ctx)
    settings = request.app.state.container.settings
    page.cookies.append(cookie(settings, PORTAL_PRESESSION, token))
    return page


@dataclass
class LinkRequest:
    """The "send me a link" form."""

    address: str = ""


@page_get("/my/sign-in")
async def portal_sign_in_page(request: Request[Any, Any, Any]) -> Template:
    """Ask for a sign-in link (`?lang=en` switches the language)."""
    return _open_page(request, "portal/sign_in.html", "sign_in_title")


@page_post("/my/sign-in")
async def portal_request_link(
    request: Request[Any, Any, Any], container: ContainerDep, data: Annotated[LinkRequest, Form]
) -> Template:
    """Send a link to whoever the address belongs to; the answer never tells whether it is
    known. Braked per client, per address and per person."""
    brake: FailureBrake = request.app.state.portal_brake
    client = request.client.host if request.client else "unknown"
    address = normalised_address(data.address) or data.address.strip().lower()[:254]
    keys = [f"client:{client}", f"address:{address}"]
    if any(brake.blocked(k) for k in keys):
        log.info("portal_link_braked")
        return _open_page(
            request, "portal/notice.html", "too_many_title", status=429, body="too_many"
        )
    for key in keys:
        brake.failed(key)
    addressees = await anyio.to_thread.run_sync(container.portal.addressees, data.address)
    channels = container.channels()
    try:
        for addressee in addressees:
            key = f"person:{addressee.person_id}:{addressee.guardian_id or 0}"
            if brake.blocked(key):
                continue
            brake.failed(key)
            message = await anyio.to_thread.run_sync(container.portal.link_message, addressee)
            channel = channels.get(message.channel)
            if channel is None:
                log.warning("portal_link_no_channel", channel=message.channel)
                continue
            try:
                await channel.send(message)
            except DeliveryError as exc:  # the page says the same: no address is confirmed
                log.warning("portal_link_undelivered", channel=message.channel, error=str(exc))
    finally:
        for channel in channels.values():
            await channel.close()
    minutes = container.settings.portal_link_minutes
    return _open_page(request, "portal/notice.html", "link_sent_title", minutes=minutes)


_REFUSED = {
    LinkOutcome.USED: ("used_title", "used", 410),
    LinkOutcome.EXPIRED: ("expired_title", "expired", 410),
    LinkOutcome.UNKNOWN: ("unknown_title", "unknown", 404),
    LinkOutcome.ENDED: ("ended_title", "ended", 403),
}


def _refused(request: Request[Any, Any, Any], outcome: LinkOutcome) -> Template:
    title, body, status = _REFUSED[outcome]
    return _open_page(request, "portal/notice.html", title, status, body=body, again=True)


@page_get("/my/link/{token:str}")
def portal_link_page(
    request: Request[Any, Any, Any], container: ContainerDep, token: FromPath[str]
) -> Template:
    """A link's page: a button that opens the session (a mail scanner's visit uses nothing),
    or the clear page of a link used, expired, unknown or ended."""
    outcome = container.portal.peek(token)
    if outcome is not LinkOutcome.SIGNED_IN:
        return _refused(request, outcome)
    return _open_page(request, "portal/open.html", "open_title", token=token)


@page_post("/my/link/{token:str}")
async def portal_open(
    request: Request[Any, Any, Any], container: ContainerDep, token: FromPath[str]
) -> Response[Any]:
    """Use the link: open a portal session and go to the page it leads to."""
    redeemed = await anyio.to_thread.run_sync(container.portal.redeem, token)
    if redeemed.session is None:
        if redeemed.outcome is LinkOutcome.UNKNOWN:
            brake: FailureBrake = request.app.state.brake
            client = request.client.host if request.client else "unknown"
            await anyio.sleep(brake.failed(client))
        return _refused(request, redeemed.outcome)
    settings = container.settings
    session = redeemed.session
    assert session.cookie is not None  # noqa: S101 - a session just opened has its cookie
    response = redirect(redeemed.target)
    response.cookies.extend(
        [
            cookie(settings, PORTAL_COOKIE, session.cookie, settings.portal_session_minutes * 60),
            forget_cookie(settings, PORTAL_PRESESSION),
            cookie(settings, LANGUAGE_COOKIE, language_of(session.language), 31536000),
        ]
    )
    return response


@page_post("/my/sign-out")
async def portal_sign_out(
    request: Request[Any, Any, Any], container: ContainerDep
) -> Response[None]:
    """End this portal session."""
    value = request.cookies.get(PORTAL_COOKIE, "")
    await anyio.to_thread.run_sync(container.portal.sign_out, value)
    response = redirect("/my/sign-in")
    response.cookies.append(forget_cookie(container.settings, PORTAL_COOKIE))
    return response


def portal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Errors of the portal as its own pages: its sign-in without a session, else a plain
    page (404 for anything not the person's own)."""
    if isinstance(exc, NotAuthorizedException):
        return redirect("/my/sign-in", request)
    if isinstance(exc, NotFound) or (isinstance(exc, HTTPException) and exc.status_code == 404):
        return portal_page(
            request, "portal/notice.html", "not_found_title", status_code=404, body="not_found"
        )
    if isinstance(exc, HTTPException) and exc.status_code == 429:
        return portal_page(
            request, "portal/notice.html", "too_many_title", status_code=429, body="too_many"
        )
    status = exc.status_code if isinstance(exc, HTTPException) else 422
    if isinstance(exc, Forbidden):
        status = 403
    return portal_page(
        request, "portal/notice.html", "refused_title", status_code=status, body="refused"
    )


@page_get("/my")
async def portal_home() -> Response[None]:
    """The portal's home: the person's journey page."""
    return redirect(HOME + "/journey")


PORTAL_ACCESS_PAGES = [
    portal_sign_in_page,
    portal_request_link,
    portal_link_page,
    portal_open,
    portal_sign_out,
    portal_home,
]
