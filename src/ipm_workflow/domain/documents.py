"""Whether a document on file covers the period it is needed for: one judgement for all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ipm_workflow.domain.cases import Document


@dataclass(frozen=True)
class Period:
    """The days a document must cover: from `start` (a field's date, or today) through `end`."""

    start: date
    end: date | None = None
    start_field: str | None = None
    end_field: str | None = None


def document_problem(doc: Document | None, period: Period, *, validated: bool) -> str | None:
    """Say why a document does not do for a period ('missing', 'expired'…), or None when it does.

    Guards and the reminders' `unless` conditions both go through here, so a reminder never
    calls a document missing that the guard accepts, and the reverse.
    """
    status = doc.status if doc else "missing"
    if doc is None or status not in ("received", "validated"):
        return status
    if validated and status != "validated":
        return "not validated"
    start = period.start
    end = max(start, period.end) if period.end is not None else start
    gap = doc.gap(start, end)
    if gap is None:
        return None
    return _gap_problem(*gap, period, start, end)


def _gap_problem(side: str, day: date, period: Period, start: date, end: date) -> str:
    if side == "starts":
        if period.start_field is None:
            return "not yet valid"
        return f"valid only from {day}, after {period.start_field} {start}"
    if day >= start:
        return f"expires {day} before {period.end_field} {end}"
    if period.start_field is None:
        return "expired"
    return f"expires {day} before {period.start_field} {start}"
