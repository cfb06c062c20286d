"""Driving the training sandbox over HTTP only: its users, its clock and its outbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import MissionLocale
from journey import (
    ADVISOR_EMAIL,
    API,
    ME,
    ML_EMAIL,
    SUPERVISOR_EMAIL,
    YP_EMAIL,
    ApiJourney,
)

MARKER = "training sandbox - not production data"
CLOCK = f"{API}/sandbox/clock"
OUTBOX = f"{API}/sandbox/outbox"

ADVISOR, SUPERVISOR, ADMIN, TRAINER = "advisor.a", "super", "admin", "trainer.t"


def directory(container: Container) -> dict[str, str]:
    """A mission locale with a contact address; advisor, supervisor, admin and their tokens."""
    people = container.people
    people.add_mission_locale(MissionLocale("ml-a", "Mission locale A (test)", "42", ML_EMAIL))
    people.add_user(ADVISOR, "Advisor A", "advisor", ["ml-a"], email=ADVISOR_EMAIL)
    people.add_user(SUPERVISOR, "Supervisor", "supervisor", [], email=SUPERVISOR_EMAIL)
    people.add_user(ADMIN, "Admin", "admin", [])
    return {
        name: container.tokens.issue(name, days=1).token for name in (ADVISOR, SUPERVISOR, ADMIN)
    }


def parse(moment: str) -> datetime:
    """Read an ISO timestamp of the API as an aware UTC datetime."""
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(UTC)


def minute(moment: datetime) -> datetime:
    """Truncate to the minute: the sandbox clock runs on in real time between steps."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


class SandboxApi(ApiJourney):
    """The journey driver over the sandbox API; it keeps the sandbox marker of each answer."""

    def __init__(self, client: TestClient[Litestar], tokens: Mapping[str, str]) -> None:
        person = {"first_name": "Camille", "last_name": "Témoin", "email": YP_EMAIL}
        super().__init__(client, tokens, advisor=ADVISOR, person_body=person)
        self.markers: list[str | None] = []

    def call(self, method: str, url: str, who: str | None = ME, **kw: Any) -> httpx.Response:
        """Send one request as a user (None: anonymous); remember its sandbox marker."""
        response = super().call(method, url, who, **kw)
        self.markers.append(response.headers.get("x-ipm-sandbox"))
        return response

    # Users and tokens, through the admin endpoints.
    def create_trainer(self, username: str) -> None:
        """Create a trainer and issue their token, as the admin."""
        self.ok(
            "POST",
            f"{API}/admin/users",
            ADMIN,
            json={"username": username, "display_name": "Trainer", "role": "trainer"},
        )
        issued = self.ok("POST", f"{API}/admin/users/{username}/tokens", ADMIN, json={"days": 1})
        self.tokens[username] = issued["token"]

    # The sandbox's clock and outbox.
    def now(self, who: str = TRAINER) -> datetime:
        """The sandbox's current time."""
        return parse(self.ok("GET", CLOCK, who)["now"])

    def move(self, who: str = TRAINER, **body: str) -> dict[str, Any]:
        """Move the clock ({'to': …} or {'advance': …}); return what happened."""
        travel: dict[str, Any] = self.ok("POST", CLOCK, who, json=body)
        return travel

    def to(self, moment: datetime, who: str = TRAINER) -> dict[str, Any]:
        """Move the clock to a moment."""
        return self.move(who, to=moment.isoformat())

    def outbox(self, **params: Any) -> list[dict[str, Any]]:
        """Captured messages, oldest first."""
        items: list[dict[str, Any]] = self.ok("GET", OUTBOX, params=params)
        return items

    def user_id(self, username: str) -> int:
        """A user's id, read by the admin."""
        user_id: int = self.ok("GET", f"{API}/admin/users/{username}", ADMIN)["id"]
        return user_id


def happened(travel: Mapping[str, Any]) -> list[tuple[datetime, str, str, str, str]]:
    """What a clock move reports: (minute, rule, kind, recipient, result), in order."""
    return [
        (minute(parse(h["at"])), h["rule_id"], h["kind"], h["recipient"], h["result"])
        for h in travel["happened"]
    ]


def step(days: int) -> timedelta:
    """A number of days."""
    return timedelta(days=days)
