"""The command line logs contact attempts, shows checkpoints and money."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from typer.testing import Result

from journey import Journey


class TestFollowUpCommands:
    """`cases contact`, `cases follow-up`, `cases money`."""

    def test_log_an_attempt_then_read_the_checkpoints(
        self, journey: Journey, case_id: int, cli: Callable[..., Result]
    ) -> None:
        """An unanswered call at +3 is logged for checkpoint m3 and listed with it."""
        journey.walk_to(case_id, "FOLLOW_UP")
        end = date.fromisoformat(journey.case(case_id).data["actual_end"])
        journey.move_to(end + timedelta(days=95))
        at = journey.clock.now().isoformat() if journey.clock else ""
        logged = cli(
            "cases", "contact", str(case_id), "--channel", "call", "--at", at,
            "--as", "advisor.a",
        )  # fmt: skip
        shown = cli("cases", "follow-up", str(case_id), "--as", "advisor.a")
        money = cli("cases", "money", str(case_id), "--as", "advisor.a")
        bad = cli("cases", "contact", str(case_id), "--channel", "pigeon", "--as", "advisor.a")

        assert logged.exit_code == 0, logged.output
        assert "by call, unanswered, checkpoint m3" in logged.output
        assert "checkpoint m3     not_yet_asked" in shown.output
        assert "attempts 1 (answered 0)" in shown.output
        assert "grant_agreed = -" in money.output
        assert bad.exit_code != 0
