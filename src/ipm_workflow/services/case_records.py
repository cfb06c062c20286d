"""Case records: data fields, documents, reassignments, history and its verification."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, Document, HistoryEntry
from ipm_workflow.domain.chain import ChainReport, verify_chain
from ipm_workflow.domain.errors import Forbidden, InvalidInput
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor, Reassign, RecordDocument, UpdateData
from ipm_workflow.services.ports import AuditQuery, UnitOfWork

log = structlog.get_logger("ipm_workflow.cases")


def _with_reason(payload: dict[str, Any], reason: str | None) -> dict[str, Any]:
    return {**payload, "reason": reason} if reason else payload


class CaseRecords:
    """Every change to a case that is not a transition, and reading the history."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    def update_data(self, cmd: UpdateData, actor: Actor) -> Case:
        """Change data fields outside a transition; each change lands in the history.

        Without an expected version the change applies to the case as it is when written: a
        concurrent change to other fields is not an error (the read is retried).
        """
        policy.require(actor, Action.CASES_DATA)
        store = self.store

        def work(uow: UnitOfWork) -> tuple[Case, list[str]]:
            case, _ = store.load(uow, cmd.case_id, actor)
            store.expect(case, cmd.expected_version)
            fields = store.workflow_of(case).definition.fields
            values = store.coerce(fields, cmd.changes, "changes")
            changes = {k: [case.data.get(k), v] for k, v in values.items() if case.data.get(k) != v}
            if not changes:
                return case, []
            now, expected = store.clock.now(), case.version
            case.data = {**case.data, **values}
            case.updated_at = now
            change = Change(
                "data_changed", _with_reason({"changes": changes}, cmd.reason), fields=changes
            )
            store.record(
                uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id
            )
            return case, sorted(changes)

        case, fields = store.transaction(work, blind=cmd.expected_version is None)
        if fields:
            log.info("case_data_changed", case_id=case.id, fields=fields, actor=actor.id)
        return case

    def record_document(self, cmd: RecordDocument, actor: Actor) -> Case:
        """Record a document's status and validity dates; validation is signed by the actor."""
        policy.require(actor, Action.CASES_DOCUMENT)
        store = self.store
        if cmd.valid_from and cmd.valid_until and cmd.valid_from > cmd.valid_until:
            raise InvalidInput(
                "invalid validity dates",
                [{"field": "valid_until", "message": "must be on or after valid_from"}],
            )

        def work(uow: UnitOfWork) -> Case:
            case, _ = store.load(uow, cmd.case_id, actor)
            store.expect(case, cmd.expected_version)
            declared = store.workflow_of(case).definition.documents
            if cmd.document not in declared:
                raise InvalidInput(
                    "unknown document",
                    [
                        {
                            "field": "document",
                            "message": f"'{cmd.document}' is not in this workflow's checklist: "
                            f"{', '.join(declared)}",
                        }
                    ],
                )
            now, expected = store.clock.now(), case.version
            validated = cmd.status == "validated"
            document = Document(
                cmd.document,
                cmd.status,
                cmd.valid_from,
                cmd.valid_until,
                actor.id if validated else None,
                now if validated else None,
            )
            old = case.documents.get(cmd.document, Document(cmd.document))
            case.documents = {**case.documents, cmd.document: document}
            case.updated_at = now
            payload = {"document": cmd.document, "old": old.as_dict(), "new": document.as_dict()}
            store.record(
                uow,
                case,
                expected,
                Change("document", payload),
                actor=actor,
                now=now,
                request_id=cmd.request_id,
            )
            return case

        case = store.transaction(work, blind=cmd.expected_version is None)
        log.info(
            "document_recorded",
            case_id=case.id,
            document=cmd.document,
            status=cmd.status,
            actor=actor.id,
        )
        return case

    def reassign(self, cmd: Reassign, actor: Actor) -> Case:
        """Change the mission locale or advisor of a case: an event, not a state."""
        policy.require(actor, Action.CASES_REASSIGN)
        store = self.store

        def work(uow: UnitOfWork) -> tuple[Case, dict[str, list[Any]]]:
            case, _ = store.load(uow, cmd.case_id, actor)
            store.expect(case, cmd.expected_version)
            changes: dict[str, list[Any]] = {}
            if cmd.mission_locale_id and cmd.mission_locale_id != case.mission_locale_id:
                uow.directory.mission_locale(cmd.mission_locale_id)
                if not policy.reaches(actor, cmd.mission_locale_id):
                    raise Forbidden(f"you do not work for mission locale '{cmd.mission_locale_id}'")
                changes["mission_locale_id"] = [case.mission_locale_id, cmd.mission_locale_id]
                case.mission_locale_id = cmd.mission_locale_id
            if cmd.advisor_id is not None and cmd.advisor_id != case.advisor_id:
                uow.directory.user(cmd.advisor_id)
                changes["advisor_id"] = [case.advisor_id, cmd.advisor_id]
                case.advisor_id = cmd.advisor_id
            if not changes:
                return case, changes
            now, expected = store.clock.now(), case.version
            case.updated_at = now
            change = Change("reassigned", _with_reason({"changes": changes}, cmd.reason))
            store.record(
                uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id
            )
            return case, changes

        case, changes = store.transaction(work, blind=cmd.expected_version is None)
        if changes:
            log.info("case_reassigned", case_id=case.id, fields=sorted(changes), actor=actor.id)
        return case

    def history(self, case_id: int, actor: Actor) -> list[HistoryEntry]:
        """Return a case's history in order."""
        policy.require(actor, Action.CASES_READ)
        with self.store.uow(readonly=True) as uow:
            self.store.load(uow, case_id, actor)
            return uow.history.for_case(case_id)

    def audit(self, query: AuditQuery) -> list[HistoryEntry]:
        """Search history entries across cases (supervisors)."""
        with self.store.uow(readonly=True) as uow:
            return uow.history.search(query)

    def verify(self, case_ids: Iterable[int] | None = None) -> list[ChainReport]:
        """Recompute the hash chain of some cases (all when none are named)."""
        with self.store.uow(readonly=True) as uow:
            ids = list(case_ids) if case_ids is not None else uow.cases.ids()
            reports = []
            for case_id in ids:
                case, _ = uow.cases.get(case_id)
                entries = uow.history.for_case(case_id)
                head = (case.history_seq, case.history_head)
                reports.append(verify_chain(case_id, entries, case.state, head))
        return reports
