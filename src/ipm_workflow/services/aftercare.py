"""After the stay: contact attempts and checkpoint outcomes, and the money of the mobility.

Both change a case through `CaseStore.record`, the one path that records a change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import structlog

from ipm_workflow.domain import policy, text
from ipm_workflow.domain.aftercare_rules import CONTACT_CHANNELS, MONEY_FIELDS, ContactChannel
from ipm_workflow.domain.cases import Case, CaseFacts
from ipm_workflow.domain.contacts import ContactAttempt
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.followup import (
    LOST_CONTACT_DUE,
    CheckpointView,
    checkpoints_view,
    current_checkpoint,
    lost_contact_due,
)
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.money import GrantProposal, balance_due, days_done, propose
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger("ipm_workflow.cases")
# What a follow-up or money record changes on the case row.
DATA_COLUMNS = ("data", "updated_at", "history_seq", "history_head")
# The money a case shows (the stay's dates are shown with the case itself).
MONEY_VALUES = tuple(n for n in MONEY_FIELDS if not n.startswith(("planned_", "actual_")))


def _invalid(field: str, message: str) -> InvalidInput:
    return invalid_field(f"invalid {field}", field, message)


@dataclass(frozen=True)
class LogContactAttempt:
    """Record one try to reach the young person (answered or not), by the acting person."""

    case_id: int
    channel: str
    answered: bool
    at: datetime | None = None  # when it was made (default: now)
    checkpoint: str | None = None  # default: the latest checkpoint opened by then
    note: str | None = None
    expected_version: int | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        if self.channel not in CONTACT_CHANNELS:
            raise _invalid("channel", f"expected one of {list(CONTACT_CHANNELS)}")
        # The door's text rules (domain/text.py), one InvalidInput naming the field.
        rules = {
            "note": lambda v: text.multi_line(v, text.NOTE_MAX),
            "checkpoint": text.single_line,
        }
        given = {"note": text.blank_is_none(self.note), "checkpoint": self.checkpoint}
        for name, value in text.check(rules, given).items():
            object.__setattr__(self, name, value)  # frozen: set once, here


@dataclass(frozen=True)
class ConfirmGrant:
    """A person confirms the recomputed grant (the proposal, or another amount with a reason)."""

    case_id: int
    amount: int | None = None  # euro cents; None: the proposal as it stands
    reason: str | None = None
    expected_version: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class FollowUpView:
    """A case's contact attempts and where each checkpoint stands."""

    case: Case
    attempts: list[ContactAttempt]
    checkpoints: list[CheckpointView]
    lost_contact_due: str | None


@dataclass(frozen=True)
class MoneyView:
    """A case's money: what was agreed, paid and due, and the grant proposed for days done."""

    case: Case
    values: dict[str, Any]
    days_done: int | None
    balance_due: date | None
    proposal: GrantProposal | None


class Aftercare:
    """Contact attempts, checkpoint outcomes and money of a case."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    def log_attempt(self, cmd: LogContactAttempt, actor: Actor) -> tuple[Case, ContactAttempt]:
        """Record an attempt; the lost-contact timer moves with the unanswered ones."""
        policy.require(actor, Action.CASES_DATA)
        store = self.store

        def work(uow: UnitOfWork) -> tuple[Case, ContactAttempt]:
            case, _ = store.load(uow, cmd.case_id, actor)
            store.expect(case, cmd.expected_version)
            definition = store.workflow_of(case).definition
            now, expected = store.clock.now(), case.version
            at = cmd.at or now
            if at > now:
                raise _invalid("at", "an attempt cannot be logged in the future")
            spec = definition.follow_up
            known = [c.id for c in spec.checkpoints] if spec else []
            if cmd.checkpoint is not None and cmd.checkpoint not in known:
                raise _invalid("checkpoint", f"expected one of {known}")
            checkpoint = cmd.checkpoint or current_checkpoint(
                definition, case.data, store.today(at)
            )
            assert case.id is not None  # noqa: S101 - loaded cases have ids
            channel: ContactChannel = cmd.channel  # type: ignore[assignment] # checked above
            attempt = ContactAttempt(
                case.id, at, channel, cmd.answered, actor.id, checkpoint, cmd.note, now
            )
            attempt = replace(attempt, id=uow.contacts.add(attempt))
            changes = self._lost_contact_timer(case, local(store, uow.contacts.for_case(case.id)))
            case.data = {**case.data, **{k: new for k, (_, new) in changes.items()}}
            case.updated_at = now
            payload: dict[str, Any] = {
                "attempt_id": attempt.id,
                "channel": attempt.channel,
                "answered": attempt.answered,
                "at": at.isoformat(),
                "checkpoint": checkpoint,
            }
            if changes:
                payload["changes"] = {k: list(v) for k, v in changes.items()}
            change = Change("contact_attempt", payload, fields=changes, columns=DATA_COLUMNS)
            store.record(
                uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id
            )
            return case, attempt

        case, attempt = store.transaction(work, blind=cmd.expected_version is None)
        log.info(
            "contact_attempt_logged",
            case_id=case.id,
            channel=attempt.channel,
            answered=attempt.answered,
            checkpoint=attempt.checkpoint,
            actor=actor.id,
        )
        return case, attempt

    def _lost_contact_timer(
        self, case: Case, attempts: list[ContactAttempt]
    ) -> dict[str, tuple[Any, Any]]:
        spec = self.store.workflow_of(case).definition.follow_up
        if spec is None or spec.lost_contact is None:
            return {}
        rule = spec.lost_contact
        at = next(c for c in spec.checkpoints if c.id == rule.at_checkpoint)
        due = lost_contact_due(rule, case.data.get(at.outcome), attempts)
        new = due.isoformat() if due else None
        old = case.data.get(LOST_CONTACT_DUE)
        return {} if old == new else {LOST_CONTACT_DUE: (old, new)}

    def follow_up(self, case_id: int, actor: Actor) -> FollowUpView:
        """Return the attempts and the checkpoints of a case."""
        policy.require(actor, Action.CASES_READ)
        with self.store.uow(readonly=True) as uow:
            case, _ = self.store.load(uow, case_id, actor)
            attempts = uow.contacts.for_case(case_id)
        definition = self.store.workflow_of(case).definition
        views = checkpoints_view(definition, case.data, attempts, self.store.today())
        due = case.data.get(LOST_CONTACT_DUE)
        return FollowUpView(case, attempts, views, due if isinstance(due, str) else None)

    def money(self, case_id: int, actor: Actor) -> MoneyView:
        """Return the money of a case and the grant proposed for the days done."""
        policy.require(actor, Action.CASES_READ)
        with self.store.uow(readonly=True) as uow:
            case, _ = self.store.load(uow, case_id, actor)
        return self._money_view(case)

    def _money_view(self, case: Case) -> MoneyView:
        spec = self.store.workflow_of(case).definition.money
        if spec is None:
            raise _invalid("workflow", f"workflow '{case.workflow}' declares no money")
        values = {name: case.data.get(name) for name in MONEY_VALUES}
        return MoneyView(
            case,
            values,
            days_done(case.data),
            balance_due(spec, case.data),
            propose(spec, case.data),
        )

    def confirm_grant(self, cmd: ConfirmGrant, actor: Actor) -> MoneyView:
        """Confirm the recomputed grant: the balance, or a recovery order issued today."""
        policy.require(actor, Action.CASES_DATA)
        store = self.store
        reason = text.check({"reason": text.reason}, {"reason": text.blank_is_none(cmd.reason)})[
            "reason"
        ]

        def work(uow: UnitOfWork) -> MoneyView:
            case, _ = store.load(uow, cmd.case_id, actor)
            store.expect(case, cmd.expected_version)
            view = self._money_view(case)
            proposal = view.proposal
            if proposal is None:
                raise _invalid(
                    "grant", "no proposal: the agreed grant, planned and actual dates are needed"
                )
            amount = proposal.proposed if cmd.amount is None else cmd.amount
            if not 0 <= amount <= proposal.agreed:
                raise _invalid("amount", f"must lie between 0 and {proposal.agreed} cents")
            if amount != proposal.proposed and not reason:
                raise _invalid("reason", "another amount than the proposal needs a reason")
            now, expected = store.clock.now(), case.version
            values = self._settlement(case, amount, proposal.prefinanced, store.today(now))
            changes = {k: [case.data.get(k), v] for k, v in values.items() if case.data.get(k) != v}
            case.data, case.updated_at = {**case.data, **values}, now
            payload: dict[str, Any] = {
                "rule": proposal.rule,
                "days_done": proposal.days_done,
                "planned_days": proposal.planned_days,
                "proposed": proposal.proposed,
                "confirmed": amount,
                "changes": changes,
            }
            if reason:
                payload["reason"] = reason
            change = Change("grant_confirmed", payload, fields=changes, columns=DATA_COLUMNS)
            store.record(
                uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id
            )
            return self._money_view(case)

        view = store.transaction(work, blind=cmd.expected_version is None)
        log.info("grant_confirmed", case_id=view.case.id, actor=actor.id)
        return view

    def _settlement(self, case: Case, amount: int, prefinanced: int, today: date) -> dict[str, Any]:
        fields = self.store.workflow_of(case).definition.fields
        values: dict[str, Any] = {
            "grant_final": amount,
            "balance_amount": max(amount - prefinanced, 0),
        }
        if prefinanced > amount:
            why = f"early_return_{case.data.get('early_return_reason')}"
            allowed = fields["recovery_reason"].values or []
            values |= {
                "recovery_amount": prefinanced - amount,
                "recovery_reason": why if why in allowed else "overpayment",
                "recovery_issued_on": today.isoformat(),
            }
        return values


def facts_with_contacts(
    store: CaseStore, uow: UnitOfWork, case: Case, facts: CaseFacts, trigger: str | None = None
) -> CaseFacts:
    """Add the contact attempts to a case's facts where the lost-contact rule will read them.

    Only for the rule's trigger (or, listing actions, in a follow-up state): every other
    transition stays one read of the case.
    """
    spec = store.workflow_of(case).definition.follow_up
    if spec is None or spec.lost_contact is None or case.id is None:
        return facts
    if trigger is not None and trigger != spec.lost_contact.trigger:
        return facts
    if trigger is None and case.state not in spec.states:
        return facts
    return replace(facts, contacts=tuple(local(store, uow.contacts.for_case(case.id))))


def local(store: CaseStore, attempts: list[ContactAttempt]) -> list[ContactAttempt]:
    """The attempts at Ipm's time, so the rule counts the days as Ipm does (not UTC's)."""
    return [replace(a, at=a.at.astimezone(store.tz)) for a in attempts]
