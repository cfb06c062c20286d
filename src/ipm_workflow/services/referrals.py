"""Importing referrals from the missions locales' exports: one row, one transaction, once.

Each row registers the young person (duplicates are warned about, never blocked) and opens the
case, through the people and case services, in ONE transaction that also records the row's key
(a hash of its normalised values) with the idempotency mechanism. A crash loses at most the row in
hand, never half of it; running the same file again skips the rows already imported and resumes.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.engine import CompiledWorkflow
from ipm_workflow.domain.errors import DomainError, InvalidInput
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.values import coerce
from ipm_workflow.services.commands import Actor, OpenCase
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.idempotency import Answer
from ipm_workflow.services.people import PeopleService, Registered
from ipm_workflow.services.ports import UnitOfWork

IMPORT_ACTOR = "import:referrals"  # the idempotency records' owner: one key space for all users
REQUIRED = ("last_name", "first_name", "mission_locale", "workflow")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")
Outcome = Literal["created", "would_create", "already_imported", "refused"]


def folded(text: str) -> str:
    """Compare headers and labels without case, accents, punctuation or repeated spaces."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


@dataclass(frozen=True)
class RawReferral:
    """One row of an export: canonical columns and the other columns, as text."""

    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]
    extras: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RowResult:
    """What became of one row."""

    number: int
    outcome: Outcome
    person_id: int | None = None
    case_id: int | None = None
    workflow: str | None = None
    duplicates: tuple[int, ...] = ()
    reason: str | None = None
    # A probable duplicate in a record the importer may not see (named, never identified).
    duplicate_elsewhere: bool = False


@dataclass(frozen=True)
class _Referral:
    person: Person
    workflow: str
    mission_locale_id: str
    inputs: dict[str, Any]
    imilo_id: str | None
    referral_date: str | None
    key: str


def _date(raw: str, column: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            # strptime builds a naive datetime; only its calendar date is kept.
            return datetime.strptime(raw.strip(), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(f"{column}: expected a date like 31/12/2005 or 2005-12-31, got {raw!r}")


class ReferralImporter:
    """Turns rows into people and cases through the existing services, each row at most once."""

    def __init__(self, people: PeopleService, cases: CaseService) -> None:
        self.people = people
        self.cases = cases

    def refer(self, person: Person, opening: OpenCase, actor: Actor) -> tuple[Registered, Case]:
        """Register a person and open their case in ONE transaction (a refused opening saves
        nobody); `opening.person_id` is ignored (the new person's id is used)."""

        def work(uow: UnitOfWork) -> tuple[Registered, Case]:
            registered = self.people.register_in(uow, person, actor)
            assert registered.person.id is not None  # noqa: S101 - the repository set it
            case = self.cases.open_in(uow, replace(opening, person_id=registered.person.id), actor)
            return registered, case

        return self.cases.store.transaction(work)

    def workflow_for(self, raw: str) -> CompiledWorkflow:
        """Find a workflow by its name or its French or English title."""
        wanted = folded(raw)
        for compiled in self.cases.registry.latest():
            wf = compiled.definition
            if wanted in {folded(wf.name), folded(wf.title.fr), folded(wf.title.en)}:
                return compiled
        raise ValueError(f"programme: no workflow named {raw.strip()!r}")

    def known_extras(self) -> set[str]:
        """Folded names and labels of every workflow field (extra columns read as case data)."""
        return {
            folded(text)
            for compiled in self.cases.registry.latest()
            for name, spec in compiled.definition.fields.items()
            for text in (name, spec.label.fr, spec.label.en)
        }

    def _parse(self, row: RawReferral) -> _Referral:
        v = {k: " ".join(val.split()) for k, val in row.values.items() if val and val.strip()}
        problems = [f"{c}: missing" for c in REQUIRED if c not in v]
        if problems:
            raise ValueError("; ".join(problems))
        compiled = self.workflow_for(v["workflow"])
        born = _date(v["birth_date"], "birth_date") if "birth_date" in v else None
        if born is not None and not date(1900, 1, 1) <= born <= self.cases.today():
            raise ValueError(f"birth_date: {born.isoformat()} is not a plausible birth date")
        email = v.get("email", "").casefold() or None
        if email is not None and not _EMAIL.match(email):
            raise ValueError("email: not an e-mail address")
        phone = re.sub(r"[\s.\-()]", "", v.get("phone", "")) or None
        if phone is not None and not _PHONE.match(phone):
            raise ValueError("phone: not a phone number")
        referred = _date(v["referral_date"], "referral_date") if "referral_date" in v else None
        inputs = self._inputs(compiled, row.extras, v, referred)
        # The referral's i-milo identifier is part of the profile at entry (never the NIR).
        imilo = v.get("imilo_id") or None
        person = Person(None, v["first_name"], v["last_name"], born, email, phone, imilo_id=imilo)
        normalised = [
            folded(v["last_name"]),
            folded(v["first_name"]),
            born.isoformat() if born else None,
            email,
            phone,
            v["mission_locale"],
            compiled.definition.name,
            referred.isoformat() if referred else None,
            v.get("imilo_id"),
            sorted(inputs.items()),
        ]
        digest = hashlib.sha256(json.dumps(normalised, default=str).encode()).hexdigest()
        return _Referral(
            person,
            compiled.definition.name,
            v["mission_locale"],
            inputs,
            v.get("imilo_id"),
            referred.isoformat() if referred else None,
            digest,
        )

    @staticmethod
    def _inputs(
        compiled: CompiledWorkflow,
        extras: dict[str, str],
        values: dict[str, str],
        referred: date | None,
    ) -> dict[str, Any]:
        fields = compiled.definition.fields
        by_text = {
            folded(text): name
            for name, spec in fields.items()
            for text in (name, spec.label.fr, spec.label.en)
        }
        inputs: dict[str, Any] = {}
        for header, raw in extras.items():
            name = by_text.get(folded(header))
            if name is None or not raw.strip():
                continue
            # Exports write dates the French way; the services take ISO dates. Typed values make
            # "oui" and "true" one and the same row for the import key.
            spec = fields[name]
            text = _date(raw, name).isoformat() if spec.type == "date" else raw.strip()
            try:
                inputs[name] = coerce(spec, text)
            except ValueError as exc:
                raise ValueError(f"{header}: {exc}") from None
        if referred is not None and "referral_date" in fields:
            inputs.setdefault("referral_date", referred.isoformat())
        if values.get("imilo_id") and "imilo_id" in fields:
            inputs.setdefault("imilo_id", values["imilo_id"])
        return inputs

    def _work(self, uow: UnitOfWork, referral: _Referral, actor: Actor) -> Answer:
        registered = self.people.register_in(uow, referral.person, actor)
        assert registered.person.id is not None  # noqa: S101 - the repository set it
        case = self.cases.open_in(
            uow,
            OpenCase(
                registered.person.id,
                referral.workflow,
                referral.mission_locale_id,
                inputs=referral.inputs,
                referral=True,
            ),
            actor,
        )
        body = {
            "person_id": registered.person.id,
            "case_id": case.id,
            "workflow": case.workflow,
            "duplicates": [p.id for p in registered.possible_duplicates],
            "duplicate_elsewhere": registered.duplicate_elsewhere,
            "imilo_id": referral.imilo_id,
            "referral_date": referral.referral_date,
        }
        return Answer(201, body)

    def import_row(self, row: RawReferral, actor: Actor, *, dry_run: bool = False) -> RowResult:
        """Import one row (or rehearse it, rolled back); refusals come back with their reason."""
        try:
            referral = self._parse(row)
            if dry_run:
                return self._rehearse(row.number, referral, actor)
            answer = self.cases.idempotency.run(
                IMPORT_ACTOR,
                f"referral:{referral.key}",
                referral.key,
                lambda uow: self._work(uow, referral, actor),
            )
        except ValueError as exc:
            return RowResult(row.number, "refused", reason=str(exc))
        except DomainError as exc:
            return RowResult(row.number, "refused", reason=_reason(exc))
        outcome: Outcome = "already_imported" if answer.replayed else "created"
        return _result(row.number, outcome, answer.body)

    def _rehearse(self, number: int, referral: _Referral, actor: Actor) -> RowResult:
        with self.cases.uow() as uow:
            done = uow.idempotency.get(IMPORT_ACTOR, f"referral:{referral.key}")
            if done is not None:
                return _result(number, "already_imported", done.body)
            answer = self._work(uow, referral, actor)
            # No commit: leaving the block rolls the rehearsal back.
        return _result(number, "would_create", {**answer.body, "person_id": None, "case_id": None})


def _result(number: int, outcome: Outcome, body: dict[str, Any]) -> RowResult:
    return RowResult(
        number,
        outcome,
        person_id=body.get("person_id"),
        case_id=body.get("case_id"),
        workflow=body.get("workflow"),
        duplicates=tuple(body.get("duplicates") or ()),
        duplicate_elsewhere=bool(body.get("duplicate_elsewhere")),
    )


def _reason(exc: DomainError) -> str:
    details = exc.errors if isinstance(exc, InvalidInput) else []
    parts = [f"{d['field']}: {d['message']}" for d in details]
    return exc.message + (" (" + "; ".join(parts) + ")" if parts else "")
