"""The command line checks names and addresses by the same rules as the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import Result

Cli = Callable[..., Result]


class TestPeopleAdd:
    """`ipm-workflow people add` with faulty input: one line per problem, no traceback."""

    @pytest.mark.parametrize(
        ("option", "value", "field"),
        [
            ("--first-name", "Eve\rX", "first_name"),
            ("--email", "a@example.org, b@example.org", "email"),
            ("--email", "mal@example.org\r\nBcc: other@example.org", "email"),
            ("--phone", "call me", "phone"),
        ],
    )
    def test_faulty_value_is_named_without_echoing_it(
        self, cli: Cli, option: str, value: str, field: str
    ) -> None:
        """Exit 1, the field named, the value itself never printed back."""
        args = {"--first-name": "Eve", "--last-name": "Exemple", option: value}
        result = cli("people", "add", *[x for pair in args.items() for x in pair])
        expected = (1, True, False, None)
        actual = (
            result.exit_code,
            f"- {field}:" in result.stderr,
            value in result.stderr,
            result.exception if not isinstance(result.exception, SystemExit) else None,
        )
        assert expected == actual

    def test_valid_person_is_stored_normalised(self, cli: Cli) -> None:
        """A valid registration still succeeds."""
        result = cli("people", "add", "--first-name", " Eve ", "--last-name", "Exemple",
                     "--phone", "06 12 34 56 78")  # fmt: skip
        expected = (0, "person")
        assert expected == (result.exit_code, result.stdout.split()[0])


def test_mission_locale_name_is_checked(cli: Cli) -> None:
    """A mission locale's name is a single line too."""
    result = cli("ml", "add", "ml-x", "Mission\nlocale")
    expected = (1, True)
    assert expected == (result.exit_code, "- name:" in result.stderr)
