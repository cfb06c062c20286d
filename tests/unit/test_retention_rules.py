"""Retention rules: each boundary on both sides, and the rules file's errors named by place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ipm_workflow.adapters.retention_file import load_policy
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.config import ROOT
from ipm_workflow.domain.errors import RetentionConfigInvalid
from ipm_workflow.domain.retention import (
    Action,
    CaseFacts,
    PersonFacts,
    RetentionPolicy,
    add_years,
    decide,
)

SHIPPED = ROOT / "config" / "retention.yaml"
POLICY = load_policy(SHIPPED)
TODAY = date(2026, 1, 5)


def person(
    birth: date | None, *cases: CaseFacts, pseudonymised: bool = False, pid: int = 1
) -> PersonFacts:
    return PersonFacts(pid, birth, pseudonymised, cases)


def erasmus(closed: date | None, **data: object) -> CaseFacts:
    return CaseFacts(10, "erasmus_vet_long", closed, dict(data))


def external(closed: date | None, **data: object) -> CaseFacts:
    return CaseFacts(11, "external_referral", closed, dict(data))


OLD = date(1990, 3, 17)  # 27 since 17 March 2017


class TestPersonalData:
    """The missions locales' practice: 25 + 2 years, or the end of a programme still running."""

    @pytest.mark.parametrize(
        ("birth", "expected"),
        [
            (date(1999, 1, 5), Action.DELETE),  # 27 today: past the rule
            (date(1999, 1, 6), Action.KEEP),  # 27 tomorrow
        ],
    )
    def test_age_boundary_without_cases(self, birth: date, expected: Action) -> None:
        """Nobody keeps a person without a case past 27: deleted from the 27th birthday."""
        assert expected == decide(POLICY, person(birth), TODAY).action

    def test_a_running_programme_keeps_everything(self) -> None:
        """Past 27, an open case keeps the personal data."""
        assert decide(POLICY, person(OLD, external(None)), TODAY).action == Action.KEEP

    @pytest.mark.parametrize(
        ("closed", "expected"),
        [(date(2026, 1, 5), Action.DELETE), (date(2026, 1, 6), Action.KEEP)],
    )
    def test_case_end_boundary(self, closed: date, expected: Action) -> None:
        """A programme that ended today no longer keeps the data; one ending tomorrow does."""
        assert expected == decide(POLICY, person(OLD, external(closed)), TODAY).action

    def test_unknown_birth_date_keeps(self) -> None:
        """Without a birth date the age rule cannot end: the person is kept, and it says why."""
        verdict = decide(POLICY, person(None, external(date(2020, 1, 1))), TODAY)
        assert verdict.action == Action.KEEP
        assert "ml_practice: birth date unknown" in verdict.reasons()

    def test_leap_day_birthdays(self) -> None:
        """Born on 29 February: 27 on 1 March of a common year."""
        assert date(2027, 3, 1) == add_years(date(2000, 2, 29), 27)


class TestErasmusAudit:
    """Erasmus+ supporting documents: 5 years after the balance (else the case's end)."""

    @pytest.mark.parametrize(
        ("paid", "expected"),
        [(date(2021, 1, 5), Action.DELETE), (date(2021, 1, 6), Action.PSEUDONYMISE)],
    )
    def test_balance_boundary(self, paid: date, expected: Action) -> None:
        """Five years after the balance the record goes; the day before it stays pseudonymised."""
        facts = person(OLD, erasmus(date(2020, 6, 1), balance_paid_on=paid.isoformat()))
        assert expected == decide(POLICY, facts, TODAY).action

    @pytest.mark.parametrize(
        ("closed", "expected"),
        [(date(2021, 1, 5), Action.DELETE), (date(2021, 1, 6), Action.PSEUDONYMISE)],
    )
    def test_without_balance_the_end_counts(self, closed: date, expected: Action) -> None:
        """No balance date: the five years run from the day the case closed."""
        assert expected == decide(POLICY, person(OLD, erasmus(closed)), TODAY).action

    def test_pseudonymised_people_are_not_listed_again(self) -> None:
        """A person already pseudonymised stays so until the audit period ends."""
        facts = person(OLD, erasmus(date(2024, 1, 1)), pseudonymised=True)
        assert decide(POLICY, facts, TODAY).action == Action.KEEP


class TestEsfControl:
    """ESF+: 5 years from 31 December of the year of the last payment (CPR art. 82)."""

    @pytest.mark.parametrize(
        ("paid", "today", "expected"),
        [
            # Paid in 2020: kept through 31 December 2025, gone from 1 January 2026.
            (date(2020, 3, 1), date(2025, 12, 31), Action.PSEUDONYMISE),
            (date(2020, 12, 31), date(2026, 1, 1), Action.DELETE),
            (date(2021, 1, 1), date(2026, 1, 5), Action.PSEUDONYMISE),
        ],
    )
    def test_end_of_year_boundary(self, paid: date, today: date, expected: Action) -> None:
        """The period counts from the end of the payment's year, whatever the day."""
        case = external(date(2019, 1, 1), esf_operation=True, balance_paid_on=paid.isoformat())
        assert expected == decide(POLICY, person(OLD, case), today).action

    def test_only_esf_cases(self) -> None:
        """Without the ESF flag the rule does not apply: the person is deleted."""
        case = external(date(2019, 1, 1), balance_paid_on="2024-01-01")
        verdict = decide(POLICY, person(OLD, case), TODAY)
        assert verdict.action == Action.DELETE
        assert [e.rule for e in verdict.ends] == ["ml_practice"]


class TestPolicyChoices:
    """What happens when no rule remains."""

    def test_keep_pseudonymised(self) -> None:
        """With keep_pseudonymised, nobody is deleted: they are pseudonymised."""
        policy = RetentionPolicy.model_validate(
            {**POLICY.model_dump(), "when_no_rule_remains": "keep_pseudonymised"}
        )
        assert decide(policy, person(date(1990, 1, 1)), TODAY).action == Action.PSEUDONYMISE


class TestRulesFile:
    """The rules file: the shipped one is sound, mistakes are named by file, line and place."""

    def test_shipped_file_names_only_existing_workflows(self) -> None:
        """Against the shipped workflows, every workflow and date field named exists."""
        policy = load_policy(SHIPPED, load_registry(ROOT / "workflows"))
        assert {"ml_practice", "esf_control", "erasmus_audit"} == {r.id for r in policy.rules}
        assert all(r.legal_basis and r.source for r in policy.rules)

    def _problems(self, tmp_path: Path, text: str, registry: bool = False) -> list[str]:
        file = tmp_path / "retention.yaml"
        file.write_text(text, encoding="utf-8")
        with pytest.raises(RetentionConfigInvalid) as caught:
            load_policy(file, load_registry(ROOT / "workflows") if registry else None)
        assert all(str(file) in p for p in caught.value.problems)
        return [p.split(str(file), 1)[1] for p in caught.value.problems]

    def test_a_wrong_value_names_its_line_and_place(self, tmp_path: Path) -> None:
        """A negative period and an unknown key: each named by line, column and place."""
        text = SHIPPED.read_text(encoding="utf-8")
        text = text.replace("years: 5, date_field: balance_paid_on}", "years: -5, datefield: x}")
        problems = self._problems(tmp_path, text)
        assert any("rules[2].until.after_case_end.years:" in p for p in problems), problems
        assert any("unknown key 'datefield'" in p for p in problems), problems
        line = text.splitlines().index(next(ln for ln in text.splitlines() if "years: -5" in ln))
        assert problems[0].startswith(f":{line + 1}:"), problems

    def test_a_policy_needs_an_everyone_rule(self, tmp_path: Path) -> None:
        """Without a personal-data rule for everyone, nobody's data would end: refused."""
        text = """rules:
  - id: only
    keeps: personal_data
    covers: {workflows: [erasmus_vet_long]}
    until: {age: 27}
    legal_basis: x
    source: y
"""
        [problem] = self._problems(tmp_path, text)
        assert "one personal_data rule must cover everyone" in problem

    def test_unknown_workflow(self, tmp_path: Path) -> None:
        """A workflow no file declares is named with its place."""
        text = SHIPPED.read_text(encoding="utf-8").replace("erasmus_vet_group,", "erasmus_vet_grp,")
        [problem] = self._problems(tmp_path, text, registry=True)
        assert "rules[2].covers.workflows[1]: no workflow declares the workflow" in problem

    def test_yaml_syntax(self, tmp_path: Path) -> None:
        """Broken YAML: the line is named."""
        [problem] = self._problems(tmp_path, "rules: [\n  - id: x\n")
        assert "YAML syntax error" in problem
