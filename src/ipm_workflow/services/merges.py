"""Merging duplicate cases: the duplicate ends merged, its history stays, the person counts once."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import Forbidden, InvalidInput
from ipm_workflow.services.commands import Actor, FireTrigger
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.history import chain_entry

log = structlog.get_logger("ipm_workflow.merges")
MERGE_TRIGGER = "merge"


@dataclass(frozen=True)
class Merge:
    """The surviving case and the case merged into it."""

    survivor: Case
    merged: Case


class MergeService:
    """Supervisors merge a duplicate case into the case that survives."""

    def __init__(self, cases: CaseService) -> None:
        self.cases = cases

    def merge(
        self,
        survivor_id: int,
        duplicate_id: int,
        reason: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> Merge:
        """Fire the workflow's `merge` trigger on the duplicate and record it on the survivor."""
        if actor.role != "supervisor":
            raise Forbidden("only a supervisor merges cases")
        if survivor_id == duplicate_id:
            raise InvalidInput(
                "a case cannot be merged into itself",
                [{"field": "duplicate_id", "message": "same as the survivor"}],
            )
        cases = self.cases
        with cases.uow() as uow:
            survivor, _ = uow.cases.get(survivor_id)
            fired = cases.fire_in(
                uow,
                FireTrigger(
                    duplicate_id,
                    MERGE_TRIGGER,
                    {"merged_into": survivor_id},
                    reason,
                    request_id=request_id,
                ),
                actor,
            )
            duplicate = fired.case
            now = cases.clock.now()
            expected = survivor.version
            survivor.updated_at = now
            entry = chain_entry(
                survivor,
                actor,
                kind="merged_in",
                at=now,
                request_id=request_id,
                payload={
                    "merged_case_id": duplicate_id,
                    "reason": reason,
                    "person_id": duplicate.person_id,
                },
            )
            uow.cases.update(survivor, expected)
            uow.history.append(entry)
            if duplicate.person_id != survivor.person_id:
                # Two records of one young person: the duplicate's now points to the survivor's,
                # so reports count the person once.
                person = uow.people.get(duplicate.person_id)
                person.merged_into_id = survivor.person_id
                person.updated_at = now
                uow.people.update(person)
            uow.commit()
        cases.telemetry.transition(duplicate.workflow, MERGE_TRIGGER)
        log.info("cases_merged", case_id=survivor_id, merged_case_id=duplicate_id, actor=actor.id)
        return Merge(survivor, duplicate)
