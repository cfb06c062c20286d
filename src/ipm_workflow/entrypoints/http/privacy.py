"""Data protection over HTTP: subject access export, consent records, erasure requests, the
sensitive-read audit and the record of processing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from ipm_workflow.domain import text
from ipm_workflow.domain.json_values import plain
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.privacy import ReadQuery
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.people_schemas import Source
from ipm_workflow.entrypoints.http.schemas import Body, Bool, served_formats
from ipm_workflow.entrypoints.web.i18n import language_of
from ipm_workflow.entrypoints.web.privacy import (
    export_html,
    export_json,
    export_response,
    register_html,
)
from ipm_workflow.services.processing_register import register_markdown

Purpose = Literal["email", "sms", "photos_testimonials"]
Giver = Literal["young_person", "guardian", "staff"]  # domain.privacy.CONSENT_GIVERS


class ConsentIn(Body):
    """A consent given or withdrawn."""

    purpose: Purpose
    granted: Bool
    method: Source | None = Field(
        default=None, examples=["paper form"], description="How it reached us."
    )
    given_by: Giver | None = Field(default=None, description="Default: staff on their behalf.")
    guardian_id: int | None = None
    at: AwareDatetime | None = Field(default=None, description="Default: now.")


class ErasureIn(Body):
    """An erasure request as received."""

    received_on: date
    requester: Literal["young_person", "guardian", "representative"]


class DecisionIn(Body):
    """The decision of an erasure request, with the reason stated to the person."""

    decision: Literal["deletion", "pseudonymisation", "refused"]
    reason: Annotated[
        str, Field(min_length=1, max_length=text.REASON_MAX), AfterValidator(text.reason)
    ]


class ReadOut(BaseModel):
    """One read (or refused read) of a person's sensitive data."""

    person_id: int
    actor: str
    role: str
    at: datetime
    case_id: int | None
    entry_point: str | None
    allowed: bool


def _language(request: Request[Any, Any, Any], lang: str | None) -> str:
    header = request.headers.get("accept-language", "")[:2]
    return language_of(lang or header)


class PrivacyController(Controller):
    """The rights of the people whose data we hold (GDPR arts. 15-17, 30)."""

    path = "/api/v1"
    tags = ["privacy"]  # noqa: RUF012 - Litestar reads this class attribute as is

    @routes.get(
        "/people/{person_id:int}/export",
        "Everything held on a person (subject access; recorded)",
        Action.PEOPLE_EXPORT,
        operation_class=served_formats("application/json", "text/html"),
    )
    def export(
        self,
        request: Request[Any, Any, Any],
        call: CallDep,
        person_id: FromPath[int],
        fmt: Annotated[Literal["json", "html"], QueryParameter(name="format")] = "json",
        lang: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """JSON, or a printable HTML document in French or English (`lang`, else the
        Accept-Language); sensitive data only for those who may read it."""
        entry = "api:GET /api/v1/people/{id}/export"
        export = call.container.privacy.export(person_id, call.actor, fmt, entry_point=entry)
        body = (
            export_json(export) if fmt == "json" else export_html(export, _language(request, lang))
        )
        return export_response(body, fmt, person_id)

    @routes.get(
        "/people/{person_id:int}/consents",
        "A person's consents, given and withdrawn",
        Action.PEOPLE_READ,
    )
    def consents(self, call: CallDep, person_id: FromPath[int]) -> list[dict[str, Any]]:
        """Every consent event, oldest first."""
        return list(plain(call.container.privacy.consents(person_id, call.actor)))

    @routes.post(
        "/people/{person_id:int}/consents",
        "Give or withdraw a consent",
        Action.PEOPLE_UPDATE,
        status_code=201,
    )
    def record_consent(
        self, call: CallDep, person_id: FromPath[int], data: JSONBody[ConsentIn]
    ) -> list[dict[str, Any]]:
        """E-mail and SMS change the current consent the messages follow."""
        events = call.container.privacy.record_consent(
            person_id,
            data.purpose,
            data.granted,
            call.actor,
            method=data.method,
            given_by=data.given_by,
            guardian_id=data.guardian_id,
            at=data.at,
        )
        return list(plain(events))

    @routes.post(
        "/people/{person_id:int}/erasure-requests",
        "Record an erasure request as received",
        Action.PRIVACY_ERASURE,
        status_code=201,
    )
    def request_erasure(
        self, call: CallDep, person_id: FromPath[int], data: JSONBody[ErasureIn]
    ) -> dict[str, Any]:
        """The decision comes later (POST …/erasure-requests/{id}/decision)."""
        request = call.container.privacy.record_erasure(
            person_id, data.received_on, data.requester, call.actor
        )
        return dict(plain(request))

    @routes.get("/privacy/erasure-requests", "List erasure requests", Action.PRIVACY_ERASURE)
    def erasures(
        self, call: CallDep, person_id: FromQuery[int | None] = None
    ) -> list[dict[str, Any]]:
        """Newest first; of one person with `person_id`."""
        return list(plain(call.container.privacy.erasures(call.actor, person_id)))

    @routes.post(
        "/privacy/erasure-requests/{erasure_id:int}/decision",
        "Decide an erasure request",
        Action.PRIVACY_ERASURE,
    )
    def decide(
        self, call: CallDep, erasure_id: FromPath[int], data: JSONBody[DecisionIn]
    ) -> dict[str, Any]:
        """Deletion, pseudonymisation (an audit duty applies) or refusal, with the reason."""
        decided = call.container.privacy.decide_erasure(
            erasure_id, data.decision, data.reason, call.actor
        )
        return dict(plain(decided))

    @routes.get(
        "/privacy/sensitive-reads", "Reads of sensitive data, allowed and refused", Action.AUDIT
    )
    def reads(
        self,
        call: CallDep,
        person_id: FromQuery[int | None] = None,
        actor_ref: Annotated[
            str | None, QueryParameter(name="actor", description="Actor reference, e.g. user:3.")
        ] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[ReadOut]:
        """Newest first: who, when, which person, from which page or endpoint."""
        query = ReadQuery(person_id, actor_ref, since, until, limit)
        return [ReadOut(**plain(r)) for r in call.container.privacy.reads(query, call.actor)]

    @routes.get(
        "/privacy/register",
        "The record of processing (registre des traitements)",
        Action.PRIVACY_REGISTER,
        operation_class=served_formats("text/markdown", "text/html"),
    )
    def register(
        self,
        call: CallDep,
        fmt: Annotated[Literal["md", "html"], QueryParameter(name="format")] = "md",
        lang: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """Generated from the configuration, the workflow files and the access policy."""
        register = call.container.privacy.register(call.actor)
        if fmt == "html":
            html = register_html(register, language_of(lang))
            return Response(html, media_type="text/html")
        return Response(register_markdown(register), media_type="text/markdown")
