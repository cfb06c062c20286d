"""Case records: data fields, documents, reassignments, history and its verification."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain.cases import Case, Document, HistoryEntry
from ipm_workflow.domain.chain import ChainReport, verify_chain
from ipm_workflow.domain.engine import CompiledWorkflow
from ipm_workflow.domain.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.domain.values import coerce
from ipm_workflow.services.commands import (
    Actor,
    Reassign,
    RecordDocument,
    UpdateData,
)
from ipm_workflow.services.history import chain_entry
from ipm_workflow.services.ports import (
    AuditQuery,
    Clock,
    UnitOfWork,
    UnitOfWorkFactory,
)
from ipm_workflow.services.reminders import reconcile
from ipm_workflow.services.telemetry import NO_TELEMETRY, Telemetry

log = structlog.get_logger("ipm_workflow.cases")


class CaseRecords:
    """What the case services share, and every change to a case that is not a transition."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        registry: WorkflowRegistry,
        clock: Clock,
        timezone: str = "Europe/Paris",
    ) -> None:
        self.uow = uow
        self.registry = registry
        self.clock = clock
        self.tz = ZoneInfo(timezone)
        # Replaced by the HTTP app when metrics are on (see adapters/metrics.py).
        self.telemetry: Telemetry = NO_TELEMETRY

    def today(self, now: datetime | None = None) -> date:
        """Return the calendar day at Ipm (Europe/Paris by default)."""
        return (now or self.clock.now()).astimezone(self.tz).date()

    def _load(self, uow: UnitOfWork, case_id: int, actor: Actor) -> tuple[Case, date | None]:
        case, birth_date = uow.cases.get(case_id)
        if not actor.sees(case.mission_locale_id):
            # Same answer as a missing case: another mission locale's cases do not exist for you.
            raise NotFound(f"case {case_id} not found")
        return case, birth_date

    @staticmethod
    def _expect(case: Case, expected: int | None) -> None:
        if expected is not None and expected != case.version:
            assert case.id is not None  # noqa: S101 - loaded cases have ids
            raise VersionConflict(case.id, expected, case.version)

    def workflow_of(self, case: Case) -> CompiledWorkflow:
        """Return the workflow version a case is pinned to."""
        return self.registry.get(case.workflow, case.workflow_version)

    @staticmethod
    def _coerce(fields: Any, raw: Any, prefix: str) -> dict[str, Any]:
        errors, values = [], {}
        for name, value in raw.items():
            if name not in fields:
                errors.append({"field": f"{prefix}.{name}", "message": f"unknown field '{name}'"})
                continue
            try:
                values[name] = coerce(fields[name], value)
            except ValueError as exc:
                errors.append({"field": f"{prefix}.{name}", "message": str(exc)})
        if errors:
            raise InvalidInput("invalid case data", errors)
        return values

    def update_data(self, cmd: UpdateData, actor: Actor) -> Case:
        """Change data fields outside a transition; each change lands in the history."""
        with self.uow() as uow:
            case, _ = self._load(uow, cmd.case_id, actor)
            self._expect(case, cmd.expected_version)
            values = self._coerce(self.workflow_of(case).definition.fields, cmd.changes, "changes")
            changes = {k: [case.data.get(k), v] for k, v in values.items() if case.data.get(k) != v}
            if not changes:
                return case
            now, expected = self.clock.now(), case.version
            case.data = {**case.data, **values}
            case.updated_at = now
            payload: dict[str, Any] = {"changes": changes}
            if cmd.reason:
                payload["reason"] = cmd.reason
            definition = self.workflow_of(case).definition
            if definition.anchor_fields & set(changes):
                planned = reconcile(uow, definition, case, now, self.tz)
                if planned:
                    payload["reminders"] = planned
            entry = chain_entry(
                case, actor, kind="data_changed", at=now, request_id=cmd.request_id, payload=payload
            )
            uow.cases.update(case, expected)
            uow.history.append(entry)
            uow.commit()
        log.info("case_data_changed", case_id=case.id, fields=sorted(changes), actor=actor.id)
        return case

    def record_document(self, cmd: RecordDocument, actor: Actor) -> Case:
        """Record a document's status and validity dates; validation is signed by the actor."""
        with self.uow() as uow:
            case, _ = self._load(uow, cmd.case_id, actor)
            self._expect(case, cmd.expected_version)
            declared = self.workflow_of(case).definition.documents
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
            if cmd.valid_from and cmd.valid_until and cmd.valid_from > cmd.valid_until:
                raise InvalidInput(
                    "invalid validity dates",
                    [{"field": "valid_until", "message": "must be on or after valid_from"}],
                )
            now, expected = self.clock.now(), case.version
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
            entry = chain_entry(
                case,
                actor,
                kind="document",
                at=now,
                request_id=cmd.request_id,
                payload={"document": cmd.document, "old": old.as_dict(), "new": document.as_dict()},
            )
            uow.cases.update(case, expected)
            uow.history.append(entry)
            uow.commit()
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
        with self.uow() as uow:
            case, _ = self._load(uow, cmd.case_id, actor)
            self._expect(case, cmd.expected_version)
            changes: dict[str, list[Any]] = {}
            if cmd.mission_locale_id and cmd.mission_locale_id != case.mission_locale_id:
                uow.directory.mission_locale(cmd.mission_locale_id)
                if not actor.sees(cmd.mission_locale_id):
                    raise Forbidden(f"you do not work for mission locale '{cmd.mission_locale_id}'")
                changes["mission_locale_id"] = [case.mission_locale_id, cmd.mission_locale_id]
                case.mission_locale_id = cmd.mission_locale_id
            if cmd.advisor_id is not None and cmd.advisor_id != case.advisor_id:
                uow.directory.user(cmd.advisor_id)
                changes["advisor_id"] = [case.advisor_id, cmd.advisor_id]
                case.advisor_id = cmd.advisor_id
            if not changes:
                return case
            now, expected = self.clock.now(), case.version
            case.updated_at = now
            payload: dict[str, Any] = {"changes": changes}
            if cmd.reason:
                payload["reason"] = cmd.reason
            entry = chain_entry(
                case, actor, kind="reassigned", at=now, request_id=cmd.request_id, payload=payload
            )
            uow.cases.update(case, expected)
            uow.history.append(entry)
            uow.commit()
        log.info("case_reassigned", case_id=case.id, fields=sorted(changes), actor=actor.id)
        return case

    def history(self, case_id: int, actor: Actor) -> list[HistoryEntry]:
        """Return a case's history in order."""
        with self.uow(readonly=True) as uow:
            self._load(uow, case_id, actor)
            return uow.history.for_case(case_id)

    def audit(self, query: AuditQuery) -> list[HistoryEntry]:
        """Search history entries across cases (supervisors)."""
        with self.uow(readonly=True) as uow:
            return uow.history.search(query)

    def verify(self, case_ids: Iterable[int] | None = None) -> list[ChainReport]:
        """Recompute the hash chain of some cases (all when none are named)."""
        with self.uow(readonly=True) as uow:
            ids = list(case_ids) if case_ids is not None else uow.cases.ids()
            reports = []
            for case_id in ids:
                case, _ = uow.cases.get(case_id)
                entries = uow.history.for_case(case_id)
                head = (case.history_seq, case.history_head)
                reports.append(verify_chain(case_id, entries, case.state, head))
        return reports
