"""Every report, defined once: its columns and, in words a funder accepts, what it counts.

The README's "Reports and indicators" section says the same; the SQL that computes each report
is registered under the same name in adapters/db/report_registry.py (journeys in
report_queries.py, supervision in report_supervision.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ipm_workflow.domain.reports import Column, Counting

# Outcome values (the workflows' outcome fields) grouped as the funders count them.
DURABLE_JOB = ("cdi", "cdd_6m_plus", "self_employed")
JOB = (
    *DURABLE_JOB,
    "cdd_under_6m",
    "temp_work",
    "work_study_contract",
    "subsidised_contract",
)
TRAINING = (
    "training_6m_plus_qualifying",
    "training_6m_plus",
    "training_under_6m",
    "return_to_school",
)
POSITIVE_EXIT = (*JOB, *TRAINING)
UNKNOWN_OUTCOME = "unknown"
# Terminal states that end a journey before it is done, and the field holding their reason.
DROP_OUT_REASONS = {
    "WITHDRAWN": "withdrawal_reason",
    "CANCELLED": "cancellation_reason",
    "NOT_SELECTED": None,
    "LOST_CONTACT": None,
}
FUNNEL_PHASES = ("orientation", "preparation", "departure", "abroad", "return", "follow_up")
# A first contact is on time within 48 hours of the referral, or within 2 business days.
FIRST_CONTACT_HOURS = 48
FIRST_CONTACT_BUSINESS_DAYS = 2
OUTCOME_MONTHS = 6


@dataclass(frozen=True)
class ReportDefinition:
    """A report: name, title, definition in words, columns, and what it allows."""

    name: str
    title: str
    title_fr: str
    definition: str
    columns: tuple[Column, ...]
    lists_people: bool = False  # one row per case: no fewer-opportunity filter, never masked
    counting: Counting = Counting.STARTS  # the rule used when none is asked for
    uses_period: bool = True


def _c(key: str, label: str, label_fr: str, kind: str = "int") -> Column:
    return Column(key, label, kind, label_fr)  # type: ignore[arg-type]


WF = _c("workflow", "Programme", "Programme", "text")
ML = _c("mission_locale", "Mission locale", "Mission locale", "text")
CASES = _c("cases", "Young people / starts", "Jeunes / entrées")

REPORTS: dict[str, ReportDefinition] = {}


def define(report: ReportDefinition) -> ReportDefinition:
    """Add a report to the catalogue (other modules may add theirs)."""
    REPORTS[report.name] = report
    return report


define(
    ReportDefinition(
        "funnel",
        "Funnel",
        "Entonnoir",
        "Per programme and phase: the cases that entered a state of that phase during the period "
        "(the date of the move in the history), a case counted once per phase even if it entered "
        "several of its states. The orientation phase counts the referrals (cases opened).",
        (WF, _c("phase", "Phase", "Phase", "text"), CASES),
    )
)
define(
    ReportDefinition(
        "first_contact",
        "First contact",
        "Premier contact",
        "Cases referred (opened) during the period whose 48 hours have passed: how many were "
        "contacted (left their initial state) within 48 hours of the referral, and within 2 "
        "business days (the referral's day, then the next 2 worked days in France, public holidays "
        "excluded); the late ones are the others, contacted later or not yet.",
        (
            WF,
            _c("referred", "Referred", "Orientés"),
            _c("within_48h", "Contacted within 48 h", "Contactés sous 48 h"),
            _c("within_48h_share", "Share within 48 h", "Part sous 48 h", "share"),
            _c("within_2bd", "Contacted within 2 business days", "Contactés sous 2 jours ouvrés"),
            _c(
                "within_2bd_share",
                "Share within 2 business days",
                "Part sous 2 jours ouvrés",
                "share",
            ),
            _c("late", "Late (over 48 h)", "En retard (plus de 48 h)"),
        ),
    )
)
define(
    ReportDefinition(
        "first_contact_late",
        "Late first contacts",
        "Premiers contacts en retard",
        "The cases of the first-contact figure not contacted within 48 hours, one row each.",
        (
            _c("case_id", "Case", "Dossier", "text"),
            WF,
            ML,
            _c("advisor", "Advisor", "Conseiller·ère", "text"),
            _c("referred_on", "Referred on", "Orienté le", "date"),
            _c("contacted_on", "Contacted on", "Contacté le", "date"),
            _c("days", "Days to contact", "Délai (jours)", "days"),
        ),
        lists_people=True,
    )
)
define(
    ReportDefinition(
        "time_to_departure",
        "Referral to departure",
        "De l'orientation au départ",
        "Cases that left (entered the abroad phase for the first time) during the period: the "
        "calendar days from the referral (the case's opening) to the departure, their median and "
        "90th percentile (nearest rank: the value at rank ⌈n×p⌉ of the sorted times). "
        "Postponements are included: it is the time the young person waited.",
        (
            WF,
            _c("departures", "Departures", "Départs"),
            _c("median_days", "Median (days)", "Médiane (jours)", "days"),
            _c("p90_days", "90th percentile (days)", "9e décile (jours)", "days"),
        ),
    )
)
define(
    ReportDefinition(
        "dropout",
        "Drop-out",
        "Abandons",
        "Cases that ended during the period without going to the end (withdrawn, cancelled, not "
        "selected, lost contact), by the phase of the state they left and their reason category.",
        (
            WF,
            _c("phase", "Phase left", "Phase quittée", "text"),
            _c("ended_as", "Ended as", "Issue", "text"),
            _c("reason", "Reason", "Motif", "text"),
            CASES,
        ),
    )
)
define(
    ReportDefinition(
        "early_returns",
        "Early returns",
        "Retours anticipés",
        "Cases that came back before the planned end during the period (entered the early-return "
        "state), by reason category (force majeure, personal, exclusion).",
        (WF, _c("reason", "Reason", "Motif", "text"), CASES),
    )
)
define(
    ReportDefinition(
        "outcomes_6m",
        "Outcomes at 6 months",
        "Situation à 6 mois",
        "Young people back from their stay (end of the stay, early or not) during the period moved "
        "6 months back, so that every one of them returned at least 6 months before the period's "
        "end: their situation recorded at +6 months. Durable job: CDI, CDD of 6 months or more, "
        "self-employed. Positive exit: any job or training. Unknown: recorded unknown or not "
        "recorded. By the source of the outcome (young person, mission locale, i-milo, employer).",
        (
            WF,
            _c("source", "Source", "Source", "text"),
            _c("returned", "Returned", "Rentrés"),
            _c("durable_job", "Durable job", "Emploi durable"),
            _c("durable_job_share", "Durable job share", "Part emploi durable", "share"),
            _c("positive_exit", "Positive exit", "Sortie positive"),
            _c("positive_exit_share", "Positive exit share", "Part sorties positives", "share"),
            _c("unknown", "Unknown", "Inconnue"),
            _c("unknown_share", "Unknown share", "Part inconnue", "share"),
        ),
    )
)
define(
    ReportDefinition(
        "caseload",
        "Caseload",
        "Portefeuilles",
        "Open cases (not in a final state) today per Ipm advisor, and those with no advisor; with "
        "how many of them are past their state's time limit.",
        (
            _c("advisor", "Advisor", "Conseiller·ère", "text"),
            _c("open_cases", "Open cases", "Dossiers ouverts"),
            _c("overdue", "Overdue", "En retard"),
        ),
        uses_period=False,
    )
)
define(
    ReportDefinition(
        "overdue_cases",
        "Overdue cases",
        "Dossiers en retard",
        "Open cases past their state's time limit today (the limit moves with suspensions and "
        "postponements: a paused clock is not overdue), by programme and state.",
        (WF, _c("state", "State", "État", "text"), CASES),
        uses_period=False,
    )
)
define(
    ReportDefinition(
        "overdue_documents",
        "Overdue documents",
        "Documents en retard",
        "Documents of open cases that are late today: expired (valid until a day already past) or "
        "refused, or still missing after a checklist reminder (D-60 to D-7) fell due.",
        (
            WF,
            _c("document", "Document", "Document", "text"),
            _c("problem", "Problem", "Problème", "text"),
            CASES,
        ),
        uses_period=False,
    )
)
define(
    ReportDefinition(
        "territory_equity",
        "Territory equity",
        "Équité territoriale",
        "Departures (entered the abroad phase) during the period per current mission locale, and "
        "per 1,000 young people of its area (the reference population an admin loads for the "
        "period's year).",
        (
            ML,
            _c("departures", "Departures", "Départs"),
            _c("population", "Young people in the area", "Jeunes du territoire"),
            _c("per_1000", "Departures per 1,000", "Départs pour 1 000", "rate"),
        ),
    )
)
define(
    ReportDefinition(
        "activity",
        "State/Région activity report",
        "Bilan d'activité État/Région",
        "Referred: cases opened in the period (by referring mission locale). Assessed: entered the "
        "assessed state; departed: entered the abroad phase; returned: came back from the stay "
        "(entered the return phase) — all in the period, by current mission locale. Broken down by "
        "mission locale, département, QPV, rural area, programme, gender, age band at referral and "
        "education level; with the share of the referred who have the fewer-opportunity flag.",
        (
            _c("dimension", "Breakdown", "Ventilation", "text"),
            _c("value", "Value", "Valeur", "text"),
            _c("referred", "Referred", "Orientés"),
            _c("assessed", "Assessed", "Diagnostics"),
            _c("departed", "Departed", "Partis"),
            _c("returned", "Returned", "Rentrés"),
            _c("fewer_opportunities", "With fewer opportunities", "Moins d'opportunités"),
            _c(
                "fewer_opportunities_share",
                "Fewer-opportunity share",
                "Part moins d'opportunités",
                "share",
            ),
        ),
    )
)
define(
    ReportDefinition(
        "esf",
        "ESF indicators",
        "Indicateurs FSE",
        "ESF+ common indicators for the operation (the period): participants — young people whose "
        "case was opened — counted once each, by their situation and profile at entry; and their "
        "situation 6 months after the end of their stay, for those back at least 6 months before "
        "the period's end.",
        (
            _c("indicator", "Indicator", "Indicateur", "text"),
            _c("label", "Label", "Libellé", "text"),
            _c("participants", "Participants", "Participants"),
        ),
        counting=Counting.PEOPLE,
    )
)
