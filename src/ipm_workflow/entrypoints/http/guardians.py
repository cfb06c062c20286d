"""A young person's legal guardians and sensitive data (need-to-know, every read recorded)."""

from __future__ import annotations

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.people_schemas import (
    GuardianIn,
    GuardianOut,
    GuardianPatch,
    SensitiveIn,
    SensitiveOut,
)


class GuardianController(Controller):
    """Legal guardians: they receive what the workflow addresses to `guardian` while the young
    person is a minor on the day a message goes out."""

    path = "/api/v1/people/{person_id:int}/guardians"
    tags = ["people"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.PEOPLE_READ)]  # noqa: RUF012 - Litestar's declaration style

    @routes.get("/", "List a person's guardians")
    def list_guardians(self, call: CallDep, person_id: FromPath[int]) -> list[GuardianOut]:
        """The guardians of a person you may see, parental authority first."""
        return [
            GuardianOut.of(g)
            for g in call.container.person_records.guardians(person_id, call.actor)
        ]

    @routes.post("/", "Record a guardian", Action.PEOPLE_UPDATE, status_code=201)
    def add_guardian(
        self, call: CallDep, person_id: FromPath[int], data: JSONBody[GuardianIn]
    ) -> GuardianOut:
        """Record a guardian (an e-mail or a phone at least); in the history of the cases."""
        added = call.container.person_records.add_guardian(person_id, data.model_dump(), call.actor)
        return GuardianOut.of(added)

    @routes.patch("/{guardian_id:int}", "Correct a guardian", Action.PEOPLE_UPDATE)
    def update_guardian(
        self,
        call: CallDep,
        person_id: FromPath[int],
        guardian_id: FromPath[int],
        data: JSONBody[GuardianPatch],
    ) -> GuardianOut:
        """Correct a guardian's fields; a change of consent is dated (now, unless given)."""
        try:
            changes = data.changes()
        except ValueError as exc:
            raise InvalidInput(str(exc), [{"field": "body", "message": str(exc)}]) from None
        updated = call.container.person_records.update_guardian(
            person_id, guardian_id, changes, call.actor
        )
        return GuardianOut.of(updated)

    @routes.delete("/{guardian_id:int}", "Remove a guardian", Action.PEOPLE_UPDATE)
    def remove_guardian(
        self, call: CallDep, person_id: FromPath[int], guardian_id: FromPath[int]
    ) -> None:
        """Remove a guardian; a minor left without one is flagged and their advisor hears."""
        call.container.person_records.remove_guardian(person_id, guardian_id, call.actor)


class SensitiveController(Controller):
    """Sensitive data, apart: only roles the access policy grants; each read is recorded."""

    path = "/api/v1/people/{person_id:int}/sensitive"
    tags = ["people"]  # noqa: RUF012 - Litestar reads this class attribute as is

    @routes.get("/", "Read a person's sensitive data (recorded)")
    def read_sensitive(
        self, call: CallDep, person_id: FromPath[int], case_id: FromQuery[int | None] = None
    ) -> SensitiveOut:
        """Your read is recorded (who, when, which person and case)."""
        read = call.container.person_records.sensitive(
            person_id, call.actor, case_id, entry_point="api:GET /api/v1/people/{id}/sensitive"
        )
        return SensitiveOut.of(read)

    @routes.put("/", "Replace a person's sensitive data", Action.WRITE_SENSITIVE)
    def put_sensitive(
        self, call: CallDep, person_id: FromPath[int], data: JSONBody[SensitiveIn]
    ) -> SensitiveOut:
        """Replace the whole record; the history of the cases says only that it changed."""
        saved = call.container.person_records.put_sensitive(
            person_id, data.model_dump(), call.actor
        )
        return SensitiveOut.of(saved)
