"""Young people: register (warning on probable duplicates), read, update."""

from __future__ import annotations

from litestar import Controller, Response
from litestar.params import FromPath, JSONBody

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.directory_schemas import (
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonSaved,
)


class PeopleController(Controller):
    """Young people, who may have several cases over the years."""

    path = "/api/v1/people"
    tags = ["people"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.PEOPLE_READ)]  # noqa: RUF012 - Litestar's declaration style

    @routes.post("/", "Register a young person", Action.PEOPLE_REGISTER, status_code=201)
    def create(self, call: CallDep, data: JSONBody[PersonIn]) -> Response[PersonSaved]:
        """Register a person; probable duplicates are listed, never refused."""
        given = data.model_dump(exclude_none=True, exclude={"first_name", "last_name"})
        saved = call.container.people.register(
            Person(None, data.first_name, data.last_name, **given), call.actor
        )
        body = PersonSaved.of(saved, flagged(call.container, saved.person))
        return Response(
            body, status_code=201, headers={"Location": f"/api/v1/people/{saved.person.id}"}
        )

    @routes.get("/{person_id:int}", "Read a young person")
    def read(self, call: CallDep, person_id: FromPath[int]) -> PersonOut:
        """A person you may see: with a case in your missions locales, or registered by you."""
        person = call.container.people.get_for(person_id, call.actor)
        return PersonOut.of(person, flagged(call.container, person))

    @routes.patch("/{person_id:int}", "Update a young person", Action.PEOPLE_UPDATE)
    def update(
        self, call: CallDep, person_id: FromPath[int], data: JSONBody[PersonPatch]
    ) -> PersonSaved:
        """Change or correct a person's fields (contact, consent, profile), each change in the
        history of their cases; probable duplicates are listed again."""
        saved = call.container.people.update(
            person_id, data.model_dump(exclude_unset=True), call.actor
        )
        return PersonSaved.of(saved, flagged(call.container, saved.person))


def flagged(container: Container, person: Person) -> bool:
    """Tell whether a person is a minor today with no guardian on file."""
    assert person.id is not None  # noqa: S101 - stored people have ids
    found = container.person_records.minors_without_guardian([person.id], container.cases.today())
    return person.id in found
