"""The lint of richer guards, computed values, data recipients and event messages: each
problem named with its line and place, and a suggestion where a name is close."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_lint import BROKEN, problems_of

from ipm_workflow.adapters.workflow_files import check_directory

RICHER_FILES = [
    # A field inside not/any_of/all_of is checked like any other, type included.
    pytest.param(
        "guard_composed_unknown_field.yaml",
        [
            (
                21,
                "transitions[0].guards[0].guards[0].guard.field",
                "unknown field 'contry' (did you mean 'country'?)",
            ),
            (
                24,
                "transitions[0].guards[0].guards[1].guards[0].second",
                "field 'country' is a text, a date is needed",
            ),
        ],
        id="typo-deep-inside-composed-guards",
    ),
    # field_in names a shipped list: a typo is suggested, a number field refused.
    pytest.param(
        "guard_unknown_value_list.yaml",
        [
            (
                19,
                "transitions[0].guards[0].values",
                "unknown value list 'eu_ee' (did you mean 'eu_eea'?)",
            ),
            (
                20,
                "transitions[0].guards[1].values",
                "a shipped list holds codes (text): field 'size' is a number",
            ),
        ],
        id="unknown-value-list",
    ),
    # duration_between reads dates, value_between numbers; bounds must be in order.
    pytest.param(
        "guard_duration_wrong_type.yaml",
        [
            (20, "transitions[0].guards[0].start", "field 'note' is a text, a date is needed"),
            (21, "transitions[0].guards[1]", "the lower bound (90) is above the upper bound (10)"),
            (22, "transitions[0].guards[2].field", "field 'start' is a date, a number is needed"),
        ],
        id="durations-and-numbers-need-their-types",
    ),
    # Computed values: no cycle, known inputs, no 'today', one type, their own name.
    pytest.param(
        "computed_problems.yaml",
        [
            (17, "computed.loop_a", "computed value 'loop_a' depends on itself"),
            (18, "computed.loop_b", "computed value 'loop_b' depends on itself"),
            (
                19,
                "computed.length.days_between.start",
                "unknown field 'strat' (did you mean 'start'?)",
            ),
            (
                19,
                "computed.length.days_between.end",
                "a computed value may not read 'today': it depends on the data only",
            ),
            (
                20,
                "computed.mixed.first_of",
                "first_of mixes values of different types (date, text)",
            ),
            (21, "computed.note", "computed value 'note' has the name of a data field"),
        ],
        id="computed-cycles-inputs-today-types-names",
    ),
    # Each value of a first_of anchor exists and is a date.
    pytest.param(
        "anchor_first_of_not_date.yaml",
        [
            (17, "reminders[0].anchor.first_of[0]", "unknown field 'actual_end'"),
            (17, "reminders[0].anchor.first_of[1]", "field 'note' is not a date"),
        ],
        id="anchor-on-the-first-of-several-dates",
    ),
    # An event names a declared trigger or state, and recipients that are addresses.
    pytest.param(
        "event_unknown_names.yaml",
        [
            (17, "events[0].when.trigger", "unknown trigger 'finsh' (did you mean 'finish'?)"),
            (
                18,
                "events[0].recipients[1].field",
                "unknown field 'host_contact_emial' (did you mean 'host_contact_email'?)",
            ),
            (21, "events[1].when.state_entered", "unknown state 'DOEN' (did you mean 'OPEN'?)"),
            (
                23,
                "events[1].recipients[0].field",
                "field 'note' is a text: a recipient needs an e-mail or phone field ('field:note')",
            ),
        ],
        id="event-unknown-trigger-state-and-recipients",
    ),
]


@pytest.mark.parametrize(("fixture", "expected"), RICHER_FILES)
def test_each_richer_rule_is_named_at_its_line(
    fixture: str, expected: list[tuple[int | None, str, str]]
) -> None:
    """Guards, computed values, anchors and events: exactly these problems, each at its line."""
    assert expected == problems_of(fixture)


class TestEventLint:
    def test_an_event_template_must_exist(self, tmp_path: Path) -> None:
        """An event's template is looked for in each language, with a suggestion."""
        text = (BROKEN / "event_unknown_names.yaml").read_text()
        text = text.replace("finsh", "finish").replace("DOEN", "DONE")
        text = text.replace("host_contact_emial", "host_contact_email")
        text = text.replace("[{field: note}]", "[advisor]").replace(
            "template: done\n", "template: dne\n", 1
        )
        (tmp_path / "flow.yaml").write_text(text)
        (tmp_path / "templates").mkdir()
        for lang in ("fr", "en"):
            (tmp_path / "templates" / f"done.{lang}.txt").write_text("Subject: x\n\nx\n")
        _, problems = check_directory(tmp_path)
        expected = [(19, "events[0].template")]
        assert expected == [(p.line, p.place) for p in problems]
        assert problems[0].message.endswith("(did you mean 'done'?)")
