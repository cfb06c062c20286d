"""The young person's journey page, in plain words, and what they do from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from ipm_workflow.entrypoints.http.deps import ContainerDep
from ipm_workflow.entrypoints.web.portal_pages import portal_page
from ipm_workflow.entrypoints.web.portal_session import portal_session
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.entrypoints.web.session import LANGUAGE_COOKIE, cookie, redirect

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


@dataclass
class AnswerForm:
    """ "I've done it" (done) or "I need help" (help) on a reminder."""

    answer: str = "done"


@dataclass
class PreferencesForm:
    """Channel, language, consent per channel (unticked boxes are not sent: `consents` says
    which boxes the form showed)."""

    preferred_channel: str = ""
    language: str = ""
    consent_email: str = ""
    consent_sms: str = ""
    consents: str = ""
    guardian_consent_email: str = ""
    guardian_consent_sms: str = ""


@page_get("/my/journey")
def portal_journey(request: Request[Any, Any, Any], container: ContainerDep) -> Response[Any]:
    """The person's latest journey, or a word that none has started."""
    latest = container.journey.latest_case(portal_session(request))
    if latest is None:
        return portal_page(request, "portal/notice.html", "journey", body="no_case")
    return redirect(f"/my/cases/{latest}")


@page_get("/my/cases/{case_id:int}")
def portal_case_page(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    case_id: FromPath[int],
    done: FromQuery[str | None] = None,
) -> Template:
    """One journey of the signed-in person (404 for anybody else's)."""
    session = portal_session(request)
    view = container.journey.view(session, case_id)
    title = "journey_guardian" if session.is_guardian else "journey"
    return portal_page(request, "portal/journey.html", title, view=view, done=done)


@page_post("/my/cases/{case_id:int}/reminders/{reminder_id:int}")
async def portal_answer(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    case_id: FromPath[int],
    reminder_id: FromPath[int],
    data: Annotated[AnswerForm, Form],
) -> Response[None]:
    """Answer a reminder: its repeats stop; "I need help" tells the advisor too."""
    help_ = data.answer == "help"
    session = portal_session(request)
    await anyio.to_thread.run_sync(container.journey.answer, session, case_id, reminder_id, help_)
    return redirect(f"/my/cases/{case_id}?done={'help' if help_ else 'done'}#reminders")


@page_get("/my/preferences")
def portal_preferences(
    request: Request[Any, Any, Any], container: ContainerDep, done: FromQuery[str | None] = None
) -> Template:
    """How to reach the person: channel, language, consent per channel."""
    session = portal_session(request)
    person = container.people.get(session.person_id)
    minor = container.journey.is_minor(person)
    guardian = next(
        (
            g
            for g in container.person_records.guardians_of(person.id or 0)
            if g.id == session.guardian_id
        ),
        None,
    )
    return portal_page(
        request,
        "portal/preferences.html",
        "messages" if session.is_guardian else "preferences",
        person=person,
        minor=minor,
        guardian=guardian,
        done=done,
    )


@page_post("/my/preferences")
def portal_save_preferences(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    data: Annotated[PreferencesForm, Form],
) -> Response[None]:
    """Save the preferences through the people service (source: young_person or guardian)."""
    session = portal_session(request)
    values: dict[str, Any] = {
        "preferred_channel": data.preferred_channel,
        "language": data.language,
    }
    for channel in ("email", "sms"):
        if channel in data.consents.split(","):
            values[f"consent_{channel}"] = getattr(data, f"consent_{channel}") == "yes"
    if session.is_guardian:
        for channel in ("email", "sms"):
            given = getattr(data, f"guardian_consent_{channel}")
            values[f"guardian_consent_{channel}"] = given == "yes"
    container.journey.set_preferences(session, values)
    response = redirect("/my/preferences?done=1")
    if data.language in ("fr", "en") and not session.is_guardian:
        response.cookies.append(
            cookie(container.settings, LANGUAGE_COOKIE, data.language, 31536000)
        )
    return response


PORTAL_JOURNEY_PAGES = [
    portal_journey,
    portal_case_page,
    portal_answer,
    portal_preferences,
    portal_save_preferences,
]
