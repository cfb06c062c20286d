"""Staff passwords from the command line: set or reset, deactivate; the sessions they end."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import Result

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User

Cli = Callable[..., Result]


class TestPasswordCommands:
    """`ipm-workflow users set-password | deactivate | activate`."""

    def test_set_password_then_sign_in(
        self, cli: Cli, container: Container, directory: dict[str, User]
    ) -> None:
        """A password set by the operator opens a session; a reset ends it."""
        done = cli("users", "set-password", "advisor.a", "--password", "first-password-1")
        assert done.exit_code == 0, done.output
        session = container.accounts.sign_in("advisor.a", "first-password-1")
        assert session is not None
        assert session.cookie is not None
        cli("users", "set-password", "advisor.a", "--password", "second-password-2")
        assert container.accounts.session(session.cookie) is None
        assert container.accounts.sign_in("advisor.a", "first-password-1") is None

    def test_short_password_is_refused(self, cli: Cli, directory: dict[str, User]) -> None:
        """A password under 10 characters is refused with a non-zero exit."""
        done = cli("users", "set-password", "advisor.a", "--password", "short")
        assert done.exit_code != 0

    def test_deactivation_ends_sessions_and_sign_in(
        self, cli: Cli, container: Container, directory: dict[str, User]
    ) -> None:
        """A deactivated user's session ends and they cannot sign in; activation restores it."""
        container.accounts.set_password("advisor.a", "first-password-1")
        session = container.accounts.sign_in("advisor.a", "first-password-1")
        assert session is not None
        assert session.cookie is not None
        assert cli("users", "deactivate", "advisor.a").exit_code == 0
        assert container.accounts.session(session.cookie) is None
        assert container.accounts.sign_in("advisor.a", "first-password-1") is None
        assert cli("users", "activate", "advisor.a").exit_code == 0
        assert container.accounts.sign_in("advisor.a", "first-password-1") is not None
