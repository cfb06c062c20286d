"""A young person's legal guardians and sensitive data (need-to-know, every read recorded)."""

from __future__ import annotations

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.http.people_schemas import (
    GuardianIn,
    GuardianOut,
    GuardianPatch,
    SensitiveIn,
    SensitiveOut,
)
from ipm_workflow.entrypoints.http.routes import route


class GuardianController(Controller):
    """Legal guardians: they receive what the workflow addresses to `guardian` while the young
    person is a minor on the day a message goes out."""

    path = "/api/v1/people/{person_id:int}/guardians"
    tags = ["people"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.PEOPLE_READ)]  # noqa: RUF012 - Litestar's declaration style

    @route("GET", "/", "List a person's guardians")
    def list_guardians(
        self, container: ContainerDep, actor: ActorDep, person_id: FromPath[int]
    ) -> list[GuardianOut]:
        """The guardians of a person you may see, parental authority first."""
        return [GuardianOut.of(g) for g in container.person_records.guardians(person_id, actor)]

    @route("POST", "/", "Record a guardian", Action.PEOPLE_UPDATE)
    def add_guardian(
        self,
        container: ContainerDep,
        actor: ActorDep,
        person_id: FromPath[int],
        data: JSONBody[GuardianIn],
    ) -> GuardianOut:
        """Record a guardian (an e-mail or a phone at least); in the history of the cases."""
        added = container.person_records.add_guardian(person_id, data.model_dump(), actor)
        return GuardianOut.of(added)

    @route("PATCH", "/{guardian_id:int}", "Correct a guardian", Action.PEOPLE_UPDATE)
    def update_guardian(
        self,
        container: ContainerDep,
        actor: ActorDep,
        person_id: FromPath[int],
        guardian_id: FromPath[int],
        data: JSONBody[GuardianPatch],
    ) -> GuardianOut:
        """Correct a guardian's fields; a change of consent is dated (now, unless given)."""
        try:
            changes = data.changes()
        except ValueError as exc:
            raise InvalidInput(str(exc), [{"field": "body", "message": str(exc)}]) from None
        updated = container.person_records.update_guardian(person_id, guardian_id, changes, actor)
        return GuardianOut.of(updated)

    @route("DELETE", "/{guardian_id:int}", "Remove a guardian", Action.PEOPLE_UPDATE)
    def remove_guardian(
        self,
        container: ContainerDep,
        actor: ActorDep,
        person_id: FromPath[int],
        guardian_id: FromPath[int],
    ) -> None:
        """Remove a guardian; a minor left without one is flagged and their advisor hears."""
        container.person_records.remove_guardian(person_id, guardian_id, actor)


class SensitiveController(Controller):
    """Sensitive data, apart: only roles the access policy grants; each read is recorded."""

    path = "/api/v1/people/{person_id:int}/sensitive"
    tags = ["people"]  # noqa: RUF012 - Litestar reads this class attribute as is

    @route("GET", "/", "Read a person's sensitive data (recorded)")
    def read_sensitive(
        self,
        container: ContainerDep,
        actor: ActorDep,
        person_id: FromPath[int],
        case_id: FromQuery[int | None] = None,
    ) -> SensitiveOut:
        """Your read is recorded (who, when, which person and case)."""
        read = container.person_records.sensitive(
            person_id, actor, case_id, entry_point="api:GET /api/v1/people/{id}/sensitive"
        )
        return SensitiveOut.of(read)

    @route("PUT", "/", "Replace a person's sensitive data", Action.WRITE_SENSITIVE)
    def put_sensitive(
        self,
        container: ContainerDep,
        actor: ActorDep,
        person_id: FromPath[int],
        data: JSONBody[SensitiveIn],
    ) -> SensitiveOut:
        """Replace the whole record; the history of the cases says only that it changed."""
        saved = container.person_records.put_sensitive(person_id, data.model_dump(), actor)
        return SensitiveOut.of(saved)
