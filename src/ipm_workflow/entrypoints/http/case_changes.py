"""Changes to a case besides transitions: data fields, documents, moves, suspension, resumption.

Each route takes If-Match (or the body's `version`) and answers the changed case with its ETag;
`change` (case_routes.CaseChange) carries what they share.
"""

from __future__ import annotations

from litestar import Controller, Response
from litestar.params import FromPath, JSONBody

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import case_inputs as inputs
from ipm_workflow.entrypoints.http.case_routes import ChangeDep, changes_case
from ipm_workflow.entrypoints.http.schemas import CaseOut
from ipm_workflow.services import commands

READ = Action.CASES_READ


class CaseChangeController(Controller):
    """Young people's journeys: what changes a case without moving it to another state."""

    path = "/api/v1/cases"
    tags = ["cases"]  # noqa: RUF012 - Litestar reads this class attribute as is
    # Each route's one guard checks reading cases, then its own action (see cases.py).

    @changes_case("PATCH", "/{case_id:int}/data", "Change data fields", READ, Action.CASES_DATA)
    def update_data(
        self, change: ChangeDep, data: JSONBody[inputs.CaseDataPatch]
    ) -> Response[CaseOut]:
        """Change data fields; each change is recorded in the history with old and new value."""
        version = change.expected(data.version)
        command = commands.UpdateData(
            change.case_id, data.changes, data.reason, version, change.request_id
        )
        return change.answer(change.container.cases.update_data(command, change.actor))

    @changes_case(
        "PUT",
        "/{case_id:int}/documents/{document:str}",
        "Record a document",
        READ,
        Action.CASES_DOCUMENT,
    )
    def record_document(
        self, change: ChangeDep, document: FromPath[str], data: JSONBody[inputs.DocumentIn]
    ) -> Response[CaseOut]:
        """Record a document's status and validity dates (recorded in the history)."""
        command = commands.RecordDocument(
            change.case_id,
            document,
            data.status,
            data.valid_from,
            data.valid_until,
            change.expected(data.version),
            change.request_id,
        )
        return change.answer(change.container.cases.record_document(command, change.actor))

    @changes_case(
        "POST",
        "/{case_id:int}/reassignments",
        "Change mission locale or advisor",
        Action.CASES_REASSIGN,
    )
    def reassign(self, change: ChangeDep, data: JSONBody[inputs.ReassignIn]) -> Response[CaseOut]:
        """Move the case to another mission locale or advisor: an event, not a state."""
        command = commands.Reassign(
            change.case_id,
            data.mission_locale_id,
            data.advisor_id,
            data.reason,
            change.expected(data.version),
            change.request_id,
            data.moved_on,
            data.ml_contact_name,
            data.ml_contact_email,
        )
        return change.answer(change.container.cases.reassign(command, change.actor))

    @changes_case("POST", "/{case_id:int}/suspension", "Suspend a case", READ, Action.CASES_SUSPEND)
    def suspend(self, change: ChangeDep, data: JSONBody[inputs.SuspendIn]) -> Response[CaseOut]:
        """Suspend an active case with a reason: it keeps its state, its clock stops."""
        version = change.expected(data.version)
        command = commands.Suspend(change.case_id, data.reason, version, change.request_id)
        return change.answer(change.container.cases.suspend(command, change.actor))

    @changes_case(
        "POST", "/{case_id:int}/resumption", "Resume a suspended case", READ, Action.CASES_SUSPEND
    )
    def resume(self, change: ChangeDep, data: JSONBody[inputs.ResumeIn]) -> Response[CaseOut]:
        """Resume a suspended case: its deadline moves later by the time it was suspended."""
        version = change.expected(data.version)
        command = commands.Resume(change.case_id, data.reason, version, change.request_id)
        return change.answer(change.container.cases.resume(command, change.actor))
