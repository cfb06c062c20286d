"""Cohorts: a group leaving together; bulk actions run per case, each with its own result."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import structlog

from ipm_workflow.domain import text
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import (
    AlreadyExists,
    DomainError,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
)
from ipm_workflow.domain.people import Cohort
from ipm_workflow.services.commands import Actor, FireTrigger
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.history import chain_entry
from ipm_workflow.services.ports import CaseQuery

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

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form kept for idempotent replays."""
        return {
            "cohort_id": self.cohort_id,
            "trigger": self.trigger,
            "dry_run": self.dry_run,
            "items": [asdict(i) for i in self.items],
        }


class CohortService:
    """Creates cohorts, adds cases, and fires triggers over a whole cohort."""

    def __init__(self, cases: CaseService) -> None:
        self.cases = cases
        self.uow = cases.uow
        self.clock = cases.clock

    def create(
        self,
        code: str,
        label: str,
        workflow: str,
        planned_start: date | None = None,
        planned_end: date | None = None,
    ) -> Cohort:
        """Create a cohort on a workflow."""
        text.check(
            {"code": text.single_line, "label": text.single_line}, {"code": code, "label": label}
        )
        self.cases.registry.get(workflow)
        with self.uow() as uow:
            if any(c.code == code for c in uow.cohorts.all()):
                raise AlreadyExists(f"a cohort with code '{code}' exists already")
            cohort = uow.cohorts.add(
                Cohort(None, code, label, workflow, planned_start, planned_end), self.clock.now()
            )
            uow.commit()
        log.info("cohort_created", cohort_id=cohort.id, workflow=workflow)
        return cohort

    def get(self, cohort_id: int) -> Cohort:
        """Return a cohort."""
        with self.uow(readonly=True) as uow:
            return uow.cohorts.get(cohort_id)

    def all(self) -> list[Cohort]:
        """Return every cohort."""
        with self.uow(readonly=True) as uow:
            return uow.cohorts.all()

    def add_cases(self, cohort_id: int, case_ids: Sequence[int], actor: Actor) -> list[Case]:
        """Put cases in a cohort (one transaction; recorded in each case's history)."""
        now = self.clock.now()
        added = []
        with self.uow() as uow:
            cohort = uow.cohorts.get(cohort_id)
            for case_id in case_ids:
                case, _ = uow.cases.get(case_id)
                if not actor.sees(case.mission_locale_id):
                    # Same answer as a missing case: no hint that it exists elsewhere.
                    raise NotFound(f"case {case_id} not found")
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
                entry = chain_entry(
                    case,
                    actor,
                    kind="cohort_joined",
                    at=now,
                    payload={"cohort_id": cohort_id, "code": cohort.code},
                )
                uow.cases.update(case, expected)
                uow.history.append(entry)
                added.append(case)
            uow.commit()
        return added

    def members(self, cohort_id: int, actor: Actor) -> list[Case]:
        """Return the cohort's cases the actor may see."""
        with self.uow(readonly=True) as uow:
            uow.cohorts.get(cohort_id)
        cases, _ = self.cases.list_cases(CaseQuery(cohort_id=cohort_id, limit=10_000), actor)
        return cases

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
    ) -> BulkResult:
        """Fire a trigger on every case of a cohort, each in its own transaction."""
        fingerprint = json.dumps(
            [cohort_id, trigger, inputs or {}, reason, dry_run], sort_keys=True, default=str
        )
        if idempotency_key and not dry_run:
            stored = self._stored(actor, idempotency_key, fingerprint)
            if stored is not None:
                return stored
        items = [
            self._one(
                case,
                FireTrigger(case.id or 0, trigger, inputs or {}, reason, request_id=request_id),
                actor,
                dry_run,
            )
            for case in self.members(cohort_id, actor)
        ]
        result = BulkResult(cohort_id, trigger, dry_run, items)
        if idempotency_key and not dry_run:
            with self.uow() as uow:
                if uow.idempotency.claim(actor.id, idempotency_key, fingerprint, self.clock.now()):
                    uow.idempotency.complete(actor.id, idempotency_key, 200, result.as_dict())
                    uow.commit()
        log.info(
            "cohort_bulk",
            cohort_id=cohort_id,
            trigger=trigger,
            dry_run=dry_run,
            ok=sum(i.ok for i in items),
            failed=sum(not i.ok for i in items),
        )
        return result

    def _stored(self, actor: Actor, key: str, fingerprint: str) -> BulkResult | None:
        with self.uow(readonly=True) as uow:
            stored = uow.idempotency.get(actor.id, key)
        if stored is None:
            return None
        if stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                f"Idempotency-Key '{key}' was already used for a different request", key=key
            )
        body = stored.body
        return BulkResult(
            body["cohort_id"],
            body["trigger"],
            body["dry_run"],
            [BulkItem(**i) for i in body["items"]],
            replayed=True,
        )

    def _one(self, case: Case, cmd: FireTrigger, actor: Actor, dry_run: bool) -> BulkItem:
        assert case.id is not None  # noqa: S101 - listed cases are stored
        try:
            if dry_run:
                outcome = self.cases.rehearse(cmd, actor)
            else:
                outcome = self.cases.fire(cmd, actor).outcome
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
