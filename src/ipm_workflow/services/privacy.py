"""The rights of the people whose data we hold: access (the export), consent records, erasure
requests and their decisions, and the audit of who read their sensitive data.

Rectification goes through the people services (each correction in the history with its old
value); carrying an accepted erasure out is the retention executor's (`carry_out_erasure`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import structlog

from ipm_workflow.domain import policy, text
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.people import CONSENT_SOURCE_MAX
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.privacy import (
    CONSENT_GIVERS,
    CONSENT_PURPOSES,
    ConsentEvent,
    ErasureDecision,
    ErasureRequest,
    ReadQuery,
    Requester,
)
from ipm_workflow.domain.profile import SensitiveRead
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.people import PeopleService, visible_person
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.processing_register import Register, processing_register
from ipm_workflow.services.subject_access import EXPORT_FORMATS, person_export

log = structlog.get_logger("ipm_workflow.privacy")


def _method(value: str) -> str:
    return text.single_line(value, CONSENT_SOURCE_MAX)


class PrivacyService:
    """Subject access, consent records, erasure requests and the sensitive-read audit."""

    def __init__(
        self,
        store: CaseStore,
        people: PeopleService,
        retention_rules: Callable[[], list[dict[str, Any]]] = list,
    ) -> None:
        self.store = store
        self.people = people
        # The retention rules as configured (plain values), for the record of processing.
        self.retention_rules = retention_rules

    def register(self, actor: Actor) -> Register:
        """The record of processing, from the configuration and the workflow files."""
        return processing_register(self.store.registry, self.retention_rules(), actor)

    # Subject access.
    def export(
        self, person_id: int, actor: Actor, fmt: str = "json", entry_point: str | None = None
    ) -> dict[str, Any]:
        """Everything held on a person the actor sees, as JSON values; the export is recorded
        (who, when, format), and so is the read of the sensitive data it holds (for those
        allowed to read it; others get it withheld)."""
        policy.require(actor, Action.PEOPLE_EXPORT)
        if fmt not in EXPORT_FORMATS:
            raise invalid_field("unknown format", "format", "one of json, html")
        now = self.store.clock.now()
        with_sensitive = policy.may(actor, Action.READ_SENSITIVE)

        def work(uow: UnitOfWork) -> dict[str, Any]:
            return person_export(
                uow,
                person_id,
                actor,
                now,
                fmt,
                entry_point=entry_point,
                with_sensitive=with_sensitive,
            )

        found = self.store.transaction(work)
        log.info("person_exported", person_id=person_id, format=fmt, actor=actor.id)
        return found

    # Consent.
    def consents(self, person_id: int, actor: Actor) -> list[ConsentEvent]:
        """A person's consent events, oldest first."""
        policy.require(actor, Action.PEOPLE_READ)
        with self.store.uow(readonly=True) as uow:
            visible_person(uow, person_id, actor)
            return uow.privacy.consents(person_id)

    def record_consent(
        self,
        person_id: int,
        purpose: str,
        granted: bool,
        actor: Actor,
        *,
        method: str | None = None,
        given_by: str | None = None,
        guardian_id: int | None = None,
        at: datetime | None = None,
    ) -> list[ConsentEvent]:
        """Give or withdraw a consent. E-mail and SMS change the person's flags (the state the
        messages follow) through the people service, which records the event; photos and
        testimonials have no flag, their events are the state."""
        if purpose not in CONSENT_PURPOSES or (given_by and given_by not in CONSENT_GIVERS):
            raise InvalidInput(
                "unknown consent",
                [{"field": "purpose", "message": f"one of {', '.join(CONSENT_PURPOSES)}"}],
            )
        method = text.check({"method": _method}, {"method": method or None})["method"]
        meta = {"consent_given_by": given_by, "consent_guardian_id": guardian_id}
        meta = {k: v for k, v in meta.items() if v is not None}
        if purpose in ("email", "sms"):
            changes: dict[str, Any] = {f"consent_{purpose}": granted, **meta}
            if method:
                changes[f"consent_{purpose}_source"] = method
            if at:
                changes[f"consent_{purpose}_at"] = at
            self.people.update(person_id, changes, actor)
            return self.consents(person_id, actor)
        policy.require(actor, Action.PEOPLE_UPDATE)
        now = self.store.clock.now()
        default_by = "young_person" if actor.role == policy.YOUNG_PERSON else "staff"
        event = ConsentEvent(
            person_id,
            purpose,
            granted,
            at or now,
            method or ("portal" if default_by == "young_person" else "staff"),
            given_by or default_by,
            actor.id,
            now,
            guardian_id,
        )

        def work(uow: UnitOfWork) -> list[ConsentEvent]:
            visible_person(uow, person_id, actor)
            if guardian_id is not None:
                uow.guardians.get(person_id, guardian_id)
            uow.privacy.add_consent(event)
            return uow.privacy.consents(person_id)

        return self.store.transaction(work)

    # Erasure requests.
    def record_erasure(
        self, person_id: int, received_on: date, requester: str, actor: Actor
    ) -> ErasureRequest:
        """Record an erasure request as received (its decision comes later)."""
        policy.require(actor, Action.PRIVACY_ERASURE)
        if requester not in {r.value for r in Requester}:
            listed = ", ".join(r.value for r in Requester)
            raise InvalidInput(
                "unknown requester", [{"field": "requester", "message": f"one of {listed}"}]
            )
        now = self.store.clock.now()

        def work(uow: UnitOfWork) -> ErasureRequest:
            visible_person(uow, person_id, actor)
            request = ErasureRequest(None, person_id, received_on, requester, actor.id, now)
            return uow.privacy.erasure(uow.privacy.add_erasure(request))

        request = self.store.transaction(work)
        log.info("erasure_requested", request_id=request.id, person_id=person_id, actor=actor.id)
        return request

    def decide_erasure(
        self, request_id: int, decision: str, reason: str, actor: Actor
    ) -> ErasureRequest:
        """Decide a request: deletion, pseudonymisation (an audit duty applies) or refusal,
        with the reason stated to the person. A decision carried out is final."""
        policy.require(actor, Action.PRIVACY_ERASURE)
        try:
            chosen = ErasureDecision(decision)
        except ValueError:
            listed = ", ".join(d.value for d in ErasureDecision)
            raise InvalidInput(
                "unknown decision", [{"field": "decision", "message": f"one of {listed}"}]
            ) from None
        stated = text.check({"reason": text.reason}, {"reason": reason})["reason"]
        if not stated:
            raise invalid_field("a reason", "reason", "state the reason to the person")
        now = self.store.clock.now()

        def work(uow: UnitOfWork) -> ErasureRequest:
            request = uow.privacy.erasure(request_id)
            if request.carried_out_at is not None:
                raise invalid_field(
                    "already carried out", "decision", "the request was carried out already"
                )
            uow.privacy.decide_erasure(request_id, chosen, stated, actor.id, now)
            return uow.privacy.erasure(request_id)

        decided = self.store.transaction(work)
        log.info("erasure_decided", request_id=request_id, decision=chosen.value, actor=actor.id)
        return decided

    def erasures(self, actor: Actor, person_id: int | None = None) -> list[ErasureRequest]:
        """Erasure requests, newest first (of one person, or all)."""
        policy.require(actor, Action.PRIVACY_ERASURE)
        with self.store.uow(readonly=True) as uow:
            return uow.privacy.erasures(person_id)

    def erasures_to_carry_out(self) -> list[ErasureRequest]:
        """Accepted requests not yet carried out (deletion or pseudonymisation): the retention
        executor's work list."""
        with self.store.uow(readonly=True) as uow:
            return [
                r
                for r in uow.privacy.erasures()
                if r.decision in (ErasureDecision.DELETION, ErasureDecision.PSEUDONYMISATION)
                and r.carried_out_at is None
            ]

    # The sensitive-read audit.
    def reads(self, query: ReadQuery, actor: Actor) -> list[SensitiveRead]:
        """Reads of sensitive data, allowed and refused, newest first (supervisors)."""
        policy.require(actor, Action.AUDIT)
        with self.store.uow(readonly=True) as uow:
            return uow.privacy.reads(query)
