"""The HTTP contract for the people around a journey: contact, profile, guardians, sensitive data.

The same door rules as everywhere (domain/text.py, domain/people.py); each profile field says
which funder asks for it (the [Sn] sources of DOMAIN.md).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from ipm_workflow.domain.people import CONSENT_SOURCE_MAX, Guardian
from ipm_workflow.domain.profile import (
    EducationLevel,
    FewerOpportunityReason,
    Gender,
    GuardianLink,
    Sensitive,
    SituationAtEntry,
    Territory,
)
from ipm_workflow.domain.text import (
    REASON_MAX,
    Email,
    ImiloId,
    InseeCode,
    Language,
    Name,
    Phone,
    TimeZone,
    reason,
    single_line,
)
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.schemas import Body, Bool

Channel = Literal["email", "sms"]
Source = Annotated[str, Field(max_length=CONSENT_SOURCE_MAX), AfterValidator(single_line)]
Departement = Annotated[str, Field(pattern=r"^(\d{2}|2[AB]|97\d)$")]
SensitiveText = Annotated[str, Field(max_length=REASON_MAX), AfterValidator(reason)]
# Fields a PATCH may change but never empty (the database keeps a value).
NOT_NULL = (
    "language",
    "timezone",
    "preferred_channel",
    "consent_email",
    "consent_sms",
    "qpv",
    "rural",
)


class ContactFields(BaseModel):
    """How to reach a young person, and what they consented to."""

    language: Language | None = Field(default=None, description="ISO 639-1, e.g. 'fr'.")
    timezone: TimeZone | None = Field(default=None, description="IANA, e.g. 'Europe/Paris'.")
    preferred_channel: Channel | None = None
    consent_email: Bool | None = None
    consent_email_at: AwareDatetime | None = Field(
        default=None, description="When e-mail consent was given or withdrawn (default: now)."
    )
    consent_email_source: Source | None = Field(
        default=None, examples=["signed referral form"], description="How we know."
    )
    consent_sms: Bool | None = None
    consent_sms_at: AwareDatetime | None = None
    consent_sms_source: Source | None = None


class ProfileFields(BaseModel):
    """The profile at entry, as the funders' reports ask for it."""

    gender: Gender | None = Field(
        default=None, description="State and Région reports by gender, 'not declared' included."
    )
    commune_insee: InseeCode | None = Field(
        default=None,
        examples=["75056"],
        description="Commune of residence (INSEE code); département, QPV and rural flags are "
        "derived from the communes reference unless given.",
    )
    departement: Departement | None = None
    qpv: Territory | None = Field(
        default=None, description="Lives in a priority neighbourhood (State, Région, ESF)."
    )
    rural: Territory | None = Field(default=None, description="Lives in a rural area (ESF).")
    education_level: EducationLevel | None = Field(
        default=None, description="Highest French level reached; ESF counts its ISCED level."
    )
    situation_at_entry: SituationAtEntry | None = Field(
        default=None, description="ESF output indicators: unemployed, inactive, in training…"
    )
    imilo_id: ImiloId | None = Field(
        default=None,
        description="The i-milo identifier of the referral; never the social-security number.",
    )


def refuse_emptied(body: BaseModel, names: tuple[str, ...]) -> None:
    """Raise ValueError when a PATCH sets to null a field that must keep a value."""
    for name in names:
        if name in body.model_fields_set and getattr(body, name) is None:
            raise ValueError(f"{name} cannot be removed, only changed")


class ContactAndProfileOut(BaseModel):
    """How to reach a young person, and their profile at entry."""

    language: str
    timezone: str
    preferred_channel: str
    consent_email: bool
    consent_email_at: datetime | None
    consent_email_source: str | None
    consent_sms: bool
    consent_sms_at: datetime | None
    consent_sms_source: str | None
    gender: str | None
    commune_insee: str | None
    departement: str | None
    qpv: str
    rural: str
    education_level: str | None
    situation_at_entry: str | None
    imilo_id: str | None
    minor_without_guardian: bool = Field(
        default=False,
        description="A minor today with no guardian on file: messages meant for the guardian "
        "go to the case's advisor (else the supervisors), who is reminded.",
    )


class GuardianIn(Body):
    """A legal guardian to record (an e-mail or a phone at least)."""

    name: Name = Field(examples=["Dominique Exemple"])
    link: GuardianLink = GuardianLink.LEGAL_GUARDIAN
    parental_authority: Bool = Field(
        default=True, description="Guardians with parental authority are reached first."
    )
    email: Email | None = None
    phone: Phone | None = None
    language: Language = "fr"
    preferred_channel: Channel = Field(
        default="email", description="Used when both channels are consented and on file."
    )
    consent_email: Bool = True
    consent_sms: Bool = Field(
        default=False, description="Agrees to SMS (sent only where SMS sending is enabled)."
    )
    consent_at: AwareDatetime | None = None
    consent_source: Source | None = None


class GuardianPatch(Body):
    """Fields of a guardian to correct; omitted fields stay as they are."""

    name: Name | None = None
    link: GuardianLink | None = None
    parental_authority: Bool | None = None
    email: Email | None = None
    phone: Phone | None = None
    language: Language | None = None
    preferred_channel: Channel | None = None
    consent_email: Bool | None = None
    consent_sms: Bool | None = None
    consent_at: AwareDatetime | None = None
    consent_source: Source | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent; ValueError for one that must keep a value and was emptied."""
        keep = ("name", "link", "parental_authority", "language", "preferred_channel")
        refuse_emptied(self, (*keep, "consent_email", "consent_sms"))
        return self.model_dump(exclude_unset=True)


class GuardianOut(BaseModel):
    """A legal guardian."""

    id: int
    person_id: int
    name: str
    link: str
    parental_authority: bool
    email: str | None
    phone: str | None
    language: str
    preferred_channel: str
    consent_email: bool
    consent_sms: bool
    consent_at: datetime | None
    consent_source: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, guardian: Guardian) -> GuardianOut:
        """Render a guardian."""
        assert guardian.id is not None  # noqa: S101 - stored guardians have ids
        return from_attributes(cls, guardian)


class SensitiveIn(Body):
    """A person's sensitive data, replaced as a whole (need-to-know; never logged)."""

    rqth: Bool = Field(default=False, description="Recognised disabled-worker status (RQTH).")
    fewer_opportunities: Bool = Field(default=False, description="Erasmus+ fewer-opportunity.")
    fewer_opportunities_reason: FewerOpportunityReason | None = Field(
        default=None, description="The flag's main reason (required with the flag)."
    )
    inclusion_support_amount: Decimal | None = Field(default=None, ge=0, max_digits=10)
    inclusion_support_justification: SensitiveText | None = None
    health_needs: SensitiveText | None = None


class SensitiveOut(BaseModel):
    """A person's sensitive data; reading it is recorded."""

    person_id: int
    rqth: bool = Field(description="Recognised disabled-worker status (RQTH).")
    fewer_opportunities: bool = Field(description="Erasmus+ fewer-opportunity.")
    fewer_opportunities_reason: str | None
    inclusion_support_amount: Decimal | None
    inclusion_support_justification: str | None
    health_needs: str | None
    updated_at: datetime | None
    updated_by: str | None

    @classmethod
    def of(cls, data: Sensitive) -> SensitiveOut:
        """Render sensitive data."""
        return from_attributes(cls, data)
