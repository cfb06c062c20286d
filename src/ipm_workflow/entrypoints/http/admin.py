"""Admins: users and their API tokens."""

from __future__ import annotations

from litestar import Controller, Response
from litestar.params import FromPath, JSONBody

from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ContainerDep
from ipm_workflow.entrypoints.http.directory_schemas import (
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.services.ports import TokenRecord


def _token(record: TokenRecord, token: str | None = None) -> TokenOut:
    return from_attributes(TokenOut, record, token=token)


class AdminController(Controller):
    """Users and tokens; tokens are shown once and stored as hashes."""

    path = "/api/v1/admin"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.DIRECTORY)]  # noqa: RUF012 - Litestar's declaration style

    @routes.post("/users", "Create a user", status_code=201)
    def add_user(self, container: ContainerDep, data: JSONBody[UserIn]) -> Response[UserOut]:
        """Create an advisor, supervisor or admin."""
        user = container.people.add_user(
            data.username, data.display_name, data.role, data.mission_locales
        )
        return Response(UserOut.of(user), status_code=201)

    @routes.get("/users/{username:str}", "Read a user")
    def read_user(self, container: ContainerDep, username: FromPath[str]) -> UserOut:
        """Return a user."""
        return UserOut.of(container.people.user_by_name(username))

    @routes.post("/users/{username:str}/tokens", "Issue a token", status_code=201)
    def issue(
        self, container: ContainerDep, username: FromPath[str], data: JSONBody[TokenIn]
    ) -> Response[TokenOut]:
        """Issue a token; its value appears in this answer only."""
        issued = container.tokens.issue(username, data.days, data.label or "")
        return Response(_token(issued.record, issued.token), status_code=201)

    @routes.get("/users/{username:str}/tokens", "List a user's tokens")
    def tokens(self, container: ContainerDep, username: FromPath[str]) -> list[TokenOut]:
        """A user's tokens, without their values."""
        _, records = container.tokens.tokens_of(username)
        return [_token(r) for r in records]

    @routes.delete("/tokens/{token_id:int}", "Revoke a token")
    def revoke(self, container: ContainerDep, token_id: FromPath[int]) -> None:
        """Revoke a token at once."""
        if not container.tokens.revoke(token_id):
            raise NotFound(f"no active token {token_id}")
