"""Retention runs: which people are past their rules, and carrying out what the rules say.

A run also carries out the erasure requests a supervisor accepted (services/privacy.py decides
them; the same pseudonymisation or deletion applies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain.errors import DomainError, NotFound
from ipm_workflow.domain.privacy import ErasureDecision, ErasureRequest
from ipm_workflow.domain.retention import Action, RetentionPolicy, Verdict, decide
from ipm_workflow.services.commands import SYSTEM
from ipm_workflow.services.erasure import carry_out_erasure
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.privacy import PrivacyService
from ipm_workflow.services.pseudonymisation import PseudonymisationService

log = structlog.get_logger("ipm_workflow.retention")

BATCH = 500


@dataclass
class RetentionRun:
    """What a run found past its rules, and (unless a dry run) what it did."""

    today: date
    dry_run: bool
    due: list[Verdict] = field(default_factory=list)
    done: list[Verdict] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    answers_forgotten: int = 0
    # Accepted erasure requests: found, and carried out (by request id).
    erasures: list[ErasureRequest] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)


class RetentionService:
    """Applies the declared retention rules to every person, on the injected clock's day."""

    def __init__(
        self,
        pseudonymisation: PseudonymisationService,
        policy: RetentionPolicy,
        timezone: str = "Europe/Paris",
        privacy: PrivacyService | None = None,
    ) -> None:
        self.pseudonymisation = pseudonymisation
        self.store = pseudonymisation.store
        self.policy = policy
        self.timezone = timezone
        self.privacy = privacy

    def today(self) -> date:
        """The clock's day where the service runs."""
        return self.store.clock.now().astimezone(ZoneInfo(self.timezone)).date()

    def due(self, today: date | None = None) -> list[Verdict]:
        """Every person a run would pseudonymise or delete today, and why, by person id."""
        today = today or self.today()
        found: list[Verdict] = []
        after = 0
        while True:
            with self.store.uow(readonly=True) as uow:
                people = uow.retention.facts(after, BATCH, self.timezone)
            if not people:
                return found
            for person in people:
                verdict = decide(self.policy, person, today)
                if verdict.action is not Action.KEEP:
                    found.append(verdict)
            after = people[-1].person_id

    def run(self, *, dry_run: bool = False) -> RetentionRun:
        """Carry out accepted erasures, then pseudonymise or delete whoever is past their
        rules; a dry run only lists both."""
        result = RetentionRun(self.today(), dry_run)
        if self.privacy is not None:
            result.erasures = self.privacy.erasures_to_carry_out()
        if not dry_run:
            for request in result.erasures:
                self._erase(request, result)
        result.due = self.due(result.today)
        if dry_run:
            return result
        with self.store.uow() as uow:
            age = timedelta(days=self.policy.replay_answers_days)
            result.answers_forgotten = uow.retention.forget_answers(self.store.clock.now() - age)
            uow.commit()
        for verdict in result.due:
            rule = "retention: " + ", ".join(e.rule for e in verdict.ends)
            try:
                if verdict.action is Action.DELETE:
                    self.pseudonymisation.delete(verdict.person_id, rule)
                else:
                    self.pseudonymisation.pseudonymise(verdict.person_id, rule)
            except DomainError as exc:
                # One person changing meanwhile must not stop the others; the next run retries.
                result.failed[verdict.person_id] = exc.message
                log.warning("retention_failed", person_id=verdict.person_id, error=exc.kind)
                continue
            result.done.append(verdict)
        log.info(
            "retention_run",
            today=result.today.isoformat(),
            pseudonymised=sum(v.action is Action.PSEUDONYMISE for v in result.done),
            deleted=sum(v.action is Action.DELETE for v in result.done),
            failed=len(result.failed),
            erasures=len(result.erased),
            answers_forgotten=result.answers_forgotten,
        )
        return result

    def _erase(self, request: ErasureRequest, result: RetentionRun) -> None:
        """Carry out one accepted erasure request, in one transaction with its marking."""
        assert request.id is not None  # noqa: S101 - stored requests have ids
        rule = f"erasure request {request.id}"
        service = self.pseudonymisation

        def erase(uow: UnitOfWork, person_id: int, decision: ErasureDecision) -> None:
            try:
                uow.people.get(person_id)
            except NotFound:
                return  # already deleted (by an earlier run): nothing is left to erase
            if decision is ErasureDecision.DELETION:
                service.delete_in(uow, person_id)
            else:
                service.pseudonymise_in(uow, person_id, rule, SYSTEM)

        try:
            with self.store.uow() as uow:
                carry_out_erasure(uow, request.id, self.store.clock.now(), erase)
                uow.commit()
        except DomainError as exc:
            result.failed[request.person_id] = f"{rule}: {exc.message}"
            log.warning("erasure_failed", request_id=request.id, error=exc.kind)
            return
        service.scrub()
        result.erased.append(request.id)
        log.info(
            "erasure_carried_out",
            request_id=request.id,
            person_id=request.person_id,
            decision=str(request.decision),
        )
