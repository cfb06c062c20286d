"""Issue 11 from the console: eligibility, lists by mission locale, moves, staff who leave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from typer.testing import Result

from ipm_workflow.domain.people import User
from journey import Journey

Cli = Callable[..., Result]


class TestConsole:
    """The CLI equivalents of the API's issue-11 routes."""

    def test_eligibility_names_the_refusing_rule(self, cli: Cli, journey: Journey) -> None:
        """At 27, the Erasmus+ internship is refused with its rule; the VIE remains."""
        person_id = journey.person(date(1999, 1, 1))
        result = cli("people", "eligibility", str(person_id), "--as", "advisor.a")
        lines = result.stdout.splitlines()
        expected = (0, True, True)
        actual = (
            result.exit_code,
            "ineligible erasmus_vet (erasmus_vet_long v1)" in lines,
            "eligible   vie (external_referral v1)" in lines,
        )
        assert expected == actual, result.stdout + result.stderr
        refusal = lines[lines.index("ineligible erasmus_vet (erasmus_vet_long v1)") + 1]
        assert refusal.startswith("      - erasmus_vet: ml_public_age: age on today")

    def test_move_then_list_by_referring_and_current(self, cli: Cli, journey: Journey) -> None:
        """A case moved from A to B is listed under referring A and under current B."""
        cid = journey.open(journey.person())
        moved = cli("cases", "move", str(cid), "--to", "ml-b", "--on", "2026-02-01",
                    "--reason", "moved house", "--as", "super")  # fmt: skip
        by_referring = cli("cases", "list", "--referring-ml", "ml-a", "--as", "super")
        by_current = cli("cases", "list", "--ml", "ml-a", "--as", "super")
        expected = (
            f"case {cid} now at ml-b (referred by ml-a, version 2)\n",
            "1 of 1",
            "0 of 0",
        )
        actual = (
            moved.stdout,
            by_referring.stdout.splitlines()[-1],
            by_current.stdout.splitlines()[-1],
        )
        assert expected == actual, moved.stderr

    def test_departing_advisor(
        self, cli: Cli, journey: Journey, directory: dict[str, User]
    ) -> None:
        """Deactivate advisor A, list their open cases, hand them to advisor B at once."""
        cases = sorted(journey.open(journey.person(first_name=n)) for n in ("Alix", "Sacha"))
        gone = cli("users", "deactivate", "advisor.a")
        listed = cli("users", "open-cases", "advisor.a", "--as", "super")
        handed = cli("users", "handover", "advisor.a", "--to", "advisor.b", "--as", "super")
        expected = (
            "user advisor.a deactivated (0 token(s) revoked)\n",
            "2 open case(s)",
            [f"case {c}: handed over (1 reminder(s))" for c in cases],
        )
        actual = (
            gone.stdout,
            listed.stdout.splitlines()[-1],
            handed.stdout.splitlines()[:-1],
        )
        assert expected == actual, handed.stderr
