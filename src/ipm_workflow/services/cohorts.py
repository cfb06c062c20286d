"""Cohorts: a group leaving together; bulk actions run per case, each with its own result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import structlog

from ipm_workflow.domain import policy, text
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import AlreadyExists, DomainError, InvalidInput
from ipm_workflow.domain.people import Cohort
from ipm_workflow.domain.policy import Action
from ipm_workflow.services import idempotency
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor, FireTrigger
from ipm_workflow.services.firing import Firing
from ipm_workflow.services.idempotency import Answer, Idempotency, answer_of, result_of, tally
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger("ipm_workflow.cohorts")


@dataclass(frozen=True)
class BulkItem:
    """What a bulk action did (or would do) to one case."""

    case_id: int
    ok: bool
    from_state: str
    to_state: str | None = None
    error: str | None = None
    message: str | None = None
    unmet: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class BulkResult:
    """The per-case results of a bulk action."""

    cohort_id: int
    trigger: str
    dry_run: bool
    items: list[BulkItem]
    replayed: bool = False


class CohortService:
    """Creates cohorts, adds cases, and fires triggers over a whole cohort."""

    def __init__(self, store: CaseStore, firing: Firing, idempotency: Idempotency) -> None:
        self.store = store
        self.firing = firing
        self.idempotency = idempotency

    def create(
        self,
        code: str,
        label: str,
        workflow: str,
        planned_start: date | None = None,
        planned_end: date | None = None,
        *,
        actor: Actor,
    ) -> Cohort:
        """Create a cohort on a workflow; its creator sees it even while it has no member."""
        policy.require(actor, Action.COHORTS_WRITE)
        text.check(
            {"code": text.single_line, "label": text.single_line}, {"code": code, "label": label}
        )
        self.store.registry.get(workflow)
        cohort = Cohort(None, code, label, workflow, planned_start, planned_end, actor.id)

        def work(uow: UnitOfWork) -> Cohort:
            if any(c.code == code for c in uow.cohorts.all()):
                raise AlreadyExists(f"a cohort with code '{code}' exists already")
            return uow.cohorts.add(cohort, self.store.clock.now())

        created = self.store.transaction(work)
        log.info("cohort_created", cohort_id=created.id, workflow=workflow)
        return created

    @staticmethod
    def _visible(uow: UnitOfWork, cohort_id: int, actor: Actor) -> Cohort:
        cohort = uow.cohorts.get(cohort_id)
        members = uow.cohorts.mission_locales([cohort_id]).get(cohort_id, set())
        policy.see_cohort(actor, cohort_id, members, cohort.created_by)
        return cohort

    def get(self, cohort_id: int, actor: Actor) -> Cohort:
        """Return a cohort the actor sees; NotFound otherwise, as for a missing one."""
        policy.require(actor, Action.COHORTS_READ)
        with self.store.uow(readonly=True) as uow:
            return self._visible(uow, cohort_id, actor)

    def all(self, actor: Actor) -> list[Cohort]:
        """Return the cohorts the actor sees."""
        policy.require(actor, Action.COHORTS_READ)
        with self.store.uow(readonly=True) as uow:
            members = uow.cohorts.mission_locales()
            return [
                c
                for c in uow.cohorts.all()
                if policy.sees_cohort(actor, members.get(c.id or 0, set()), c.created_by)
            ]

    def add_cases(self, cohort_id: int, case_ids: Sequence[int], actor: Actor) -> list[Case]:
        """Put cases in a cohort (one transaction; recorded in each case's history)."""
        policy.require(actor, Action.COHORTS_WRITE)
        store = self.store

        def work(uow: UnitOfWork) -> list[Case]:
            now = store.clock.now()
            cohort = self._visible(uow, cohort_id, actor)
            added = []
            for case_id in case_ids:
                case, _ = store.load(uow, case_id, actor)
                if case.workflow != cohort.workflow:
                    raise InvalidInput(
                        "case on another workflow",
                        [
                            {
                                "field": "case_ids",
                                "message": f"case {case_id} follows {case.workflow},"
                                f" the cohort {cohort.workflow}",
                            }
                        ],
                    )
                if case.cohort_id == cohort_id:
                    continue
                expected = case.version
                case.cohort_id, case.updated_at = cohort_id, now
                payload = {"cohort_id": cohort_id, "code": cohort.code}
                store.record(
                    uow, case, expected, Change("cohort_joined", payload), actor=actor, now=now
                )
                added.append(case)
            return added

        return store.transaction(work, blind=True)

    def members(self, cohort_id: int, actor: Actor) -> list[Case]:
        """Return the cohort's cases the actor may see."""
        policy.require(actor, Action.COHORTS_READ)
        with self.store.uow(readonly=True) as uow:
            self._visible(uow, cohort_id, actor)
            return self._members(uow, cohort_id, actor)

    @staticmethod
    def _members(uow: UnitOfWork, cohort_id: int, actor: Actor) -> list[Case]:
        scope = policy.narrow(actor, None)
        query = CaseQuery(cohort_id=cohort_id, mission_locales=scope, limit=10_000)
        return uow.cases.search(query)[0]

    def bulk_fire(
        self,
        cohort_id: int,
        trigger: str,
        actor: Actor,
        *,
        inputs: Mapping[str, Any] | None = None,
        reason: str | None = None,
        dry_run: bool = False,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
    ) -> BulkResult:
        """Fire a trigger on every case of a cohort, each case on its own savepoint.

        One transaction holds every case's change (and the Idempotency-Key claimed first); a
        case that cannot move is reported and rolled back alone. `fingerprint` identifies the
        request when a key is given (see idempotency.fingerprint).
        """
        policy.require(actor, Action.COHORTS_WRITE)

        def work(uow: UnitOfWork) -> Answer:
            self._visible(uow, cohort_id, actor)
            items = []
            for case in self._members(uow, cohort_id, actor):
                cmd = FireTrigger(
                    case.id or 0, trigger, inputs or {}, reason, request_id=request_id
                )
                items.append(self._one(uow, case, cmd, actor, dry_run))
            return answer_of(BulkResult(cohort_id, trigger, dry_run, items))

        if dry_run:
            with self.store.uow(readonly=True) as uow:  # a rehearsal writes nothing
                answer = work(uow)
        else:
            request = fingerprint or idempotency.fingerprint(
                "POST", f"/cohorts/{cohort_id}/transitions", [trigger, inputs, reason]
            )
            answer = self.idempotency.run(actor, idempotency_key, request, work)
        result = result_of(BulkResult, BulkItem, answer)
        log.info(
            "cohort_bulk",
            cohort_id=cohort_id,
            trigger=trigger,
            dry_run=dry_run,
            **tally(result),
        )
        return result

    def _one(
        self, uow: UnitOfWork, case: Case, cmd: FireTrigger, actor: Actor, dry_run: bool
    ) -> BulkItem:
        assert case.id is not None  # noqa: S101 - listed cases are stored
        try:
            with uow.savepoint():
                if dry_run:
                    outcome = self.firing.rehearse(uow, cmd, actor)
                else:
                    outcome = self.firing.apply(uow, cmd, actor).outcome
        except DomainError as exc:
            return BulkItem(
                case.id,
                False,
                case.state,
                error=exc.kind,
                message=exc.message,
                unmet=list(exc.context.get("unmet", [])),
            )
        return BulkItem(case.id, True, outcome.from_state, outcome.to_state)
