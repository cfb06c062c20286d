"""The Erasmus+ Beneficiary Module's mobility import file of a grant agreement (KA1 VET learners).

What the Module documents (European Commission, NAITDOC wiki, read November 2026):

- "Export and import mobility activities or participations using xlsx files" and "Edit the
  mobility activity import file" (https://wikis.ec.europa.eu/display/NAITDOC/Export+and+import+
  mobility+activities+or+participations+using+xlsx+files ; .../Edit+the+mobility+activity+import+
  file): XLSX or CSV; the first row names the fields; `Data type`, `Grant Agreement No.` and
  `Mobility activity ID` are mandatory on import; dictionary values such as YES/NO; dates as
  DD-MM-YYYY; no sensitive information; "Force Majeure explanations" is exported empty because
  of the rules on special categories of personal data.
- "Mobility activities in KA121 and KA122 projects" (.../Mobility+activities+in+KA121+and+KA122+
  projects) and "Activity Types in KA121 projects": the sections of a mobility activity (mobility
  activity ID, Participant / Accompanying person / Force majeure flags, participant, fewer
  opportunities, sending and receiving organisations, dates, durations) and the VET learners'
  activity type codes LM-SHORT-VET (short-term, 10 to 89 days) and LM-LONG-VET (ErasmusPro, 90
  days and more).

The Module's own template varies by action type and call year and the Module advises exporting
the latest one after each release: COLUMNS below is this file's one list of fields in that order,
so a change of template is a change here. Fields the engine does not hold (organisation OIDs,
nationality, receiving city, travel days) are left empty for the beneficiary to fill in the
Module; explanations of special-category data are always empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DATA_TYPE = "Mobility"
SHORT_TERM = "LM-SHORT-VET"
LONG_TERM = "LM-LONG-VET"  # ErasmusPro
LONG_TERM_DAYS = 90
YES, NO = "YES", "NO"

# The Module's gender dictionary; "other" and "not declared" are its "Undefined".
GENDERS = {"female": "Female", "male": "Male"}
UNDEFINED_GENDER = "Undefined"

COLUMNS: tuple[str, ...] = (
    "Data type",
    "Grant Agreement No.",
    "Mobility activity ID",
    "Activity type",
    "Participant",
    "Accompanying person",
    "Force majeure",
    "Force Majeure explanations",
    "Participant ID",
    "Participant first name",
    "Participant last name",
    "Participant date of birth",
    "Participant gender",
    "Participant nationality",
    "Participant email",
    "Participant with fewer opportunities",
    "Sending Organisation OID",
    "Sending country",
    "Sending city",
    "Receiving Organisation OID",
    "Receiving organisation name",
    "Receiving country",
    "Receiving city",
    "Start date",
    "End date",
    "Duration (days)",
    "Interrupted duration (days)",
    "Travel days",
    "Early return",
)

NUMBERS = frozenset({"Duration (days)", "Interrupted duration (days)"})


@dataclass(frozen=True)
class Mobility:
    """One departed case of a grant agreement, as the database holds it."""

    case_id: int
    person_id: int
    first_name: str
    last_name: str
    birth_date: date | None
    gender: str | None
    email: str | None
    fewer_opportunities: bool
    host_organisation: str | None
    destination_country: str | None
    start: date
    end: date | None  # actual end, else planned end
    early_return_reason: str | None


@dataclass(frozen=True)
class Sender:
    """The sending organisation (Ipm) as the Module knows it."""

    oid: str = ""
    country: str = "FR"
    city: str = ""


def day(value: date | None) -> str:
    """A date as the Module writes it (DD-MM-YYYY); empty when unknown."""
    return value.strftime("%d-%m-%Y") if value else ""


def yes_no(flag: bool) -> str:
    """The Module's YES/NO dictionary value."""
    return YES if flag else NO


def duration_days(start: date, end: date | None) -> int | None:
    """Days of the stay, both ends included (the Module counts calendar days)."""
    return (end - start).days + 1 if end else None


def activity_type(days: int | None) -> str:
    """LM-LONG-VET (ErasmusPro) from 90 days, else LM-SHORT-VET."""
    return LONG_TERM if days is not None and days >= LONG_TERM_DAYS else SHORT_TERM


def row(grant: str, mobility: Mobility, sender: Sender) -> dict[str, str | int]:
    """One line of the import file: every column of COLUMNS, in the Module's values."""
    m = mobility
    days = duration_days(m.start, m.end)
    force_majeure = m.early_return_reason == "force_majeure"
    values: dict[str, str | int] = {
        "Data type": DATA_TYPE,
        "Grant Agreement No.": grant,
        "Mobility activity ID": f"IPM-{m.case_id}",
        "Activity type": activity_type(days),
        "Participant": YES,
        "Accompanying person": NO,
        "Force majeure": yes_no(force_majeure),
        "Force Majeure explanations": "",  # special-category data: never in the file
        "Participant ID": f"P{m.person_id}",
        "Participant first name": m.first_name,
        "Participant last name": m.last_name,
        "Participant date of birth": day(m.birth_date),
        "Participant gender": GENDERS.get(m.gender or "", UNDEFINED_GENDER),
        "Participant nationality": "",
        "Participant email": m.email or "",
        "Participant with fewer opportunities": yes_no(m.fewer_opportunities),
        "Sending Organisation OID": sender.oid,
        "Sending country": sender.country,
        "Sending city": sender.city,
        "Receiving Organisation OID": "",
        "Receiving organisation name": m.host_organisation or "",
        "Receiving country": (m.destination_country or "").upper(),
        "Receiving city": "",
        "Start date": day(m.start),
        "End date": day(m.end),
        "Duration (days)": days if days is not None else "",
        "Interrupted duration (days)": 0,
        "Travel days": "",
        "Early return": yes_no(m.early_return_reason is not None),
    }
    return {c: values[c] for c in COLUMNS}
