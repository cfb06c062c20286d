"""Firing a trigger inside a transaction someone else owns: cases, cohorts and merges share it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.engine import Outcome
from ipm_workflow.domain.errors import GuardFailed, InvalidInput
from ipm_workflow.domain.policy import Action
from ipm_workflow.services import eligibility
from ipm_workflow.services.aftercare import facts_with_contacts
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor, FireTrigger
from ipm_workflow.services.ports import UnitOfWork

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
    # Read in the transition's own transaction: the answer's flag without a second one.
    minor_without_guardian: bool = False


class Firing:
    """Judges and applies a trigger; the caller's transaction commits."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    def rehearse(self, uow: UnitOfWork, cmd: FireTrigger, actor: Actor) -> Outcome:
        """Say what firing would do, without writing anything (dry runs)."""
        return self._judge(uow, cmd, actor)[1]

    def _judge(
        self, uow: UnitOfWork, cmd: FireTrigger, actor: Actor
    ) -> tuple[Case, Outcome, datetime]:
        policy.require(actor, Action.CASES_FIRE)
        store = self.store
        case, birth_date = store.load(uow, cmd.case_id, actor)
        store.expect(case, cmd.expected_version)
        now = store.clock.now()
        compiled = store.workflow_of(case)
        definition = compiled.definition
        judged: dict[str, Any] = {
            "person_id": case.person_id,
            "birth_date": birth_date,
            "today": store.today(now),
            "case_id": case.id,
        }
        try:
            facts = case.facts(store.today(now), birth_date, definition.computed)
            outcome = compiled.fire(
                facts_with_contacts(store, uow, case, facts, cmd.trigger),
                cmd.trigger,
                policy.workflow_role(actor),
                now=now,
                inputs=cmd.inputs,
                reason=cmd.reason,
                previous_state=case.previous_state,
            )
        except GuardFailed as failed:
            # One refusal lists the workflow's unmet guards and the unmet eligibility rules.
            try:
                data = {**case.data, **store.coerce(definition.fields, cmd.inputs, "inputs")}
            except InvalidInput:
                raise failed from None
            more = eligibility.refused(store, uow, definition, cmd.trigger, data=data, **judged)
            raise eligibility.joined(failed, more) from None
        eligibility.enforce(
            store, uow, definition, cmd.trigger, state=case.state, data=outcome.data, **judged
        )
        return case, outcome, now

    def apply(self, uow: UnitOfWork, cmd: FireTrigger, actor: Actor) -> Fired:
        """Fire: state, data, dependent reminders and a chained history entry (not committed)."""
        case, outcome, now = self._judge(uow, cmd, actor)
        expected = case.version
        if outcome.to_state != case.state:
            case.state_entered_at = now
        case.state, case.previous_state = outcome.to_state, outcome.previous_state
        case.data, case.updated_at = outcome.data, now
        if self.store.workflow_of(case).definition.states[outcome.to_state].terminal:
            case.closed_at = now
        payload: dict[str, Any] = {"inputs": outcome.inputs, "changes": outcome.changes}
        if cmd.reason:
            payload["reason"] = cmd.reason
        change = Change(
            "transition",
            payload,
            fields=outcome.changes,
            trigger=cmd.trigger,
            from_state=outcome.from_state,
            to_state=outcome.to_state,
            columns=MOVE_COLUMNS,
        )
        entry = self.store.record(
            uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id
        )
        flagged = uow.guardians.minors_without_guardian([case.person_id], self.store.today(now))
        return Fired(case, outcome, entry, case.person_id in flagged)
