"""Staff who leave: deactivate the account, list their open cases, hand them over at once.

Deactivation revokes every token in the same transaction (no sign-in from then on). The
handover reassigns each open case through the one reassignment path, each on its own
savepoint with its own result, under the one idempotency mechanism when a key is given.
Reminders addressed to `advisor` follow the case's advisor, so the pending ones move with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.reminder_lifecycle import PENDING
from ipm_workflow.services import idempotency
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.case_records import CaseRecords
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.commands import Actor, Reassign
from ipm_workflow.services.idempotency import Answer, Idempotency, answer_of, result_of, tally
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger("ipm_workflow.staff")
ADVISOR_RECIPIENT = "advisor"
_ALL = 10_000


@dataclass(frozen=True)
class Deactivated:
    """A user switched off, and how many of their tokens were revoked then."""

    user: User
    tokens_revoked: int
    was_active: bool


@dataclass(frozen=True)
class HandoverItem:
    """What the handover did to one case."""

    case_id: int
    ok: bool
    reminders_moved: int = 0
    error: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class Handover:
    """The per-case results of handing a departing advisor's open cases to another."""

    from_user_id: int
    to_user_id: int
    items: list[HandoverItem]
    replayed: bool = False


class StaffService:
    """Deactivation of users and the handover of their cases and reminders."""

    def __init__(
        self,
        store: CaseStore,
        records: CaseRecords,
        keys: Idempotency,
        forget_credentials: Callable[[int], None],
    ) -> None:
        self.store = store
        self.records = records
        self.idempotency = keys
        # Tokens and page sessions are remembered briefly (services/memory.py): deactivation
        # clears that at once in this process (within those seconds in the others).
        self.forget_credentials = forget_credentials

    def deactivate(self, user_id: int, actor: Actor) -> Deactivated:
        """Switch a user off and revoke all their tokens, in one transaction."""
        policy.require(actor, Action.DIRECTORY)
        now = self.store.clock.now()
        with self.store.uow() as uow:
            user = uow.directory.user(user_id)
            was_active = uow.attribution.deactivate_user(user_id, now)
            live = [t for t in uow.tokens.for_user(user_id) if t.revoked_at is None]
            revoked = sum(uow.tokens.revoke(t.id, now) for t in live)
            uow.staff.delete_sessions(user_id)  # their page sessions end at once too
            uow.commit()
        self.forget_credentials(user_id)
        log.info("user_deactivated", user_id=user_id, tokens_revoked=revoked, actor=actor.id)
        return Deactivated(user, revoked, was_active)

    def _open_states(self) -> list[str]:
        return sorted({s for c in self.store.registry.all() for s in c.definition.active_states()})

    def _open_cases(self, uow: UnitOfWork, user_id: int, actor: Actor) -> list[Case]:
        scope = policy.narrow(actor, None)
        query = CaseQuery(
            advisor_id=user_id, states=self._open_states(), mission_locales=scope, limit=_ALL
        )
        return uow.cases.search(query)[0]

    def open_cases(self, user_id: int, actor: Actor) -> list[Case]:
        """The cases not yet closed whose advisor is this user (within the actor's reach)."""
        policy.require(actor, Action.CASES_REASSIGN)
        with self.store.uow(readonly=True) as uow:
            uow.directory.user(user_id)
            return self._open_cases(uow, user_id, actor)

    def hand_over(
        self,
        from_user_id: int,
        to_user_id: int,
        actor: Actor,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Handover:
        """Reassign every open case of one advisor to another; each case has its own result."""
        policy.require(actor, Action.CASES_REASSIGN)
        if from_user_id == to_user_id:
            raise invalid_field(
                "the same advisor on both sides",
                "to_user_id",
                "must differ from the departing advisor",
            )

        def work(uow: UnitOfWork) -> Answer:
            uow.directory.user(from_user_id)
            if not uow.directory.user(to_user_id).active:
                raise invalid_field(
                    "inactive advisor", "to_user_id", "this user has been deactivated"
                )
            items = [
                self._one(uow, case, to_user_id, reason, actor)
                for case in self._open_cases(uow, from_user_id, actor)
            ]
            return answer_of(Handover(from_user_id, to_user_id, items))

        request = idempotency.fingerprint(
            "POST", f"/users/{from_user_id}/handover", [to_user_id, reason]
        )
        answer = self.idempotency.run(actor, idempotency_key, request, work)
        result = result_of(Handover, HandoverItem, answer)
        log.info(
            "cases_handed_over",
            from_user_id=from_user_id,
            to_user_id=to_user_id,
            **tally(result),
            actor=actor.id,
        )
        return result

    def _one(
        self, uow: UnitOfWork, case: Case, to_user_id: int, reason: str | None, actor: Actor
    ) -> HandoverItem:
        assert case.id is not None  # noqa: S101 - listed cases are stored
        cmd = Reassign(case.id, advisor_id=to_user_id, reason=reason)
        try:
            with uow.savepoint():
                self.records.reassign_in(uow, cmd, actor)
        except DomainError as exc:
            return HandoverItem(case.id, False, error=exc.kind, message=exc.message)
        pending = [
            r
            for r in uow.reminders.for_case(case.id)
            if r.recipient == ADVISOR_RECIPIENT and r.status in PENDING
        ]
        return HandoverItem(case.id, True, reminders_moved=len(pending))
