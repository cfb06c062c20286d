"""Contact attempts: each call, SMS, e-mail, letter or word through the mission locale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ipm_workflow.domain.aftercare_rules import ContactChannel


@dataclass(frozen=True)
class ContactAttempt:
    """One try to reach the young person; the note is free text (never logged nor chained)."""

    case_id: int
    at: datetime
    channel: ContactChannel
    answered: bool
    by: str  # an actor reference, never a name
    checkpoint: str | None = None
    note: str | None = None
    recorded_at: datetime | None = None
    id: int | None = None
