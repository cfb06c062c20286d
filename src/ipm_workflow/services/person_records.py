"""The people around a journey: guardians, contact details, profile at entry, sensitive data.

Each change to a person is written in the history of each of their cases (values in the
payload, behind its salted digest, never in the chained fields); sensitive data never reaches
the history nor a log line, and each read of it is kept apart (who, when, which case).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import InvalidInput, NotFound
from ipm_workflow.domain.people import Guardian, checked_guardian_fields
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.profile import (
    CommuneRef,
    Sensitive,
    SensitiveRead,
)
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.consents import consent_events
from ipm_workflow.services.people import visible_person
from ipm_workflow.services.person_changes import record_on_cases
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.sensitive_fields import checked_sensitive

log = structlog.get_logger("ipm_workflow.people")
GUARDIAN_EDITABLE = frozenset(
    {
        "name",
        "link",
        "parental_authority",
        "email",
        "phone",
        "language",
        "preferred_channel",
        "consent_email",
        "consent_sms",
        "consent_at",
        "consent_source",
    }
)


def _editable(values: Mapping[str, Any]) -> None:
    # InvalidInput naming each field a guardian record does not have (or that is not edited).
    unknown = set(values) - GUARDIAN_EDITABLE
    if unknown:
        raise InvalidInput(
            "unknown guardian fields",
            [{"field": k, "message": "not editable"} for k in sorted(unknown)],
        )


class PersonRecords:
    """Guardians, sensitive data and the communes reference of the people around journeys."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    # Guardians.
    def guardians(self, person_id: int, actor: Actor) -> list[Guardian]:
        """Return the guardians of a person the actor sees."""
        policy.require(actor, Action.PEOPLE_READ)
        with self.store.uow(readonly=True) as uow:
            visible_person(uow, person_id, actor)
            return uow.guardians.of(person_id)

    def guardians_of(self, person_id: int) -> list[Guardian]:
        """Return the guardians of a person (internal callers: the young person's pages)."""
        with self.store.uow(readonly=True) as uow:
            return uow.guardians.of(person_id)

    def add_guardian(self, person_id: int, values: Mapping[str, Any], actor: Actor) -> Guardian:
        """Record a guardian of a person (an e-mail or a phone at least)."""
        policy.require(actor, Action.PEOPLE_UPDATE)
        _editable(values)
        fields = checked_guardian_fields({"name": None, **values})
        now = self.store.clock.now()

        def work(uow: UnitOfWork) -> Guardian:
            visible_person(uow, person_id, actor)
            guardian = Guardian(None, person_id, **fields, created_at=now, updated_at=now)
            if guardian.consent_at is None:
                guardian.consent_at = now
            uow.guardians.add(guardian)
            # A new guardian's consents are their first consent events (from "not given").
            unset = replace(guardian, consent_email=False, consent_sms=False)
            keys = ("consent_email", "consent_sms", "consent_at", "consent_source")
            given = {k: getattr(guardian, k) for k in keys}
            for event in consent_events(person_id, unset, given, now, actor):
                uow.privacy.add_consent(event)
            payload = {"guardian_id": guardian.id, "values": fields}
            record_on_cases(
                self.store, uow, person_id, "guardian_added", payload, actor=actor, now=now
            )
            return guardian

        guardian = self.store.transaction(work)
        log.info("guardian_added", person_id=person_id, guardian_id=guardian.id, actor=actor.id)
        return guardian

    def update_guardian(
        self, person_id: int, guardian_id: int, changes: Mapping[str, Any], actor: Actor
    ) -> Guardian:
        """Correct a guardian's fields; the change goes into the history of the person's cases.
        A guardian changes their own consents on the young person's pages (policy)."""
        policy.require_guardian_change(actor, guardian_id, changes)
        _editable(changes)
        now = self.store.clock.now()

        def work(uow: UnitOfWork) -> Guardian:
            visible_person(uow, person_id, actor)
            current = uow.guardians.get(person_id, guardian_id)
            merged = {k: getattr(current, k) for k in GUARDIAN_EDITABLE} | dict(changes)
            fields = checked_guardian_fields(merged)
            consent_moved = any(
                fields[k] != getattr(current, k) for k in ("consent_email", "consent_sms")
            )
            if consent_moved and "consent_at" not in changes:
                fields["consent_at"] = now
            updated = replace(current, **fields, updated_at=now)
            uow.guardians.update(updated)
            changed = {k: v for k, v in fields.items() if getattr(current, k) != v}
            for event in consent_events(person_id, current, changed, now, actor):
                uow.privacy.add_consent(event)
            # Rectification: the old value beside the new one, for those who read the history.
            before = {k: getattr(current, k) for k in changed}
            payload = {"guardian_id": guardian_id, "changes": changed, "before": before}
            record_on_cases(
                self.store, uow, person_id, "guardian_changed", payload, actor=actor, now=now
            )
            return updated

        guardian = self.store.transaction(work)
        log.info("guardian_changed", person_id=person_id, guardian_id=guardian_id, actor=actor.id)
        return guardian

    def remove_guardian(self, person_id: int, guardian_id: int, actor: Actor) -> None:
        """Remove a guardian (recorded in the history of the person's cases)."""
        policy.require(actor, Action.PEOPLE_UPDATE)
        now = self.store.clock.now()

        def work(uow: UnitOfWork) -> None:
            visible_person(uow, person_id, actor)
            uow.guardians.get(person_id, guardian_id)
            uow.guardians.remove(person_id, guardian_id)
            payload = {"guardian_id": guardian_id}
            record_on_cases(
                self.store, uow, person_id, "guardian_removed", payload, actor=actor, now=now
            )

        self.store.transaction(work)
        log.info("guardian_removed", person_id=person_id, guardian_id=guardian_id, actor=actor.id)

    def minors_without_guardian(self, person_ids: Sequence[int], on: date) -> set[int]:
        """Return those of the people who are minors on a day with no guardian on file: their
        cases are flagged, their advisor reminded."""
        with self.store.uow(readonly=True) as uow:
            return uow.guardians.minors_without_guardian(person_ids, on)

    # Sensitive data.
    def sensitive(
        self,
        person_id: int,
        actor: Actor,
        case_id: int | None = None,
        entry_point: str | None = None,
    ) -> Sensitive:
        """Return a person's sensitive data to a role with the need to know; the read is kept,
        with the page or endpoint it came from. A refused read (403) is kept too."""
        now = self.store.clock.now()
        if not policy.may(actor, Action.READ_SENSITIVE):
            self._refused(person_id, actor, case_id, entry_point, now)
            policy.require(actor, Action.READ_SENSITIVE)

        def work(uow: UnitOfWork) -> Sensitive:
            visible_person(uow, person_id, actor)
            if case_id is not None:
                case, _ = uow.cases.get(case_id)
                if case.person_id != person_id:
                    raise NotFound(f"case {case_id} not found")
                policy.see_case(actor, case_id, case.mission_locale_id)
            read = SensitiveRead(person_id, actor.id, actor.role, now, case_id, entry_point)
            uow.sensitive.record_read(read)
            return uow.sensitive.get(person_id) or Sensitive(person_id)

        data = self.store.transaction(work)
        log.info("sensitive_read", person_id=person_id, case_id=case_id, actor=actor.id)
        return data

    def _refused(
        self,
        person_id: int,
        actor: Actor,
        case_id: int | None,
        entry_point: str | None,
        now: datetime,
    ) -> None:
        # Kept in its own transaction, since the refusal rolls back the caller's; a person who
        # does not exist has nothing to audit.
        def work(uow: UnitOfWork) -> None:
            try:
                uow.people.get(person_id)
            except NotFound:
                return
            read = SensitiveRead(
                person_id, actor.id, actor.role, now, case_id, entry_point, allowed=False
            )
            uow.sensitive.record_read(read)

        self.store.transaction(work)
        log.warning("sensitive_read_refused", person_id=person_id, actor=actor.id)

    def put_sensitive(self, person_id: int, values: Mapping[str, Any], actor: Actor) -> Sensitive:
        """Replace a person's sensitive data; the history says only that it changed."""
        policy.require(actor, Action.WRITE_SENSITIVE)
        checked = checked_sensitive(values)
        now = self.store.clock.now()

        def work(uow: UnitOfWork) -> Sensitive:
            visible_person(uow, person_id, actor)
            data = Sensitive(person_id, **checked, updated_at=now, updated_by=actor.id)
            uow.sensitive.put(data)
            payload = {"sensitive_data": "replaced"}
            record_on_cases(
                self.store, uow, person_id, "sensitive_changed", payload, actor=actor, now=now
            )
            return data

        data = self.store.transaction(work)
        log.info("sensitive_changed", person_id=person_id, actor=actor.id)
        return data

    def sensitive_reads(self, person_id: int, actor: Actor) -> list[SensitiveRead]:
        """Return who read a person's sensitive data (for the audit)."""
        policy.require(actor, Action.AUDIT)
        with self.store.uow(readonly=True) as uow:
            uow.people.get(person_id)
            return uow.sensitive.reads(person_id)

    # The communes reference.
    def load_communes(self, communes: Sequence[CommuneRef], actor: Actor) -> int:
        """Load (insert or replace) communes of the reference; return how many."""
        policy.require(actor, Action.DIRECTORY)

        def work(uow: UnitOfWork) -> int:
            return uow.communes.load(communes)

        loaded = self.store.transaction(work)
        log.info("communes_loaded", count=loaded, actor=actor.id)
        return loaded
