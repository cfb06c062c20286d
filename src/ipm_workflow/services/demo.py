"""Demonstration data: three missions locales, a few users, about twenty variant-B journeys."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.people import MissionLocale, Person, User
from ipm_workflow.services.commands import (
    SYSTEM,
    Actor,
    FireTrigger,
    OpenCase,
    RecordDocument,
    UpdateData,
)
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.people import PeopleService
from ipm_workflow.services.portal import PortalService

log = structlog.get_logger("ipm_workflow.demo")
WORKFLOW = "erasmus_vet_long"
MISSIONS_LOCALES = [
    MissionLocale("ml-saint-etienne", "Mission locale de Saint-Étienne (démo)", "42"),
    MissionLocale("ml-lyon", "Mission locale de Lyon (démo)", "69"),
    MissionLocale("ml-roanne", "Mission locale de Roanne (démo)", "42"),
]
# username, display name, role, missions locales — obviously fictitious people.
USERS = [
    ("demo.admin", "Admin Démo", policy.ADMIN, []),
    ("demo.supervisor", "Superviseur Démo", policy.SUPERVISOR, []),
    ("demo.trainer", "Formatrice Démo", policy.TRAINER, []),
    ("demo.advisor1", "Conseillère Démo Un", policy.ADVISOR, ["ml-saint-etienne"]),
    ("demo.advisor2", "Conseiller Démo Deux", policy.ADVISOR, ["ml-lyon", "ml-roanne"]),
]
# The demo accounts' password on the web pages: obviously fake, printed by `make run`.
PASSWORD = "demo-password"  # noqa: S105 - a public demo value, never a real secret
# How far each demo case walks along the journey (number of steps of `journey`).
TARGETS = [0, 0, 1, 1, 2, 3, 4, 5, 5, 7, 9, 9, 11, 12, 12, 13, 15, 16, 17, 17]


def journey(today: date) -> list[tuple[str, Any, dict[str, Any]]]:
    """Return the steps of a normal variant-B journey, relative to a day."""
    start, end = today + timedelta(days=60), today + timedelta(days=150)

    def d(day: date) -> str:
        return day.isoformat()

    return [
        ("fire", "log_first_contact", {"first_contact_date": d(today)}),
        ("fire", "assess", {"programme": "erasmus_vet", "eligibility_checked": True}),
        ("fire", "apply", {"duplicate_check_passed": True}),
        (
            "fire",
            "select",
            {
                "grant_project_code": "DEMO-2026-KA121-VET-0001",
                "grant_project_end": d(today + timedelta(days=700)),
            },
        ),
        (
            "fire",
            "match_host",
            {
                "destination_country": "MT",
                "host_organisation": "Demo Host Ltd",
                "mentor_name": "Mentor Démo",
                "planned_start": d(start),
                "planned_end": d(end),
            },
        ),
        ("docs", ["grant_agreement", "learning_agreement"], {}),
        ("fire", "sign_contracts", {"signature_date": d(today)}),
        ("system", "start_preparation", {}),
        ("docs", ["identity", "insurance", "ceam"], {"valid_until": end + timedelta(days=365)}),
        (
            "set",
            None,
            {
                "ols_assessment_1_done": True,
                "travel_booked": True,
                "emergency_contacts_filled": True,
            },
        ),
        ("fire", "confirm_ready", {}),
        ("fire", "confirm_arrival", {"actual_start": d(today)}),
        ("fire", "confirm_return", {"actual_end": d(today)}),
        ("set", None, {"ols_assessment_2_done": True, "ml_report_sent": True}),
        ("docs", ["europass"], {}),
        ("fire", "debrief", {"debrief_date": d(today)}),
        ("system", "start_follow_up", {}),
        (
            "fire",
            "record_outcome_m3",
            {
                "outcome_m3": "cdd_6m_plus",
                "outcome_m3_source": "mission_locale",
                "outcome_m3_confidence": "confirmed",
            },
        ),
    ]


def walk(cases: CaseService, case_id: int, actor: Actor, steps: list[Any]) -> None:
    """Apply journey steps to a case, each through the service layer."""
    for kind, name, args in steps:
        if kind in ("fire", "system"):
            who = SYSTEM if kind == "system" else actor
            cases.fire(FireTrigger(case_id, name, args), who)
        elif kind == "docs":
            for doc in name:
                cases.record_document(
                    RecordDocument(case_id, doc, "validated", valid_until=args.get("valid_until")),
                    actor,
                )
        else:
            cases.update_data(UpdateData(case_id, args), actor)


def load(cases: CaseService, people: PeopleService) -> bool:
    """Load the demo data unless it is already there; return whether it was loaded."""
    try:
        people.user_by_name("demo.admin")
        return False
    except NotFound:
        pass
    for ml in MISSIONS_LOCALES:
        people.add_mission_locale(ml)
    users: dict[str, User] = {
        name: people.add_user(name, display, role, mls) for name, display, role, mls in USERS
    }
    today = cases.today()
    steps = journey(today)
    first_names = [
        "Camille",
        "Lou",
        "Sacha",
        "Noa",
        "Alex",
        "Charlie",
        "Eden",
        "Maël",
        "Robin",
        "Yaël",
    ]
    for i, target in enumerate(TARGETS):
        ml = MISSIONS_LOCALES[i % 3]
        advisor = users["demo.advisor1" if ml.id == "ml-saint-etienne" else "demo.advisor2"]
        born = date(today.year - 19 - i % 5, 1 + i % 12, 1 + i % 27)
        referrer = Actor(f"ml:{ml.id}", policy.ML_ADVISOR, frozenset({ml.id}))
        person = people.register(
            Person(
                None,
                first_names[i % 10],
                f"Exemple{i + 1}",
                born,
                f"jeune{i + 1}@example.org",
                None,
            ),
            referrer,
        ).person
        assert person.id is not None  # noqa: S101 - just inserted
        case = cases.open_case(
            OpenCase(
                person.id,
                WORKFLOW,
                ml.id,
                advisor.id,
                {"cv_attached": True, "privacy_notice_given": True},
            ),
            referrer,
        )
        assert case.id is not None  # noqa: S101 - just inserted
        walk(cases, case.id, Actor.of(advisor), steps[:target])
    log.info("demo_loaded", cases=len(TARGETS))
    return True


def young_person_link(portal: PortalService, people: PeopleService) -> str | None:
    """A sign-in link to the first demo young person's own pages, handed by their advisor (as
    at the desk), so `make run` shows those pages without a mail server; None without demo data.
    """
    found = [a for a in portal.addressees("jeune1@example.org") if a.guardian_id is None]
    if not found:
        return None
    try:
        advisor = Actor.of(people.user_by_name("demo.advisor1"))
    except NotFound:
        return None
    return portal.hand_link(found[0].person_id, advisor)
