"""The training sandbox over HTTP: its clock, its outbox, and the marker on every answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import FromQuery, JSONBody, QueryParameter
from litestar.types import Message, Scope
from pydantic import AwareDatetime, BaseModel, Field

from ipm_workflow.domain import policy
from ipm_workflow.domain.durations import Duration
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.deps import CallDep, ContainerDep
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.schemas import Body
from ipm_workflow.services.sandbox import SandboxService

MARKER = (b"x-ipm-sandbox", b"training sandbox - not production data")


async def mark_sandbox(message: Message, scope: Scope) -> None:
    """Add the training-sandbox marker to every response, errors and unknown paths included."""
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", []), MARKER]


class ClockIn(Body):
    """Where to move the sandbox clock: an absolute time (forward only) or a duration."""

    to: AwareDatetime | None = Field(
        default=None,
        examples=["2027-03-01T09:00:00Z"],
        description="With its UTC offset, e.g. 2027-03-01T09:00:00Z",
    )
    advance: Duration | None = Field(
        default=None,
        description="ISO 8601 duration, e.g. P14D; P1M and P1Y are calendar months and years",
        examples=["P14D"],
    )


class ClockOut(BaseModel):
    """The sandbox's time."""

    now: datetime
    real_now: datetime


class TravelOut(BaseModel):
    """Where the clock went and what happened on the way, in order."""

    started: datetime
    now: datetime
    happened: list[dict[str, Any]]


class OutboxItem(BaseModel):
    """A captured message."""

    id: int
    at: datetime
    case_id: int | None
    reminder_id: int | None
    channel: str
    recipients: str
    addressee: str | None = None
    subject: str
    body: str
    message_id: str


class SandboxController(Controller):
    """Time travel and captured messages; only mounted in a training sandbox."""

    path = "/api/v1/sandbox"
    tags = ["sandbox"]  # noqa: RUF012 - Litestar reads this class attribute as is

    @routes.get("/clock", "Read the sandbox clock", sync_to_thread=False)
    def read_clock(self, container: ContainerDep) -> ClockOut:
        """The sandbox's current time."""
        return ClockOut(now=container.clock.now(), real_now=datetime.now().astimezone())

    @routes.post("/clock", "Move the sandbox clock", Action.SANDBOX_CLOCK)
    async def move_clock(
        self, request: Request[Any, Any, Any], data: JSONBody[ClockIn]
    ) -> TravelOut:
        """Move forward; every reminder, escalation and timeout due on the way happens, in order."""
        service: SandboxService = request.app.state.sandbox
        travel = await service.advance(to=data.to, by=data.advance)
        return from_attributes(TravelOut, travel)

    @routes.get("/outbox", "Messages the sandbox captured", Action.SANDBOX_OUTBOX)
    def read_outbox(
        self,
        call: CallDep,
        case_id: FromQuery[int | None] = None,
        since: Annotated[
            datetime | None,
            QueryParameter(description="Messages captured at or after this moment (UTC if naive)."),
        ] = None,
    ) -> list[OutboxItem]:
        """E-mails and SMS the sandbox would have sent (advisors: their missions locales')."""
        scope = policy.narrow(call.actor, None)
        rows = call.container.outbox(
            case_id=case_id,
            since=since,
            mission_locales=frozenset(scope) if scope is not None else None,
        )
        return [OutboxItem(**row) for row in rows]
