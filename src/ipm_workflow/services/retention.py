"""Retention runs: which people are past their rules, and carrying out what the rules say."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.retention import Action, RetentionPolicy, Verdict, decide
from ipm_workflow.services.pseudonymisation import PseudonymisationService

log = structlog.get_logger("ipm_workflow.retention")

BATCH = 500


@dataclass
class RetentionRun:
    """What a run found past its rules, and (unless a dry run) what it did."""

    today: date
    dry_run: bool
    due: list[Verdict]
    done: list[Verdict] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    answers_forgotten: int = 0


class RetentionService:
    """Applies the declared retention rules to every person, on the injected clock's day."""

    def __init__(
        self,
        pseudonymisation: PseudonymisationService,
        policy: RetentionPolicy,
        timezone: str = "Europe/Paris",
    ) -> None:
        self.pseudonymisation = pseudonymisation
        self.store = pseudonymisation.store
        self.policy = policy
        self.timezone = timezone

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
        """Find who is past their rules; unless a dry run, pseudonymise or delete them."""
        today = self.today()
        result = RetentionRun(today, dry_run, self.due(today))
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
            today=today.isoformat(),
            pseudonymised=sum(v.action is Action.PSEUDONYMISE for v in result.done),
            deleted=sum(v.action is Action.DELETE for v in result.done),
            failed=len(result.failed),
            answers_forgotten=result.answers_forgotten,
        )
        return result
