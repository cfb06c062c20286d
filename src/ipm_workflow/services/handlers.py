"""The case service: every command is one transaction (state, history, and what follows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, Document
from ipm_workflow.domain.eligibility import OPENING
from ipm_workflow.domain.engine import Action, CompiledWorkflow, Outcome
from ipm_workflow.domain.errors import Forbidden, GuardFailed, InvalidInput
from ipm_workflow.domain.guards import unmet_guards
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action as Right
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services import eligibility
from ipm_workflow.services.aftercare import Aftercare
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.case_records import CaseRecords
from ipm_workflow.services.case_sheet import CaseSheet, explain_actions, read_sheet
from ipm_workflow.services.case_store import CaseStore, Change, retrying
from ipm_workflow.services.commands import Actor, FireTrigger, OpenCase
from ipm_workflow.services.firing import Fired, Firing
from ipm_workflow.services.idempotency import Answer, Idempotency
from ipm_workflow.services.people import visible_person
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from ipm_workflow.services.suspensions import Suspensions

__all__ = ["CaseService", "Fired"]
log = structlog.get_logger("ipm_workflow.cases")


def _terminal(store: CaseStore, workflow: str) -> set[str]:
    return {
        name
        for c in store.registry.all()
        if c.definition.name == workflow
        for name, state in c.definition.states.items()
        if state.terminal
    }


class CaseService:
    """Opens, lists and reads cases, explains and fires triggers (records: `self.records`)."""

    def __init__(self, store: CaseStore, idempotency: Idempotency) -> None:
        self.store = store
        self.firing = Firing(store)
        self.records = CaseRecords(store)
        # Contact attempts, checkpoint outcomes and money (README "Contact attempts…").
        self.aftercare = Aftercare(store)
        self.idempotency = idempotency
        # Data, documents, moves and history are the records' commands, offered here too.
        self.update_data = self.records.update_data
        self.record_document = self.records.record_document
        self.reassign = self.records.reassign
        self.history = self.records.history
        self.audit = self.records.audit
        self.verify = self.records.verify
        self.suspensions = Suspensions(store)
        self.suspend = self.suspensions.suspend
        self.resume = self.suspensions.resume
        self.workflow_of = self.store.workflow_of
        self.today = self.store.today
        # The shared context, for services wired before the store existed (delivery).
        self.uow: UnitOfWorkFactory = store.uow
        self.clock: Clock = store.clock
        self.registry: WorkflowRegistry = store.registry
        self.tz: ZoneInfo = store.tz

    def open_case(self, cmd: OpenCase, actor: Actor) -> Case:
        """Open a case in the workflow's initial state, checking the opening rules."""
        case = self.store.transaction(lambda uow: self.open_in(uow, cmd, actor))
        log.info(
            "case_opened", case_id=case.id, workflow=case.workflow, state=case.state, actor=actor.id
        )
        return case

    def open_in(self, uow: UnitOfWork, cmd: OpenCase, actor: Actor) -> Case:
        """Open a case inside a unit of work the caller owns (and commits)."""
        store = self.store
        compiled = store.registry.get(cmd.workflow, cmd.workflow_version)
        wf = compiled.definition
        policy.require(actor, Right.CASES_OPEN)
        if not policy.reaches(actor, cmd.mission_locale_id):
            raise Forbidden(f"you do not work for mission locale '{cmd.mission_locale_id}'")
        now = store.clock.now()
        data = store.coerce(wf.fields, cmd.inputs, "inputs")
        person = visible_person(uow, cmd.person_id, actor)
        uow.directory.mission_locale(cmd.mission_locale_id)
        if cmd.advisor_id is not None and not uow.directory.user(cmd.advisor_id).active:
            raise invalid_field("inactive advisor", "advisor_id", "this user has been deactivated")
        if wf.opening is not None:
            self._check_opening(compiled, actor, data, person.birth_date, now)
        eligibility.enforce(
            store,
            uow,
            wf,
            OPENING,
            person_id=cmd.person_id,
            birth_date=person.birth_date,
            data=data,
            today=store.today(now),
            state="(new)",
        )
        # An advisor who opens a case without naming one takes it; a mission locale's referral
        # (an ML advisor, an import) stays unassigned, for Ipm's coordinators to hand out.
        advisor_id = cmd.advisor_id
        if advisor_id is None:
            advisor_id = policy.takes_unnamed_case(actor, cmd.referral)
        case = Case(
            id=None,
            person_id=cmd.person_id,
            workflow=wf.name,
            workflow_version=wf.version,
            state=wf.initial_state,
            mission_locale_id=cmd.mission_locale_id,
            advisor_id=advisor_id,
            data=data,
            documents={k: Document(k) for k in wf.documents},
            opened_at=now,
            updated_at=now,
            state_entered_at=now,
            referring_mission_locale_id=cmd.mission_locale_id,
            ml_contact_name=cmd.ml_contact_name,
            ml_contact_email=cmd.ml_contact_email,
        )
        case.id = uow.cases.add(case)
        payload = {
            "person_id": cmd.person_id,
            "mission_locale_id": cmd.mission_locale_id,
            "advisor_id": advisor_id,
            "inputs": data,
        }
        earlier = eligibility.past_cases(uow, cmd.person_id, exclude=case.id)
        closed = [c.case_id for c in earlier if c.state in _terminal(store, c.workflow)]
        if closed and len(closed) == len(earlier):
            # The person came back after earlier journeys ended: a re-entry, not a duplicate.
            payload["re_entry_of"] = closed
        change = Change("opened", payload, to_state=case.state, replan=True)
        store.record(uow, case, 0, change, actor=actor, now=now, request_id=cmd.request_id)
        return case

    def _check_opening(
        self,
        compiled: CompiledWorkflow,
        actor: Actor,
        data: dict[str, Any],
        birth_date: date | None,
        now: datetime,
    ) -> None:
        opening = compiled.definition.opening
        assert opening is not None  # noqa: S101 - checked by the caller
        policy.may_open(actor, compiled.definition.name, opening.roles)
        missing = [i.field for i in opening.inputs if i.required and data.get(i.field) is None]
        if missing:
            raise InvalidInput(
                "missing inputs to open the case",
                [{"field": f"inputs.{m}", "message": "required"} for m in missing],
            )
        facts = Case(None, 0, "", 0, compiled.definition.initial_state, "", data=data).facts(
            self.store.today(now), birth_date, compiled.definition.computed
        )
        unmet = unmet_guards(list(opening.guards), facts)
        if unmet:
            raise GuardFailed("open", "(new)", unmet, [])

    def list_cases(
        self,
        query: CaseQuery,
        actor: Actor,
        *,
        phase: str | None = None,
        overdue: bool = False,
        due_first: bool = False,
    ) -> tuple[list[Case], int]:
        """List the cases the actor may see, by filters; `overdue` means past the state's SLA.

        `due_first` orders overdue cases first, then those whose state has a time limit.
        A search by the young person's name needs the right to read people.
        """
        policy.require(actor, Right.CASES_READ)
        if query.name:
            policy.require(actor, Right.PEOPLE_READ)
        registry = self.store.registry
        states = query.states
        if phase is not None:
            in_phase = {
                name
                for c in registry.all()
                for name, st in c.definition.states.items()
                if st.phase == phase
            }
            states = sorted(in_phase & set(states)) if states is not None else sorted(in_phase)
        cutoffs = self.store.clock.now() if overdue else None
        if due_first:
            query = replace(query, due_first=True)
        scope = policy.narrow(actor, query.mission_locales)
        query = replace(query, mission_locales=scope, states=states, overdue=cutoffs)
        with self.store.uow(readonly=True) as uow:
            return uow.cases.search(query)

    def get(self, case_id: int, actor: Actor) -> Case:
        """Return one case the actor may see."""
        policy.require(actor, Right.CASES_READ)
        with self.store.uow(readonly=True) as uow:
            return self.store.load(uow, case_id, actor)[0]

    def actions(self, case_id: int, actor: Actor) -> tuple[Case, list[Action]]:
        """Explain every trigger out of the case's state for this actor."""
        policy.require(actor, Right.CASES_READ)
        with self.store.uow(readonly=True) as uow:
            case, birth_date = self.store.load(uow, case_id, actor)
            return case, explain_actions(self.store, uow, case, birth_date, actor)

    def sheet(self, case_id: int, actor: Actor, lines: int | None = None) -> CaseSheet:
        """Everything the case's page shows, in one read transaction (services/case_sheet)."""
        return read_sheet(self.store, case_id, actor, lines)

    def fire(self, cmd: FireTrigger, actor: Actor) -> Fired:
        """Apply a trigger: state, data and a chained history entry in one transaction."""
        fired = self.store.transaction(
            lambda uow: self.firing.apply(uow, cmd, actor), blind=cmd.expected_version is None
        )
        self._log_fired(fired, actor)
        return fired

    def fire_once(
        self,
        cmd: FireTrigger,
        actor: Actor,
        key: str,
        fingerprint: str,
        render: Callable[[Fired], dict[str, Any]],
    ) -> Answer:
        """Fire at most once per Idempotency-Key; a retry gets the first answer back."""
        fired: list[Fired] = []

        def work(uow: UnitOfWork) -> Answer:
            fired[:] = [self.firing.apply(uow, cmd, actor)]
            return Answer(200, render(fired[0]))

        answer = retrying(
            lambda: self.idempotency.run(actor, key, fingerprint, work),
            blind=cmd.expected_version is None,
        )
        if fired:
            self._log_fired(fired[0], actor)
        return answer

    def rehearse(self, cmd: FireTrigger, actor: Actor) -> Outcome:
        """Say what firing would do, without writing anything (dry runs)."""
        with self.store.uow(readonly=True) as uow:
            return self.firing.rehearse(uow, cmd, actor)

    def _log_fired(self, fired: Fired, actor: Actor) -> None:
        self.store.telemetry.transition(fired.case.workflow, fired.outcome.trigger)
        log.info(
            "transition",
            case_id=fired.case.id,
            trigger=fired.outcome.trigger,
            from_state=fired.outcome.from_state,
            to_state=fired.outcome.to_state,
            actor=actor.id,
        )
