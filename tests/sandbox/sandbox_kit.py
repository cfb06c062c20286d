"""Driving the training sandbox over HTTP only: users' tokens, cases, and its clock."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import structlog
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import MissionLocale

PARIS = ZoneInfo("Europe/Paris")
WORKFLOW = "erasmus_vet_long"
MARKER = "training sandbox - not production data"
API = "/api/v1"
CLOCK = f"{API}/sandbox/clock"
OUTBOX = f"{API}/sandbox/outbox"

ADVISOR, SUPERVISOR, ADMIN, TRAINER = "advisor.a", "super", "admin", "trainer.t"
YP_EMAIL = "camille@young.example"
ADVISOR_EMAIL = "advisor.a@ipm.example"
SUPERVISOR_EMAIL = "supervisor@ipm.example"
ML_EMAIL = "conseil@ml-a.example"
FINANCE_EMAIL = "finance@ipm.example"
HOST_EMAIL = "tutor@host.example"


@contextmanager
def kept_logging() -> Iterator[None]:
    """Put back the logging configuration that the app factory replaces."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    saved = structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**saved)


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


def paris(day: date, hour: int = 9) -> datetime:
    """Return a wall-clock hour of a day at Ipm, in UTC."""
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """Return a UTC moment."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def parse(moment: str) -> datetime:
    """Read an ISO timestamp of the API as an aware UTC datetime."""
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(UTC)


def minute(moment: datetime) -> datetime:
    """Truncate to the minute: the sandbox clock runs on in real time between steps."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


class SandboxApi:
    """Calls the sandbox's API as a named user; checks the sandbox marker on every answer."""

    def __init__(self, client: TestClient[Litestar], tokens: Mapping[str, str]) -> None:
        self.client = client
        self.tokens = dict(tokens)
        self.markers: list[str | None] = []

    def call(
        self,
        method: str,
        url: str,
        who: str | None = ADVISOR,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Send one request as a user (None: anonymous); remember its sandbox marker."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        response = self.client.request(method, url, json=json, params=params, headers=headers)
        self.markers.append(response.headers.get("x-ipm-sandbox"))
        return response

    def ok(self, method: str, url: str, who: str | None = ADVISOR, **kw: Any) -> Any:
        """Send a request that must succeed; return its JSON body."""
        response = self.call(method, url, who, **kw)
        assert response.status_code in (200, 201), f"{method} {url}: {response.text}"
        return response.json()

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

    # Young people and cases, as the advisor.
    def person(self, **fields: Any) -> int:
        """Register a young person (with an e-mail) and return the id."""
        body = {"first_name": "Camille", "last_name": "Témoin", "email": YP_EMAIL, **fields}
        person_id: int = self.ok("POST", f"{API}/people", json=body)["person"]["id"]
        return person_id

    def open_case(self, person_id: int, advisor_id: int | None = None) -> dict[str, Any]:
        """Open a variant-B case for mission locale A."""
        body = {
            "person_id": person_id,
            "workflow": WORKFLOW,
            "mission_locale_id": "ml-a",
            "advisor_id": advisor_id,
            "inputs": {"cv_attached": True, "privacy_notice_given": True},
        }
        case: dict[str, Any] = self.ok("POST", f"{API}/cases", json=body)
        return case

    def fire(
        self,
        case_id: int,
        trigger: str,
        who: str = ADVISOR,
        reason: str | None = None,
        **inputs: Any,
    ) -> dict[str, Any]:
        """Fire a trigger (dates as ISO text); return the case after it."""
        raw = {k: v.isoformat() if isinstance(v, date) else v for k, v in inputs.items()}
        body = {"trigger": trigger, "inputs": raw, "reason": reason}
        fired: dict[str, Any] = self.ok(
            "POST", f"{API}/cases/{case_id}/transitions", who, json=body
        )
        return fired["case"]

    def set(self, case_id: int, **changes: Any) -> dict[str, Any]:
        """Change data fields of a case."""
        raw = {k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()}
        case: dict[str, Any] = self.ok(
            "PATCH", f"{API}/cases/{case_id}/data", json={"changes": raw}
        )
        return case

    def doc(self, case_id: int, name: str, valid_until: date | None = None) -> dict[str, Any]:
        """Record a validated document."""
        body = {
            "status": "validated",
            "valid_until": valid_until.isoformat() if valid_until else None,
        }
        case: dict[str, Any] = self.ok("PUT", f"{API}/cases/{case_id}/documents/{name}", json=body)
        return case

    def case(self, case_id: int) -> dict[str, Any]:
        """Read a case."""
        case: dict[str, Any] = self.ok("GET", f"{API}/cases/{case_id}")
        return case

    def state(self, case_id: int) -> str:
        """A case's current state."""
        state: str = self.case(case_id)["state"]
        return state

    def history(self, case_id: int) -> list[dict[str, Any]]:
        """A case's history, oldest first."""
        entries: list[dict[str, Any]] = self.ok("GET", f"{API}/cases/{case_id}/history")
        return entries

    def reminders(self, case_id: int) -> list[dict[str, Any]]:
        """A case's reminders, whatever their status."""
        rows: list[dict[str, Any]] = self.ok("GET", f"{API}/cases/{case_id}/reminders")
        return rows

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
