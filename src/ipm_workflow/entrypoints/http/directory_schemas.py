"""The HTTP contract for people, users and tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, model_validator

from ipm_workflow.domain.people import Person, User
from ipm_workflow.domain.policy import UserRole
from ipm_workflow.domain.text import Email, Name, Phone, single_line
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.people_schemas import (
    NOT_NULL,
    ContactAndProfileOut,
    ContactFields,
    ProfileFields,
    refuse_emptied,
)
from ipm_workflow.entrypoints.http.schemas import Body, Ident, Int
from ipm_workflow.services.people import Registered


class PersonIn(Body, ContactFields, ProfileFields):
    """A young person to register, with contact details and the profile at entry."""

    first_name: Name = Field(examples=["Camille"])
    last_name: Name = Field(examples=["Exemple"])
    birth_date: date | None = Field(default=None, examples=["2005-06-15"])
    email: Email | None = Field(default=None, examples=["camille@example.org"])
    phone: Phone | None = Field(
        default=None,
        examples=["+33 6 00 00 00 00"],
        description="Stored in E.164 form; a number without +country is read as French.",
    )


class PersonPatch(Body, ContactFields, ProfileFields):
    """Fields of a person to change or correct (each change goes into the history of their
    cases); omitted fields stay as they are."""

    @model_validator(mode="after")
    def _names_stay(self) -> PersonPatch:
        refuse_emptied(self, ("first_name", "last_name", *NOT_NULL))
        return self

    first_name: Name | None = None
    last_name: Name | None = None
    birth_date: date | None = None
    email: Email | None = None
    phone: Phone | None = None


class PersonOut(ContactAndProfileOut):
    """A young person."""

    id: int
    first_name: str
    last_name: str
    birth_date: date | None
    email: str | None
    phone: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, person: Person, minor_without_guardian: bool = False) -> PersonOut:
        """Render a person."""
        assert person.id is not None  # noqa: S101 - stored people have ids
        return from_attributes(cls, person, minor_without_guardian=minor_without_guardian)


class PersonSaved(BaseModel):
    """A person as saved, with probable duplicates to review (a warning, never a refusal)."""

    person: PersonOut
    possible_duplicates: list[int] = Field(
        description="Ids of people you may see with the same birth date and a close name, or "
        "the same phone or e-mail."
    )
    duplicate_elsewhere: bool = Field(
        default=False,
        description="A probable duplicate exists that you may not see (another mission "
        "locale's): ask a supervisor.",
    )
    returning: list[int] = Field(
        default_factory=list,
        description="Possible duplicates whose every case is closed: a new case for them is a "
        "re-entry (open it on that record), not a duplicate.",
    )

    @classmethod
    def of(cls, saved: Registered, minor_without_guardian: bool = False) -> PersonSaved:
        """Render a saved person and the duplicates the caller may know of."""
        return cls(
            person=PersonOut.of(saved.person, minor_without_guardian),
            possible_duplicates=[p.id for p in saved.possible_duplicates if p.id],
            duplicate_elsewhere=saved.duplicate_elsewhere,
            returning=saved.returning,
        )


class UserIn(Body):
    """A user to create."""

    username: str = Field(min_length=2, max_length=100, pattern=r"^[a-z0-9._-]+$")
    display_name: Name
    role: UserRole
    mission_locales: list[Ident] = Field(default_factory=list)


class UserOut(BaseModel):
    """A user."""

    id: int
    username: str
    display_name: str
    role: str
    mission_locales: list[str]
    active: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        """Render a user."""
        return from_attributes(cls, user, mission_locales=sorted(user.mission_locales))


class TokenIn(Body):
    """A token to issue."""

    days: Int = Field(default=90, ge=1, le=730)
    label: Annotated[str, Field(max_length=100), AfterValidator(single_line)] | None = None


class TokenOut(BaseModel):
    """A token record; `token` is only present right after issuing it."""

    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    token: str | None = None
