"""The HTTP contract: request and response bodies, separate from tables and domain objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ipm_workflow.domain import clocks
from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.definitions import Labels, Workflow
from ipm_workflow.domain.text import single_line
from ipm_workflow.entrypoints.http.outputs import from_attributes


def _exactly(kind: type) -> Callable[[Any], Any]:
    """A JSON type check without coercion: `true` is not 1 and "3" is not 3."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, kind) and (kind is bool or type(value) is not bool)):
            return value
        raise ValueError(f"expected a JSON {kind.__name__}, got {type(value).__name__}")

    return check


# Bodies take numbers and booleans only as JSON numbers and booleans (lax pydantic would read
# `true` as 1 day and "yes" as true); query and path parameters keep Litestar's own parsing.
Int = Annotated[int, BeforeValidator(_exactly(int))]
Bool = Annotated[bool, BeforeValidator(_exactly(bool))]
# Names of workflows, triggers, states and missions locales: the database keeps 64 characters.
Ident = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(single_line)]


class Body(BaseModel):
    """Request bodies refuse unknown keys: a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class DocumentOut(BaseModel):
    """One entry of the case's document checklist."""

    status: str
    valid_from: date | None
    valid_until: date | None
    validated_by: str | None
    validated_at: datetime | None


class ClockOut(BaseModel):
    """The clock of the state's time limit: time used, time paused, deadline (pauses included)."""

    state: str | None = Field(description="The state whose time limit this clock counts.")
    started_at: datetime | None
    used_seconds: int = Field(description="Time the clock has run, paused time left out.")
    paused_seconds: int = Field(description="Total time it stood still (suspension, postponement).")
    paused_since: datetime | None = Field(description="Set while the clock stands still.")
    due_at: datetime | None = Field(description="When the time limit runs out (None while paused).")
    overdue: bool

    @classmethod
    def of(cls, case: Case, now: datetime) -> ClockOut:
        """Read a case's clock at `now`."""
        r = clocks.read(case, now)
        return from_attributes(
            cls,
            r,
            used_seconds=int(r.used.total_seconds()),
            paused_seconds=int(r.paused.total_seconds()),
        )


class CaseOut(BaseModel):
    """A case: where the journey stands, its data and documents."""

    id: int
    person_id: int
    workflow: str
    workflow_version: int
    state: str
    state_label: Labels
    phase: str
    terminal: bool
    previous_state: str | None
    mission_locale_id: str
    advisor_id: int | None
    version: int = Field(description="Send it back as If-Match or `version` to change the case.")
    data: dict[str, Any]
    documents: dict[str, DocumentOut]
    opened_at: datetime | None
    updated_at: datetime | None
    state_entered_at: datetime | None
    closed_at: datetime | None
    sla_due_at: datetime | None = Field(
        description="When the state's time limit runs out (the clock's `due_at`)."
    )
    clock: ClockOut | None = Field(default=None, description="The time limit's clock.")
    suspended_at: datetime | None = None
    suspension_reason: str | None = None
    minor_without_guardian: bool = Field(
        default=False,
        description="The young person is a minor today with no guardian on file: messages "
        "meant for the guardian go to the case's advisor (else the supervisors), with why.",
    )
    referring_mission_locale_id: str = Field(
        description="The mission locale that referred the case: referrals count for it, even "
        "after a move (outcomes count for `mission_locale_id`, the current one)."
    )
    ml_contact_name: str | None = Field(
        default=None, description="The mission locale's own advisor, a contact on the case."
    )
    ml_contact_email: str | None = Field(
        default=None, description="Receives what the workflow addresses to the mission locale."
    )

    @classmethod
    def of(cls, case: Case, workflow: Workflow, now: datetime | None = None) -> CaseOut:
        """Render a case with the labels of its workflow version (and its clock at `now`)."""
        assert case.id is not None  # noqa: S101 - stored cases have ids
        state = workflow.states[case.state]
        return from_attributes(
            cls,
            case,
            state_label=state.label,
            phase=state.phase,
            terminal=state.terminal,
            documents={k: from_attributes(DocumentOut, d) for k, d in case.documents.items()},
            sla_due_at=case.due_at,
            clock=ClockOut.of(case, now) if now is not None else None,
            minor_without_guardian=False,
            referring_mission_locale_id=case.referring_mission_locale,
        )


class HistoryEntryOut(BaseModel):
    """One entry of a case's history."""

    case_id: int
    seq: int = Field(description="The entry's place in its case's chain, from 1.")
    at: datetime
    actor: str
    role: str
    kind: str
    trigger: str | None = Field(description="The workflow trigger fired, for a transition.")
    from_state: str | None
    to_state: str | None
    workflow: str
    workflow_version: int = Field(description="The version of the workflow the case followed.")
    request_id: str | None = Field(description="The API request that wrote it (in the logs).")
    payload: dict[str, Any]
    prev_hash: str = Field(description="The hash of the entry before (64 zeros for the first).")
    hash: str = Field(
        description="SHA-256 of the entry's chained fields, `prev_hash` included: an entry "
        "changed afterwards breaks the chain (GET /api/v1/audit/verify)."
    )

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryOut:
        """Render a history entry (each field of this shape is the entry's field of that name)."""
        return from_attributes(cls, entry, payload=dict(entry.payload))


class WorkflowSummary(BaseModel):
    """A workflow and its loaded versions."""

    name: str
    version: int
    versions: list[int]
    title: Labels


class WorkflowOut(BaseModel):
    """A workflow version: its full definition and its diagram."""

    name: str
    version: int
    definition: dict[str, Any]
    mermaid: str


class ChainReportOut(BaseModel):
    """The verification of one case's history chain."""

    case_id: int
    entries: int
    ok: bool
    broken_seq: int | None
    problem: str | None


class VerifyOut(BaseModel):
    """The verification of several cases' chains."""

    cases: int
    entries: int
    ok: bool
    broken: list[ChainReportOut]


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(description="A URI naming the kind of problem (…/problems/<kind>).")
    title: str = Field(description="The kind's short summary, the same for every occurrence.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time.")
    instance: str | None = Field(default=None, description="The request's path.")
    request_id: str | None = Field(
        default=None, description="This request's id, also in X-Request-ID: quote it to support."
    )


# Every authenticated operation can answer these, always as RFC 9457 problem details.
PROBLEM_RESPONSES = {
    status: ResponseSpec(
        data_container=Problem,
        media_type="application/problem+json",
        description=description,
        generate_examples=False,
    )
    for status, description in (
        (400, "Malformed request: a body that is not JSON, a header that cannot be read"),
        (401, "Missing, invalid, expired or revoked token"),
        (403, "Your role may not use this operation"),
        (404, "Not found (or not visible to you)"),
        (409, "Transition not available or denied, version conflict, or name taken"),
        (422, "Invalid input, with the path of each faulty field"),
        (429, "Too many failed authentications"),
    )
}


# The media types of the files the API serves (reports, funder files).
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def served_formats(*media_types: str) -> type[Operation]:
    """An operation whose 200 answer is documented in each format it serves (JSON is any
    object; the others are text or files), for routes that answer in several: the schema then
    says every content type a client may receive."""

    @dataclass
    class Formats(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if isinstance(ok, OpenAPIResponse):
                ok.content = {
                    m: OpenAPIMediaType(
                        schema=Schema(type=OpenAPIType.OBJECT)
                        if m == "application/json"
                        else Schema(type=OpenAPIType.STRING)
                    )
                    for m in media_types
                }

    return Formats
