"""The follow-up and money sections are checked like the rest: each problem at file:line:col."""

from __future__ import annotations

from pathlib import Path

from ipm_workflow.adapters.workflow_files import parse_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "follow_up_lint"


def found(name: str) -> list[tuple[int | None, int | None, str, str]]:
    """Parse one fixture; return (line, column, place, message) of each problem."""
    workflow, problems = parse_file(FIXTURES / f"{name}.yaml")
    assert workflow is None
    return [(p.line, p.column, p.place, p.message) for p in problems]


class TestFollowUpLint:
    """Checkpoints, their fields, their surveys and the lost-contact rule."""

    def test_each_wrong_key_is_named_where_it_is(self) -> None:
        """Outcome without 'unknown', a text source, a survey on a state, unknown names, a
        trigger the system may not fire, no timer field."""
        sources = "['young_person', 'mission_locale', 'i_milo', 'employer']"
        expected = [
            (31, 16, "follow_up.checkpoints[0].outcome",
             "field 'outcome_m3' must be an enum offering 'unknown'"),
            (31, 16, "follow_up.checkpoints[0].outcome",
             f"field 'outcome_m3_source' must be an enum with values among {sources}"),
            (31, 37, "follow_up.checkpoints[0].survey",
             "rule 'survey_m3' must hang on a date field"),
            (32, 16, "follow_up.checkpoints[1].outcome", "unknown field 'outcome_m6'"),
            (32, 16, "follow_up.checkpoints[1].outcome",
             "checkpoint needs an enum field 'outcome_m6_source'"),
            (32, 16, "follow_up.checkpoints[1].outcome",
             "checkpoint needs a date field 'outcome_m6_date'"),
            (32, 16, "follow_up.checkpoints[1].outcome",
             "checkpoint needs an enum field 'outcome_m6_confidence'"),
            (32, 37, "follow_up.checkpoints[1].survey", "unknown reminder rule 'survey_m6'"),
            (33, 54, "follow_up.lost_contact.at_checkpoint", "unknown checkpoint 'm12'"),
            (33, 3, "follow_up.lost_contact.trigger",
             "trigger 'lose_contact' must allow 'system'"),
            (33, 3, "follow_up.lost_contact",
             "the rule needs a date field 'lost_contact_due' (its timer)"),
        ]  # fmt: skip
        assert expected == found("follow_up")

    def test_a_misspelt_key_of_the_rule(self) -> None:
        """'attempt' for 'attempts': the unknown key and the missing one, each at its place."""
        expected = [
            (14, 3, "follow_up.lost_contact.attempts", "Field required"),
            (14, 18, "follow_up.lost_contact.attempt", "unknown key 'attempt'"),
        ]
        assert expected == found("unknown_key")


class TestMoneyLint:
    """The money section needs its fields, typed; reasons of the recalculation exist."""

    def test_fields_and_reasons(self) -> None:
        """A grant declared as a number (not cents), missing fields, an unknown reason."""
        problems = found("money")
        expected_first = (
            8,
            3,
            "fields.grant_agreed",
            "field 'grant_agreed' must be a money for money",
        )
        expected_last = (
            21,
            17,
            "money.early_return.by_reason.exclusion",
            "'exclusion' is not a value of the reason field",
        )
        missing = [m for _, _, place, m in problems if place == "money"]
        assert (expected_first, expected_last) == (problems[0], problems[-1])
        assert "money needs a money field 'prefinancing_amount'" in missing
        assert "money needs an enum field 'recovery_reason'" in missing
