"""The profile of a young person at entry, and their sensitive data, as funders ask for them.

Only what the funders' reports need; each value set names the source that asks for it (the
[Sn] references are those of DOMAIN.md). Sensitive data is kept apart (its own table, its own
access right, every read recorded) and reaches reports only as counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ipm_workflow.domain.privacy import PersonDataAccess


class Gender(StrEnum):
    """Gender as the State and Région reports break it down, "not declared" included [S1][S3]."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_DECLARED = "not_declared"


class Territory(StrEnum):
    """A yes/no flag that may not be known (QPV, rural area) [S1][S3][S39]."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class EducationLevel(StrEnum):
    """Highest education level reached, French nomenclature (niveaux de formation, 2019 decree)
    with the ISCED 2011 level each maps to; ESF indicators count by ISCED [S39], the State and
    Région by education level [S1][S3]."""

    NONE = "none"  # no diploma, left before lower secondary end: ISCED 0-1
    LEVEL_3 = "level_3"  # CAP, BEP (ex-niveau V): ISCED 3
    LEVEL_4 = "level_4"  # baccalauréat (ex-niveau IV): ISCED 3
    LEVEL_5 = "level_5"  # BTS, DUT, bac+2 (ex-niveau III): ISCED 5
    LEVEL_6 = "level_6"  # licence, bac+3 (ex-niveau II): ISCED 6
    LEVEL_7 = "level_7"  # master, bac+5: ISCED 7
    LEVEL_8 = "level_8"  # doctorate: ISCED 8
    LOWER_SECONDARY = "lower_secondary"  # brevet / collège completed: ISCED 2
    NOT_DECLARED = "not_declared"

    @property
    def isced(self) -> int | None:
        """The ISCED 2011 level (None: not declared)."""
        return _ISCED[self]


_ISCED: dict[EducationLevel, int | None] = {
    EducationLevel.NONE: 1,
    EducationLevel.LOWER_SECONDARY: 2,
    EducationLevel.LEVEL_3: 3,
    EducationLevel.LEVEL_4: 3,
    EducationLevel.LEVEL_5: 5,
    EducationLevel.LEVEL_6: 6,
    EducationLevel.LEVEL_7: 7,
    EducationLevel.LEVEL_8: 8,
    EducationLevel.NOT_DECLARED: None,
}


class SituationAtEntry(StrEnum):
    """Labour-market situation at entry: ESF common output indicators (unemployed, inactive,
    in education or training) [S39], and the State's NEET counts [S1]."""

    JOB_SEEKER_REGISTERED = "job_seeker_registered"  # registered with France Travail
    JOB_SEEKER_NOT_REGISTERED = "job_seeker_not_registered"
    INACTIVE = "inactive"  # neither in work, education nor looking for work
    IN_TRAINING = "in_training"
    IN_EDUCATION = "in_education"
    EMPLOYED = "employed"
    NOT_DECLARED = "not_declared"


class GuardianLink(StrEnum):
    """How a guardian is related to the young person (DOMAIN §4, Guardian)."""

    MOTHER = "mother"
    FATHER = "father"
    LEGAL_GUARDIAN = "legal_guardian"  # tuteur, tutrice
    OTHER = "other"


class FewerOpportunityReason(StrEnum):
    """The main reason of the Erasmus+ fewer-opportunity flag; counted per reason [S13][S15]."""

    DISABILITY = "disability"
    HEALTH = "health"
    EDUCATIONAL = "educational"
    CULTURAL = "cultural"
    SOCIAL = "social"
    ECONOMIC = "economic"
    DISCRIMINATION = "discrimination"
    GEOGRAPHICAL = "geographical"


@dataclass(frozen=True)
class Sensitive:
    """Special-category data of a young person: never logged, never in history, counted only.

    RQTH raises age limits [S30][S27]; the fewer-opportunity flag with its main reason and the
    inclusion support go to the Beneficiary Module [S13][S14]; health needs prepare the stay.
    """

    person_id: int
    rqth: bool = False
    fewer_opportunities: bool = False
    fewer_opportunities_reason: FewerOpportunityReason | None = None
    inclusion_support_amount: Decimal | None = None
    inclusion_support_justification: str | None = None
    health_needs: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class CommuneRef:
    """One line of the communes reference an admin loads: where QPV and rural flags come from."""

    insee_code: str
    departement: str
    qpv: Territory = Territory.UNKNOWN
    rural: Territory = Territory.UNKNOWN


@dataclass(frozen=True)
class SensitiveRead(PersonDataAccess):
    """Who read (or was refused) a person's sensitive data, when, on which case, from where."""

    case_id: int | None = None
    entry_point: str | None = None  # the page or endpoint, e.g. "api:people.sensitive"
    allowed: bool = True


def departement_of(insee: str) -> str:
    """Return the département of an INSEE commune code (97x overseas: three characters)."""
    return insee[:3] if insee.startswith("97") else insee[:2]


def adult_born_by(on: date, adult_age: int = 18) -> date:
    """Return the last birth date of someone of age on a day: born later, still a minor then
    (someone born on 29 February comes of age on 1 March in other years)."""
    try:
        return on.replace(year=on.year - adult_age)
    except ValueError:  # 29 February of a leap year, eighteen years back a common one
        return date(on.year - adult_age, 2, 28)
