"""The facts every journey shares: workflow, opening inputs, host, checklist, people, time."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.services.commands import Actor

PARIS = ZoneInfo("Europe/Paris")
WORKFLOW = "erasmus_vet_long"
OPENING = {"cv_attached": True, "privacy_notice_given": True}
GRANT = "2026-1-FR01-KA121-VET-000001"
HOST = {
    "destination_country": "Malta",
    "host_organisation": "Host Ltd",
    "mentor_name": "Mentor Témoin",
}
CHECKLIST = {
    "ols_assessment_1_done": True,
    "travel_booked": True,
    "emergency_contacts_filled": True,
}
# The order of the normal variant-B journey; `Journey.walk_to` stops at any of these states.
NORMAL_PATH = [
    "REFERRED", "CONTACTED", "ASSESSED", "APPLIED", "SELECTED", "MATCHED", "CONTRACTED",
    "PREPARING", "READY", "ABROAD", "RETURNED", "DEBRIEFED", "FOLLOW_UP",
]  # fmt: skip
ADULT = date(2005, 6, 15)
# The mission locale's advisor who refers the young person (opens the case).
ML_ACTOR = Actor("ml:ml-a", "ml_advisor", frozenset({"ml-a"}))

YP_EMAIL = "camille@young.example"
GUARDIAN_EMAIL = "parent@young.example"
ADVISOR_EMAIL = "advisor.a@ipm.example"
SUPERVISOR_EMAIL = "supervisor@ipm.example"
ML_EMAIL = "conseil@ml-a.example"
FINANCE_EMAIL = "finance@ipm.example"
HOST_EMAIL = "tutor@host.example"

API = "/api/v1"
CASES = f"{API}/cases"
PEOPLE = f"{API}/people"


def as_json(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Return inputs as an HTTP or CLI client sends them: dates as YYYY-MM-DD text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in inputs.items()}


def paris(day: date, hour: int = 9) -> datetime:
    """Return a wall-clock hour of a day at Ipm, in UTC."""
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """Return a UTC moment."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local_day(moment: datetime) -> date:
    """Return the calendar day of a moment at Ipm (Europe/Paris)."""
    return moment.astimezone(PARIS).date()


@contextmanager
def kept_logging() -> Iterator[None]:
    """Put back the logging configuration that the CLI or the app factory replace."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    saved = structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**saved)
