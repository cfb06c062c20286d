"""The case service: every command is one transaction (state, history, and what follows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import structlog

from ipm_workflow.domain.cases import Case, Document, HistoryEntry
from ipm_workflow.domain.engine import Action, CompiledWorkflow, Outcome
from ipm_workflow.domain.errors import (
    Forbidden,
    GuardFailed,
    InvalidInput,
)
from ipm_workflow.domain.guards import unmet_guards
from ipm_workflow.services.case_records import CaseRecords
from ipm_workflow.services.commands import (
    Actor,
    FireTrigger,
    OpenCase,
)
from ipm_workflow.services.history import chain_entry
from ipm_workflow.services.idempotency import Answer, run_once
from ipm_workflow.services.ports import (
    CaseQuery,
    UnitOfWork,
)
from ipm_workflow.services.reminders import reconcile

log = structlog.get_logger("ipm_workflow.cases")
# What a transition can change: the rest of the row is left alone (and not re-serialised).
MOVE_COLUMNS = (
    "state",
    "previous_state",
    "data",
    "updated_at",
    "state_entered_at",
    "closed_at",
    "history_seq",
    "history_head",
)


@dataclass(frozen=True)
class Fired:
    """The result of a transition: the case as it now is, and its new history entry."""

    case: Case
    outcome: Outcome
    entry: HistoryEntry


class CaseService(CaseRecords):
    """Opens cases, explains and fires triggers; records data, documents and moves (inherited)."""

    def open_case(self, cmd: OpenCase, actor: Actor) -> Case:
        """Open a case in the workflow's initial state, checking the opening rules."""
        with self.uow() as uow:
            case = self.open_in(uow, cmd, actor)
            uow.commit()
        log.info(
            "case_opened", case_id=case.id, workflow=case.workflow, state=case.state, actor=actor.id
        )
        return case

    def open_in(self, uow: UnitOfWork, cmd: OpenCase, actor: Actor) -> Case:
        """Open a case inside a unit of work the caller owns (and commits)."""
        compiled = self.registry.get(cmd.workflow, cmd.workflow_version)
        wf = compiled.definition
        if not actor.sees(cmd.mission_locale_id):
            raise Forbidden(f"you do not work for mission locale '{cmd.mission_locale_id}'")
        now = self.clock.now()
        data = self._coerce(wf.fields, cmd.inputs, "inputs")
        person = uow.people.get(cmd.person_id)
        uow.directory.mission_locale(cmd.mission_locale_id)
        if cmd.advisor_id is not None:
            uow.directory.user(cmd.advisor_id)
        opening = wf.opening
        if opening is not None:
            self._check_opening(compiled, actor, data, person.birth_date, now)
        case = Case(
            id=None,
            person_id=cmd.person_id,
            workflow=wf.name,
            workflow_version=wf.version,
            state=wf.initial_state,
            mission_locale_id=cmd.mission_locale_id,
            advisor_id=cmd.advisor_id,
            data=data,
            documents={k: Document(k) for k in wf.documents},
            opened_at=now,
            updated_at=now,
            state_entered_at=now,
        )
        case.id = uow.cases.add(case)
        planned = reconcile(uow, wf, case, now, self.tz)
        entry = chain_entry(
            case,
            actor,
            kind="opened",
            at=now,
            to_state=case.state,
            request_id=cmd.request_id,
            payload={
                "person_id": cmd.person_id,
                "mission_locale_id": cmd.mission_locale_id,
                "advisor_id": cmd.advisor_id,
                "inputs": data,
                **({"reminders": planned} if planned else {}),
            },
        )
        uow.cases.update(case, 0)
        uow.history.append(entry)
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
        if actor.role not in opening.roles:
            raise Forbidden(
                f"role '{actor.role}' may not open a case on "
                f"{compiled.definition.name}; allowed: {', '.join(opening.roles)}"
            )
        missing = [i.field for i in opening.inputs if i.required and data.get(i.field) is None]
        if missing:
            raise InvalidInput(
                "missing inputs to open the case",
                [{"field": f"inputs.{m}", "message": "required"} for m in missing],
            )
        facts = Case(None, 0, "", 0, compiled.definition.initial_state, "", data=data).facts(
            self.today(now), birth_date
        )
        unmet = unmet_guards(list(opening.guards), facts)
        if unmet:
            raise GuardFailed("open", "(new)", unmet, [])

    def list_cases(
        self, query: CaseQuery, actor: Actor, *, phase: str | None = None, overdue: bool = False
    ) -> tuple[list[Case], int]:
        """List the cases the actor may see, by filters; `overdue` means past the state's SLA."""
        scope = query.mission_locales
        if actor.mission_locales is not None:
            mine = actor.mission_locales
            scope = sorted(mine & set(scope)) if scope is not None else sorted(mine)
        states = query.states
        if phase is not None:
            in_phase = {
                name
                for c in self.registry.all()
                for name, st in c.definition.states.items()
                if st.phase == phase
            }
            states = sorted(in_phase & set(states)) if states is not None else sorted(in_phase)
        cutoffs = None
        if overdue:
            now = self.clock.now()
            cutoffs = [
                (c.definition.name, c.definition.version, name, now - st.time_limit)
                for c in self.registry.all()
                for name, st in c.definition.states.items()
                if st.time_limit
            ]
        query = replace(query, mission_locales=scope, states=states, overdue=cutoffs)
        with self.uow(readonly=True) as uow:
            return uow.cases.search(query)

    def get(self, case_id: int, actor: Actor) -> Case:
        """Return one case the actor may see."""
        with self.uow(readonly=True) as uow:
            return self._load(uow, case_id, actor)[0]

    def actions(self, case_id: int, actor: Actor) -> tuple[Case, list[Action]]:
        """Explain every trigger out of the case's state for this actor."""
        with self.uow(readonly=True) as uow:
            case, birth_date = self._load(uow, case_id, actor)
        facts = case.facts(self.today(), birth_date)
        return case, self.workflow_of(case).available_actions(
            facts, actor.role, case.previous_state
        )

    def fire(self, cmd: FireTrigger, actor: Actor) -> Fired:
        """Apply a trigger: state, data and a chained history entry in one transaction."""
        with self.uow() as uow:
            fired = self.fire_in(uow, cmd, actor)
            uow.commit()
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
            fired.append(self.fire_in(uow, cmd, actor))
            return Answer(200, render(fired[0]))

        answer = run_once(
            self.uow, self.clock, actor=actor.id, key=key, fingerprint=fingerprint, work=work
        )
        if fired:
            self._log_fired(fired[0], actor)
        return answer

    def rehearse(self, cmd: FireTrigger, actor: Actor) -> Outcome:
        """Say what firing would do, without writing anything (dry runs)."""
        with self.uow(readonly=True) as uow:
            case, birth_date = self._load(uow, cmd.case_id, actor)
        self._expect(case, cmd.expected_version)
        now = self.clock.now()
        return self.workflow_of(case).fire(
            case.facts(self.today(now), birth_date),
            cmd.trigger,
            actor.role,
            now=now,
            inputs=cmd.inputs,
            reason=cmd.reason,
            previous_state=case.previous_state,
        )

    def _log_fired(self, fired: Fired, actor: Actor) -> None:
        self.telemetry.transition(fired.case.workflow, fired.outcome.trigger)
        log.info(
            "transition",
            case_id=fired.case.id,
            trigger=fired.outcome.trigger,
            from_state=fired.outcome.from_state,
            to_state=fired.outcome.to_state,
            actor=actor.id,
        )

    def fire_in(self, uow: UnitOfWork, cmd: FireTrigger, actor: Actor) -> Fired:
        """Fire inside a unit of work the caller owns (and commits)."""
        case, birth_date = self._load(uow, cmd.case_id, actor)
        self._expect(case, cmd.expected_version)
        compiled = self.workflow_of(case)
        now = self.clock.now()
        outcome = compiled.fire(
            case.facts(self.today(now), birth_date),
            cmd.trigger,
            actor.role,
            now=now,
            inputs=cmd.inputs,
            reason=cmd.reason,
            previous_state=case.previous_state,
        )
        expected = case.version
        if outcome.to_state != case.state:
            case.state_entered_at = now
        case.state, case.previous_state = outcome.to_state, outcome.previous_state
        case.data, case.updated_at = outcome.data, now
        if compiled.definition.states[outcome.to_state].terminal:
            case.closed_at = now
        payload: dict[str, Any] = {"inputs": outcome.inputs, "changes": outcome.changes}
        if cmd.reason:
            payload["reason"] = cmd.reason
        definition = compiled.definition
        reminded = definition.reminder_states
        moved = outcome.to_state != outcome.from_state and (
            outcome.to_state in reminded or outcome.from_state in reminded
        )
        if moved or definition.anchor_fields & set(outcome.changes):
            planned = reconcile(uow, definition, case, now, self.tz)
            if planned:
                payload["reminders"] = planned
        entry = chain_entry(
            case,
            actor,
            kind="transition",
            at=now,
            trigger=cmd.trigger,
            from_state=outcome.from_state,
            to_state=outcome.to_state,
            request_id=cmd.request_id,
            payload=payload,
        )
        uow.cases.update(case, expected, MOVE_COLUMNS)
        uow.history.append(entry)
        return Fired(case, outcome, entry)
