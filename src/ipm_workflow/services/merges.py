"""Merging duplicate cases: the duplicate ends merged, its history stays, the person counts once."""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, Document
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor, FireTrigger
from ipm_workflow.services.firing import Firing
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger("ipm_workflow.merges")
MERGE_TRIGGER = "merge"


# Facts of the duplicate case the survivor takes over when it has none of its own.
CARRIED_FIELDS = ("first_contact_date",)
_RECEIVED = frozenset({"received", "validated"})


@dataclass(frozen=True)
class Carried:
    """What the survivor took over from the duplicate."""

    fields: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)


def carry_over(survivor_workflow: Workflow, duplicate: Case, survivor: Case) -> Carried:
    """Copy the duplicate's first contact and received documents the survivor lacks."""
    fields = [
        name
        for name in CARRIED_FIELDS
        if name in survivor_workflow.fields
        and duplicate.data.get(name) is not None
        and survivor.data.get(name) is None
    ]
    survivor.data = {**survivor.data, **{name: duplicate.data[name] for name in fields}}
    documents = [
        doc_type
        for doc_type, doc in duplicate.documents.items()
        if doc.status in _RECEIVED
        and doc_type in survivor_workflow.documents
        and survivor.documents.get(doc_type, Document(doc_type)).status == "missing"
    ]
    survivor.documents = {
        **survivor.documents,
        **{doc_type: duplicate.documents[doc_type] for doc_type in documents},
    }
    return Carried(fields, documents)


@dataclass(frozen=True)
class Merge:
    """The surviving case and the case merged into it."""

    survivor: Case
    merged: Case


class MergeService:
    """Supervisors merge a duplicate case into the case that survives."""

    def __init__(self, store: CaseStore, firing: Firing) -> None:
        self.store = store
        self.firing = firing

    def merge(
        self,
        survivor_id: int,
        duplicate_id: int,
        reason: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> Merge:
        """Fire the workflow's `merge` trigger on the duplicate and record it on the survivor."""
        policy.require(actor, Action.CASES_MERGE)
        if survivor_id == duplicate_id:
            raise invalid_field(
                "a case cannot be merged into itself", "duplicate_id", "same as the survivor"
            )
        store = self.store
        cmd = FireTrigger(
            duplicate_id, MERGE_TRIGGER, {"merged_into": survivor_id}, reason, request_id=request_id
        )

        def work(uow: UnitOfWork) -> Merge:
            survivor, _ = store.load(uow, survivor_id, actor)
            duplicate = self.firing.apply(uow, cmd, actor).case
            now, expected = store.clock.now(), survivor.version
            carried = carry_over(store.workflow_of(survivor).definition, duplicate, survivor)
            fields = store.workflow_of(survivor).definition.fields
            marks = {"merged_from": duplicate_id, "merged_in_on": store.today(now).isoformat()}
            survivor.data = {**survivor.data, **{k: v for k, v in marks.items() if k in fields}}
            survivor.updated_at = now
            # The files the young person sent follow their documents: validated or still to
            # validate, they are the survivor's now (its page, its checklist, its person).
            uploads = uow.uploads.move_to_case(duplicate_id, survivor_id, survivor.person_id)
            payload = {
                "merged_case_id": duplicate_id,
                "reason": reason,
                "person_id": duplicate.person_id,
                "carried": {
                    "data": carried.fields,
                    "documents": carried.documents,
                    **({"uploads": uploads} if uploads else {}),
                },
            }
            change = Change("merged_in", payload, fields=[*carried.fields, *marks])
            store.record(
                uow, survivor, expected, change, actor=actor, now=now, request_id=request_id
            )
            if duplicate.person_id != survivor.person_id:
                # Two records of one young person: the duplicate's now points to the survivor's,
                # so reports count the person once and searches find the survivor.
                person = uow.people.get(duplicate.person_id)
                person.merged_into_id = survivor.person_id
                person.updated_at = now
                uow.people.update(person)
            return Merge(survivor, duplicate)

        merged = store.transaction(work, blind=True)
        store.telemetry.transition(merged.merged.workflow, MERGE_TRIGGER)
        log.info("cases_merged", case_id=survivor_id, merged_case_id=duplicate_id, actor=actor.id)
        return merged
