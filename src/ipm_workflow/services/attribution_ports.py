"""Ports of attribution: moves between missions locales, deactivated staff, and the counts.

Attribution rule: a referral counts for the mission locale that referred the case (it never
changes); an outcome counts for the case's current mission locale (the one it moved to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class Move:
    """A case moving from one mission locale to another: an event, not a state."""

    case_id: int
    from_mission_locale_id: str
    to_mission_locale_id: str
    moved_on: date
    reason: str | None
    at: datetime
    actor: str


@dataclass(frozen=True)
class MlCount:
    """How many cases, and how many distinct young people (merged records once), per ML."""

    mission_locale_id: str
    cases: int
    people: int


@dataclass(frozen=True)
class Period:
    """A half-open time window [since, until); None leaves that side open."""

    since: datetime | None = None
    until: datetime | None = None


class AttributionRepository(Protocol):
    """Moves between missions locales, deactivation of staff, and the attribution counts."""

    def record_move(self, move: Move) -> None:
        """Store a move."""
        ...

    def moves_of(self, case_id: int) -> list[Move]:
        """Return a case's moves, oldest first."""
        ...

    def deactivate_user(self, user_id: int, at: datetime) -> bool:
        """Switch a user off; return whether they were active."""
        ...

    def referrals_by_referring_ml(self, period: Period) -> list[MlCount]:
        """Cases opened in the period, per referring mission locale (merged duplicates left out)."""
        ...

    def outcomes_by_current_ml(self, period: Period, states: list[str]) -> list[MlCount]:
        """Cases that entered one of `states` in the period and are there, per current ML."""
        ...
