"""Who may do what from the console: the same policy as the API, as a user (--as) or operator."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from typer.testing import Result

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from ipm_workflow.services.commands import Actor

Cli = Callable[..., Result]
# Callers, in the order they act on the same case: the case's own advisor last, so that what
# the others attempt is judged on the untouched case.
CALLERS = {
    "advisor_b": "advisor.b",
    "supervisor": "super",
    "operator": None,
    "advisor_a": "advisor.a",
}
OK, HIDDEN, FORBIDDEN = "ok", "not-found", "forbidden"

# command (with {c} for the case id) -> what each caller gets
MATRIX: dict[str, dict[str, str]] = {
    "cases show {c}": {"advisor_a": OK, "advisor_b": HIDDEN, "supervisor": OK, "operator": OK},
    "cases actions {c}": {"advisor_a": OK, "advisor_b": HIDDEN, "supervisor": OK, "operator": OK},
    "cases history {c}": {"advisor_a": OK, "advisor_b": HIDDEN, "supervisor": OK, "operator": OK},
    "cases fire {c} log_first_contact -i first_contact_date=2026-01-05": {
        "advisor_a": OK,
        "advisor_b": HIDDEN,
        "supervisor": "role-not-allowed",  # the workflow does not grant this to supervisors
        "operator": FORBIDDEN,
    },
    "cases set {c} travel_booked=yes": {
        "advisor_a": OK,
        "advisor_b": HIDDEN,
        "supervisor": FORBIDDEN,
        "operator": FORBIDDEN,
    },
    "cases document {c} identity --status received": {
        "advisor_a": OK,
        "advisor_b": HIDDEN,
        "supervisor": FORBIDDEN,
        "operator": FORBIDDEN,
    },
    "people add --first-name Dominique --last-name Autre": {
        "advisor_a": OK,
        "advisor_b": OK,
        "supervisor": FORBIDDEN,
        "operator": OK,
    },
}


def _outcome(result: Result) -> str:
    """'ok' for exit 0, else the problem kind the CLI printed."""
    if result.exit_code == 0:
        return OK
    found = re.search(r"error \(([a-z-]+)\)", result.stderr)
    return found.group(1) if found else f"exit {result.exit_code}: {result.stderr}"


class TestCliMatrix:
    """Every command × every caller, through `--as` or as the console operator."""

    @pytest.mark.parametrize("command", list(MATRIX))
    def test_outcomes(
        self, cli: Cli, case_id: int, directory: dict[str, User], command: str
    ) -> None:
        """Each caller gets what the access policy says, as over HTTP."""
        args = command.format(c=case_id).split()
        actual = {}
        for caller, username in CALLERS.items():
            as_user = ["--as", username] if username else []
            actual[caller] = _outcome(cli(*args, *as_user))
        expected = MATRIX[command]
        assert expected == actual


class TestActingAs:
    """Nobody acts in a role their account does not allow."""

    def test_an_advisor_cannot_claim_the_supervisor_role(
        self, cli: Cli, case_id: int, directory: dict[str, User]
    ) -> None:
        """--role supervisor with an advisor's --as is refused before anything runs."""
        result = cli("cases", "show", str(case_id), "--as", "advisor.a", "--role", "supervisor")
        expected = (1, FORBIDDEN)
        assert expected == (result.exit_code, _outcome(result))

    def test_the_operator_has_one_role(self, cli: Cli, case_id: int) -> None:
        """--role without --as is refused: the operator is never an advisor by accident."""
        result = cli("cases", "fire", str(case_id), "log_first_contact",
                     "-i", "first_contact_date=2026-01-05", "--role", "advisor")  # fmt: skip
        expected = (1, FORBIDDEN)
        assert expected == (result.exit_code, _outcome(result))

    def test_the_operator_is_recorded_as_such(
        self, cli: Cli, container: Container, directory: dict[str, User]
    ) -> None:
        """A person the operator registers is signed by the operator's reference."""
        result = cli("people", "add", "--first-name", "Sam", "--last-name", "Console")
        person_id = int(result.stdout.split()[1])
        supervisor = Actor.of(directory["supervisor"])
        expected = OPERATOR_ACTOR.id
        assert expected == container.people.get_for(person_id, supervisor).registered_by
