"""Whether a document on file covers the period it is needed for: one judgement for all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ipm_workflow.domain.cases import Document

if TYPE_CHECKING:  # definitions import the guards, which import this module
    from ipm_workflow.domain.definitions import Labels


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


# A document on file is never called missing: the list says what is wrong with it instead.
_ON_FILE = {
    "refused": {"fr": "refusé", "en": "refused"},
    "not validated": {"fr": "reçu, à valider", "en": "received, awaiting validation"},
}
_NOT_COVERING = {
    "fr": "au dossier, mais sa validité ne couvre pas la période",
    "en": "on file, but its validity does not cover the period",
}


def document_line(label: Labels, lang: str, problem: str) -> str:
    """A document's label in a language (fr, en), saying what is wrong when it is on file."""
    text = label.fr if lang == "fr" else label.en
    if problem == "missing":
        return text
    notes = _ON_FILE.get(problem, _NOT_COVERING)
    return f"{text} ({notes['fr'] if lang == 'fr' else notes['en']})"
