"""Suspending and resuming a case: an engine-level action on every workflow's active cases.

A suspension keeps the case's state and stops its clock (domain/clocks.py); reminders that hang
on the state's entry are withdrawn and planned again, moved by the paused time, on resumption.
Both go through the one path that records a change, with their reason in the history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.clocks import running_deadline
from ipm_workflow.domain.errors import SuspensionRefused
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor, Resume, Suspend
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger("ipm_workflow.cases")
# A suspension writes only these columns (the clock's are added by `record`).
_COLUMNS = ("updated_at", "history_seq", "history_head")


class Suspensions:
    """Suspend and resume cases; each is one transaction and one history entry."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    def suspend(self, cmd: Suspend, actor: Actor) -> Case:
        """Suspend an active case with a reason: its clock stops until it is resumed."""
        policy.require(actor, Action.CASES_SUSPEND)
        if not cmd.reason:
            raise invalid_field("a suspension needs a reason", "reason", "required")

        def pause(case: Case, now: datetime) -> dict[str, object]:
            if self.store.workflow_of(case).definition.states[case.state].terminal:
                raise SuspensionRefused(f"case {case.id} is closed ({case.state})")
            if case.suspended_at is not None:
                raise SuspensionRefused(f"case {case.id} is already suspended")
            case.suspended_at, case.suspension_reason = now, cmd.reason
            return {"reason": cmd.reason}

        case = self._record(cmd, actor, "suspended", pause)
        log.info("case_suspended", case_id=case.id, actor=actor.id)
        return case

    def resume(self, cmd: Resume, actor: Actor) -> Case:
        """Resume a suspended case: its deadline moves later by the time it was suspended."""
        policy.require(actor, Action.CASES_SUSPEND)

        def run_on(case: Case, now: datetime) -> dict[str, object]:
            if case.suspended_at is None:
                raise SuspensionRefused(f"case {case.id} is not suspended")
            paused = int((now - case.suspended_at).total_seconds())
            case.suspended_at, case.suspension_reason = None, None
            payload: dict[str, object] = {"suspended_seconds": paused}
            if cmd.reason:
                payload["reason"] = cmd.reason
            return payload

        case = self._record(cmd, actor, "resumed", run_on)
        log.info("case_resumed", case_id=case.id, actor=actor.id)
        return case

    def _record(
        self,
        cmd: Suspend | Resume,
        actor: Actor,
        kind: str,
        apply: Callable[[Case, datetime], dict[str, object]],
    ) -> Case:
        """Load the case, let `apply` change it (or refuse) and give the payload, then record
        the change (same state, reminders replanned) in one transaction."""
        store = self.store

        def work(uow: UnitOfWork) -> Case:
            case, _ = store.load(uow, cmd.case_id, actor)
            store.expect(case, cmd.expected_version)
            expected = case.version
            now = store.clock.now()
            payload = apply(case, now)
            case.updated_at = now
            change = Change(
                kind,
                payload,
                from_state=case.state,
                to_state=case.state,
                replan=True,
                columns=_COLUMNS,
            )
            store.record(
                uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id
            )
            return case

        return store.transaction(work, blind=cmd.expected_version is None)

    def set_clocks(self, actor: Actor) -> list[int]:
        """Give a deadline to the open cases that have none yet (after the upgrade that added
        clocks: their clock starts at their state's entry); return the ids of those changed."""
        policy.require(actor, Action.WORKFLOWS_MIGRATE)
        store = self.store
        with store.uow(readonly=True) as uow:
            ids = uow.cases.ids()

        def one(case_id: int) -> bool:
            def work(uow: UnitOfWork) -> bool:
                case, _ = store.load(uow, case_id, actor)
                definition = store.workflow_of(case).definition
                if case.due_at is not None or definition.states[case.state].terminal:
                    return False
                if case.clock_state is None:
                    case.clock_state, case.clock_started_at = case.state, case.state_entered_at
                due = running_deadline(case, definition, store.tz)
                if due is None:
                    return False
                now, expected = store.clock.now(), case.version
                change = Change(
                    "clock_set",
                    {"due_at": due.isoformat()},
                    from_state=case.state,
                    to_state=case.state,
                    columns=("history_seq", "history_head"),
                )
                store.record(uow, case, expected, change, actor=actor, now=now)
                return True

            return store.transaction(work, blind=True)

        changed = [case_id for case_id in ids if one(case_id)]
        log.info("case_clocks_set", cases=len(changed), actor=actor.id)
        return changed
