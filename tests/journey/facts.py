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
    "destination_country": "MT",
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

# French subjects of the shipped templates (the young person and the staff read French).
SUBJECTS = {
    "first_contact_overdue": "Premier contact à faire – dossier n°{case}",
    "first_contact_escalation": "Alerte : premier contact non fait – dossier n°{case}",
    "prefinancing_due": "Préfinancement à verser – dossier n°{case}",
    "prefinancing_escalation": "Alerte : préfinancement non versé – dossier n°{case}",
    "documents_missing": "Documents à fournir avant le départ",
    "documents_missing_escalation": "Alerte : documents manquants avant le départ – "
    "dossier n°{case}",
    "ceam_missing": "Ta carte européenne d'assurance maladie (CEAM)",
    "ceam_missing_escalation": "CEAM toujours manquante – dossier n°{case}",
    "ols_assessment_due": "Ton test de langue OLS avant le départ",
    "ols_assessment_escalation": "Test OLS 1 non fait – dossier n°{case}",
    "departure_pack": "Départ imminent : les informations pratiques",
    "arrival_check": "Arrivée sur place : tout va bien ?",
    "arrival_unconfirmed": "Arrivée non confirmée – dossier n°{case}",
    "check_in": "Point de suivi – stage de Camille",
    "return_logistics": "Ton retour approche : ce qu'il reste à faire",
    "return_confirmation": "Fin du stage : confirmation du retour",
    "participant_report_request": "Ton avis sur ton stage : le rapport du participant",
    "participant_report_reminder": "Petit rappel : ton rapport du participant",
    "debrief_due": "Entretien de bilan – dossier n°{case}",
    "outcome_survey": "Après le séjour à l'étranger : des nouvelles ?",
    # Event messages (sent when something happens, not on a date).
    "selected": "Ta candidature est retenue !",
    "early_return_ml": "Retour anticipé – dossier n°{case}",
    "outcome_call_due": "Appel de suivi à passer – Camille, dossier n°{case}",
}

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
