"""The lint of richer guards, computed values, data recipients and event messages: each
problem named with its line and place, and a suggestion where a name is close."""

from __future__ import annotations

from pathlib import Path

from test_lint import BROKEN, problems_of

from ipm_workflow.adapters.workflow_files import check_directory


class TestComposedGuardLint:
    def test_a_typo_deep_inside_composed_guards(self) -> None:
        """A field inside not/any_of/all_of is checked like any other, type included."""
        expected = [
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
        ]
        assert expected == problems_of("guard_composed_unknown_field.yaml")

    def test_an_unknown_value_list(self) -> None:
        """field_in names a shipped list: a typo is suggested, a number field refused."""
        expected = [
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
        ]
        assert expected == problems_of("guard_unknown_value_list.yaml")

    def test_durations_and_numbers_need_their_types(self) -> None:
        """duration_between reads dates, value_between numbers; bounds must be in order."""
        expected = [
            (20, "transitions[0].guards[0].start", "field 'note' is a text, a date is needed"),
            (21, "transitions[0].guards[1]", "the lower bound (90) is above the upper bound (10)"),
            (22, "transitions[0].guards[2].field", "field 'start' is a date, a number is needed"),
        ]
        assert expected == problems_of("guard_duration_wrong_type.yaml")


class TestComputedLint:
    def test_cycles_unknown_inputs_today_types_and_names(self) -> None:
        """Computed values: no cycle, known inputs, no 'today', one type, their own name."""
        expected = [
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
        ]
        assert expected == problems_of("computed_problems.yaml")

    def test_anchor_on_the_first_of_several_dates(self) -> None:
        """Each value of a first_of anchor exists and is a date."""
        expected = [
            (17, "reminders[0].anchor.first_of[0]", "unknown field 'actual_end'"),
            (17, "reminders[0].anchor.first_of[1]", "field 'note' is not a date"),
        ]
        assert expected == problems_of("anchor_first_of_not_date.yaml")


class TestEventLint:
    def test_unknown_trigger_state_and_recipients(self) -> None:
        """An event names a declared trigger or state, and recipients that are addresses."""
        expected = [
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
        ]
        assert expected == problems_of("event_unknown_names.yaml")

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
