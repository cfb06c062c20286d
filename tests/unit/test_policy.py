"""The access policy: one table of rights, reach by missions locales, and the README's copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipm_workflow.config import ROOT
from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import Forbidden, NotFound
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import Action, Actor

README = (ROOT / "README.md").read_text(encoding="utf-8")
ADVISOR = Actor("user:1", "advisor", frozenset({"ml-a"}), 1)
SUPERVISOR = Actor("user:2", "supervisor", None, 2)


def rights_markdown() -> str:
    """The README's action × role table, as the policy declares it."""
    roles = list(policy.ROLES)
    lines = [
        "| action | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action, allowed in policy.rights_table():
        marks = ["yes" if r in allowed else "" for r in roles]
        lines.append(f"| `{action}` | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"


class TestReadmeTable:
    """The README's access table is the policy's."""

    def test_the_table_is_generated_from_the_policy(self) -> None:
        """Regenerate with `python -m tests.unit.test_policy` if this fails."""
        assert rights_markdown() in README


class TestNoRuleElsewhere:
    """No module outside the policy compares roles or missions locales."""

    def test_no_role_comparison_outside_the_policy(self) -> None:
        """`.role ==`, `.role in`, `.mission_locales` tests and `.sees(` live in the policy only."""
        policy_package = ROOT / "src" / "ipm_workflow" / "domain" / "policy"
        pattern = re.compile(r"\.role\s*(==|!=|not in|in)\b|\.sees\(|actor\.mission_locales")
        offenders = [
            f"{path.relative_to(ROOT)}:{n}"
            for path in Path(ROOT / "src").rglob("*.py")
            if policy_package not in path.parents
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)
        ]
        assert not offenders


class TestRights:
    """may/require by action name."""

    @pytest.mark.parametrize(
        ("actor", "action", "allowed"),
        [
            (ADVISOR, Action.CASES_DATA, True),
            (SUPERVISOR, Action.CASES_DATA, False),
            (SUPERVISOR, Action.CASES_MERGE, True),
            (ADVISOR, Action.CASES_MERGE, False),
            (policy.OPERATOR_ACTOR, Action.CASES_FIRE, False),
            (policy.OPERATOR_ACTOR, Action.AUDIT, True),
            (policy.SYSTEM_ACTOR, Action.CASES_FIRE, True),
            (Actor("user:9", "admin"), Action.CASES_READ, False),
        ],
    )
    def test_may(self, actor: Actor, action: Action, allowed: bool) -> None:
        """Each role gets exactly its declared rights."""
        assert allowed == policy.may(actor, action)

    def test_require_names_the_action_and_who_may(self) -> None:
        """A refusal says which action and which roles may use it."""
        with pytest.raises(Forbidden, match=r"role 'advisor' may not use cases.merge; allowed"):
            policy.require(ADVISOR, Action.CASES_MERGE)


class TestReach:
    """Which cases, people and cohorts an actor sees."""

    def test_advisors_see_their_missions_locales_only(self) -> None:
        """ml-a yes, ml-b no; a hidden case is NotFound, like a missing one."""
        expected = (True, False)
        assert expected == (policy.reaches(ADVISOR, "ml-a"), policy.reaches(ADVISOR, "ml-b"))
        with pytest.raises(NotFound, match="case 7 not found"):
            policy.see_case(ADVISOR, 7, "ml-b")

    def test_an_advisor_without_missions_locales_sees_nothing(self) -> None:
        """No mission locale means no case, not every case."""
        nowhere = Actor("user:3", "advisor", None, 3)
        expected: list[str] = []
        assert expected == policy.narrow(nowhere, None)

    def test_listing_filters_are_narrowed_to_the_reach(self) -> None:
        """Asking for another mission locale yields nothing, not everything."""
        expected = ([], ["ml-a"], None)
        actual = (
            policy.narrow(ADVISOR, ["ml-b"]),
            policy.narrow(ADVISOR, None),
            policy.narrow(SUPERVISOR, None),
        )
        assert expected == actual

    @pytest.mark.parametrize(
        ("cases_in", "registered_by", "seen"),
        [
            ({"ml-a"}, "user:5", True),  # a case in the advisor's mission locale
            ({"ml-b"}, "user:5", False),  # another mission locale's young person
            (set(), "user:1", True),  # registered by the advisor, no case yet
            (set(), "user:5", False),  # registered by someone else, no case yet
            (set(), None, False),
        ],
    )
    def test_people(self, cases_in: set[str], registered_by: str | None, seen: bool) -> None:
        """People are seen by their cases' missions locales and by their registrant."""
        assert seen == policy.sees_person(ADVISOR, cases_in, registered_by)
        assert policy.sees_person(SUPERVISOR, cases_in, registered_by)


class TestActingAs:
    """A user acts in their own role, or a workflow role it allows."""

    def test_an_advisor_may_not_become_supervisor(self) -> None:
        """Actor.of refuses a role the account does not allow."""
        user = User(1, "a", "A", "advisor", frozenset({"ml-a"}))
        with pytest.raises(Forbidden):
            Actor.of(user, "supervisor")

    def test_supervisors_reach_everywhere(self) -> None:
        """A supervisor's missions locales do not bound what they read."""
        user = User(2, "s", "S", "supervisor", frozenset({"ml-a"}))
        assert policy.reaches(Actor.of(user), "ml-z")


if __name__ == "__main__":
    print(rights_markdown(), end="")  # the table to paste in the README
