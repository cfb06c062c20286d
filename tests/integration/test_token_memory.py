"""A token found valid moments ago is answered from memory, without reading the database."""

from __future__ import annotations

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User


class TestRememberedTokens:
    """TokenService.remembered: what the HTTP edge answers on the event loop."""

    def test_only_a_token_authenticated_moments_ago(
        self, container: Container, directory: dict[str, User], clock: ManualClock
    ) -> None:
        """Unknown until authenticated; remembered then; forgotten after the delay."""
        tokens = container.tokens
        issued = tokens.issue("advisor.a", days=1)
        before = tokens.remembered(issued.token)
        user = tokens.authenticate(issued.token)
        during = tokens.remembered(issued.token)
        clock.advance(tokens.remember * 2)
        after = tokens.remembered(issued.token)
        expected = (None, "advisor.a", "advisor.a", None)
        assert expected == (
            before,
            user.username if user else None,
            during.username if during else None,
            after,
        )

    def test_a_revocation_is_forgotten_at_once(
        self, container: Container, directory: dict[str, User]
    ) -> None:
        """After a revocation in this process neither path accepts the token."""
        tokens = container.tokens
        issued = tokens.issue("advisor.a", days=1)
        tokens.authenticate(issued.token)
        tokens.revoke(issued.record.id)
        expected = (None, None)
        assert expected == (tokens.remembered(issued.token), tokens.authenticate(issued.token))

    def test_not_a_token_at_all(self, container: Container) -> None:
        """A value without the token prefix is never looked up."""
        expected = (None, None)
        assert expected == (container.tokens.remembered("x"), container.tokens.authenticate("x"))
