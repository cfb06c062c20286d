"""Case records: data fields, documents, reassignments, history and its verification."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, Document, HistoryEntry
from ipm_workflow.domain.chain import ChainReport, verify_chain
from ipm_workflow.domain.errors import Forbidden, InvalidInput
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.attribution_ports import Move
from ipm_workflow.services.case_ports import AuditQuery
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import (
    Actor,
    Reassign,
    RecordDocument,
    UpdateData,
    check_validity,
)
from ipm_workflow.services.ports import UnitOfWork

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
        case = self.store.transaction(
            lambda uow: self.record_document_in(uow, cmd, actor),
            blind=cmd.expected_version is None,
        )
        log.info(
            "document_recorded",
            case_id=case.id,
            document=cmd.document,
            status=cmd.status,
            actor=actor.id,
        )
        return case

    def record_document_in(
        self,
        uow: UnitOfWork,
        cmd: RecordDocument,
        actor: Actor,
        source: dict[str, Any] | None = None,
    ) -> Case:
        """Record a document inside a unit of work the caller owns (an upload's validation).

        `source` joins the history entry's payload (the upload the document comes from).
        """
        policy.require(actor, Action.CASES_DOCUMENT)
        store = self.store
        check_validity(cmd.valid_from, cmd.valid_until)
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
            Change("document", {**payload, **(source or {})}),
            actor=actor,
            now=now,
            request_id=cmd.request_id,
        )
        return case

    def reassign(self, cmd: Reassign, actor: Actor) -> Case:
        """Change the mission locale or advisor of a case: an event, not a state."""
        case, changes = self.store.transaction(
            lambda uow: self.reassign_in(uow, cmd, actor), blind=cmd.expected_version is None
        )
        if changes:
            log.info("case_reassigned", case_id=case.id, fields=sorted(changes), actor=actor.id)
        return case

    def reassign_in(
        self, uow: UnitOfWork, cmd: Reassign, actor: Actor
    ) -> tuple[Case, dict[str, list[Any]]]:
        """Reassign inside a unit of work the caller owns (bulk reassignment of staff who leave).

        A move to another mission locale is recorded as a move (from, to, date, reason): the
        referring mission locale stays on the case, the new one sees it from then on, and the
        old mission locale's advisor is no longer its contact unless the command names one.
        """
        policy.require(actor, Action.CASES_REASSIGN)
        store = self.store
        case, _ = store.load(uow, cmd.case_id, actor)
        store.expect(case, cmd.expected_version)
        now = store.clock.now()
        changes: dict[str, list[Any]] = {}
        payload: dict[str, Any] = {}
        if cmd.mission_locale_id and cmd.mission_locale_id != case.mission_locale_id:
            uow.directory.mission_locale(cmd.mission_locale_id)
            if not policy.reaches(actor, cmd.mission_locale_id):
                raise Forbidden(f"you do not work for mission locale '{cmd.mission_locale_id}'")
            moved_on = cmd.moved_on or store.today(now)
            assert case.id is not None  # noqa: S101 - loaded cases have ids
            uow.attribution.record_move(
                Move(
                    case.id,
                    case.mission_locale_id,
                    cmd.mission_locale_id,
                    moved_on,
                    cmd.reason,
                    now,
                    actor.id,
                )
            )
            changes["mission_locale_id"] = [case.mission_locale_id, cmd.mission_locale_id]
            payload["moved_on"] = moved_on.isoformat()
            case.referring_mission_locale_id = case.referring_mission_locale
            case.mission_locale_id = cmd.mission_locale_id
            case.ml_contact_name = case.ml_contact_email = None
        if cmd.advisor_id is not None and cmd.advisor_id != case.advisor_id:
            if not uow.directory.user(cmd.advisor_id).active:
                raise invalid_field(
                    "inactive advisor", "advisor_id", "this user has been deactivated"
                )
            changes["advisor_id"] = [case.advisor_id, cmd.advisor_id]
            case.advisor_id = cmd.advisor_id
        contact = (cmd.ml_contact_name, cmd.ml_contact_email)
        if any(contact) and contact != (case.ml_contact_name, case.ml_contact_email):
            # Names and addresses stay out of the history (it is hashed and kept for audits).
            payload["ml_contact"] = "changed"
            case.ml_contact_name, case.ml_contact_email = contact
        if not changes and not payload:
            return case, changes
        expected = case.version
        case.updated_at = now
        change = Change("reassigned", _with_reason({"changes": changes, **payload}, cmd.reason))
        store.record(uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id)
        return case, {**changes, **{key: [] for key in payload}}

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
