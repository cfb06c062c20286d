"""Pseudonymising or deleting a young person: what retention and accepted erasures carry out.

Pseudonymisation keeps what the counts and the auditors need (gender, territory, the birth
year, education level, situation at entry, mission locale, the cases' states and dates, the
documents' statuses, the history chain) and removes what identifies the person (names,
contacts, guardians, free text, sensitive free text, the messages' texts and addressees, the
history payloads). The chain survives: its hashed fields never held personal data, and each
erased payload is named by a chained erasure record, which `audit verify` accepts.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from ipm_workflow.domain.chain import ERASURE_KIND, erasure_payload
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import SYSTEM, Actor
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger("ipm_workflow.retention")

FileEraser = Callable[[UnitOfWork, int], int]

# Field types that hold contacts or free text whatever the workflow says of them.
CLEARED_TYPES = frozenset({"note", "email", "phone"})


def pseudonym(person_id: int) -> str:
    """The stable name a pseudonymised person keeps: the same at every run, nothing personal."""
    return f"PSEUDO-{person_id}"


def personal_fields(definition: Workflow) -> frozenset[str]:
    """A workflow's case data fields that pseudonymisation clears."""
    return frozenset(
        name
        for name, spec in definition.fields.items()
        if spec.personal or spec.type in CLEARED_TYPES
    )


class PseudonymisationService:
    """Pseudonymise or delete a person, in one transaction each."""

    def __init__(
        self,
        store: CaseStore,
        scrub: Callable[[], None] = lambda: None,
        erase_files: FileEraser = lambda uow, person_id: 0,
    ) -> None:
        self.store = store
        # Removes the old copies a database may keep of what was just erased (SQLite's log).
        self.scrub = scrub
        # Deletes the person's uploaded files (the uploads service: they live outside the
        # database) inside the transaction that clears their rows.
        self.erase_files = erase_files

    def pseudonymise(self, person_id: int, rule: str, actor: Actor = SYSTEM) -> list[int]:
        """Pseudonymise a person and their cases under `rule`; return their case ids.

        Raises NotFound for an unknown person. Running it twice changes nothing more.
        """
        with self.store.uow() as uow:
            case_ids = self.pseudonymise_in(uow, person_id, rule, actor)
            uow.commit()
        self.scrub()
        log.info("person_pseudonymised", person_id=person_id, cases=len(case_ids), rule=rule)
        return case_ids

    def pseudonymise_in(
        self, uow: UnitOfWork, person_id: int, rule: str, actor: Actor = SYSTEM
    ) -> list[int]:
        """The same inside the caller's transaction (the caller commits, then calls `scrub`)."""
        uow.people.get(person_id)
        case_ids = uow.people.case_ids_of(person_id)
        for case_id in case_ids:
            self._clear_case(uow, case_id, rule, actor)
        self.erase_files(uow, person_id)
        uow.retention.clear_person(person_id, pseudonym(person_id), self.store.clock.now())
        return case_ids

    def _clear_case(self, uow: UnitOfWork, case_id: int, rule: str, actor: Actor) -> None:
        store = self.store
        case, _ = uow.cases.get(case_id)
        cleared = personal_fields(store.workflow_of(case).definition)
        erased = [
            e.seq
            for e in uow.history.for_case(case_id)
            if e.kind != ERASURE_KIND and e.payload_salt and e.payload
        ]
        data = {k: v for k, v in case.data.items() if k not in cleared}
        texts = (case.ml_contact_name, case.ml_contact_email, case.suspension_reason)
        if not erased and data == case.data and texts == (None, None, None):
            return
        now, expected = store.clock.now(), case.version
        case.data = data
        case.ml_contact_name = case.ml_contact_email = case.suspension_reason = None
        case.updated_at = now
        change = Change(ERASURE_KIND, erasure_payload(erased, rule))
        store.record(uow, case, expected, change, actor=actor, now=now)
        if erased:
            uow.history.erase_payloads(case_id, erased)

    def delete(self, person_id: int, rule: str) -> list[int]:
        """Delete a person with their cases and chains; return the deleted case ids.

        Only where no rule requires keeping anything: the chains go with the cases, so an
        audit checkpoint taken before names these cases as gone (they are logged here).
        """
        with self.store.uow() as uow:
            case_ids = self.delete_in(uow, person_id)
            uow.commit()
        self.scrub()
        log.info("person_deleted", person_id=person_id, case_ids=case_ids, rule=rule)
        return case_ids

    def delete_in(self, uow: UnitOfWork, person_id: int) -> list[int]:
        """The same inside the caller's transaction (the caller commits, then calls `scrub`)."""
        uow.people.get(person_id)
        self.erase_files(uow, person_id)
        return uow.retention.delete_person(person_id)
