"""The sandbox's outbox shows advisors only their missions locales' messages."""

from __future__ import annotations

from sandbox_kit import ADMIN, ADVISOR, OUTBOX, TRAINER, SandboxApi

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import MissionLocale

OTHER = "advisor.b"


class TestOutboxScope:
    """Captured messages of an ml-a case, read by different users."""

    def test_an_advisor_of_another_mission_locale_sees_none_of_them(
        self, api: SandboxApi, container: Container
    ) -> None:
        """ml-a's messages reach ml-a's advisor, the trainer and the admin, not ml-b's advisor."""
        container.people.add_mission_locale(MissionLocale("ml-b", "Mission locale B (test)"))
        container.people.add_user(OTHER, "Advisor B", "advisor", ["ml-b"])
        api.tokens[OTHER] = container.tokens.issue(OTHER, days=1).token
        case = api.open_case(api.person(), advisor_id=api.user_id(ADVISOR))
        api.move(advance="P4D")  # the first-contact reminder and its escalation fall due
        seen = {
            who: len(api.ok("GET", OUTBOX, who, params={"case_id": case["id"]}))
            for who in (ADVISOR, TRAINER, ADMIN, OTHER)
        }
        captured = seen[ADVISOR]
        expected = {ADVISOR: captured, TRAINER: captured, ADMIN: captured, OTHER: 0}
        assert expected == seen
        assert captured > 0
