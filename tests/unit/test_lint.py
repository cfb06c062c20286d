"""Workflow files: every lint rule names the file, the line and the place of the problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ipm_workflow.adapters.workflow_files import FileProblem, check_directory, parse_file
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.lint import Problem, did_you_mean, lint

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "broken_workflows"
SHIPPED = ROOT / "workflows"

LABEL = {"fr": "Étiquette", "en": "Label"}


def problems_of(name: str) -> list[tuple[int | None, str, str]]:
    """Parse one broken fixture and return (line, place, message) of each problem."""
    file = BROKEN / name
    workflow, problems = parse_file(file)
    assert workflow is None
    assert all(p.file == file for p in problems)
    return [(p.line, p.place, p.message) for p in problems]


def printed_problems(name: str) -> list[str]:
    """The problems of one broken fixture, each as 'line N, place: message' (or 'line N:
    message' where there is no place)."""
    return [
        f"line {line}, {place}: {message}" if place else f"line {line}: {message}"
        for line, place, message in problems_of(name)
    ]


def base_workflow() -> dict[str, Any]:
    """A small sound workflow, as the dict a YAML file would load into."""
    return {
        "name": "tiny",
        "version": 1,
        "title": LABEL,
        "initial_state": "OPEN",
        "roles": ["advisor", "supervisor", "system"],
        "fields": {
            "note": {"type": "text", "label": LABEL},
            "start": {"type": "date", "label": LABEL},
            "level": {"type": "enum", "values": ["low", "high"], "label": LABEL},
        },
        "documents": {"identity": {"expires": True, "label": LABEL}},
        "states": {
            "OPEN": {"phase": "orientation", "label": LABEL},
            "DONE": {"phase": "closed", "terminal": True, "label": LABEL},
            "DROPPED": {"phase": "closed", "terminal": True, "label": LABEL},
        },
        "transitions": [
            {"trigger": "finish", "source": "OPEN", "dest": "DONE", "roles": ["advisor"]},
            {"trigger": "drop", "source": "OPEN", "dest": "DROPPED", "roles": ["supervisor"]},
        ],
    }


def lint_dict(raw: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Validate and lint a workflow dict; return (path, message) of each problem."""
    return [(p.path, p.message) for p in lint(Workflow.model_validate(raw))]


BROKEN_FILES = [
    # A YAML error is reported at the line where the parser stopped, with no place.
    pytest.param(
        "yaml_syntax_error.yaml",
        ["line 5: YAML syntax error: expected ',' or '}', but got ':'"],
        id="yaml-syntax-error",
    ),
    # A misspelt key (extra_forbidden) is named with its place and line.
    pytest.param(
        "unknown_key.yaml",
        ["line 11, states.DONE.terminl: unknown key 'terminl'"],
        id="unknown-key",
    ),
    # A misspelt guard kind points at the `kind` key and suggests the registered one.
    pytest.param(
        "unknown_guard_kind.yaml",
        [
            "line 18, transitions[0].guards[0].kind: unknown guard kind 'field_sett' (did you "
            "mean 'field_set'?)",
        ],
        id="unknown-guard-kind",
    ),
    # A misspelt destination is named at its line with a suggestion.
    pytest.param(
        "unknown_state.yaml",
        ["line 17, transitions[1].dest: unknown state 'DONNE' (did you mean 'DONE'?)"],
        id="unknown-state",
    ),
    # A role not in `roles` is named at its line with a suggestion.
    pytest.param(
        "unknown_role.yaml",
        ["line 14, transitions[0].roles[0]: unknown role 'advisr' (did you mean 'advisor'?)"],
        id="unknown-role",
    ),
    # An input naming an undeclared field is reported.
    pytest.param(
        "unknown_field_input.yaml",
        ["line 17, transitions[0].inputs[0].field: unknown field 'nte' (did you mean 'note'?)"],
        id="unknown-field-in-inputs",
    ),
    # A guard reading an undeclared field is reported.
    pytest.param(
        "unknown_field_guard.yaml",
        ["line 18, transitions[0].guards[0].field: unknown field 'notes' (did you mean 'note'?)"],
        id="unknown-field-in-guards",
    ),
    # An effect setting an undeclared field is reported.
    pytest.param(
        "unknown_field_effect.yaml",
        [
            "line 18, transitions[0].effects.closed_on: unknown field 'closed_on' (did you mean "
            "'closed_at'?)",
        ],
        id="unknown-field-in-effects",
    ),
    # A documents_present guard naming an undeclared document type is reported.
    pytest.param(
        "unknown_document.yaml",
        [
            "line 19, transitions[0].guards[0].documents[0]: unknown document 'identiy' (did you "
            "mean 'identity'?)",
        ],
        id="unknown-document",
    ),
    # A date guard over a text field names both types.
    pytest.param(
        "date_guard_wrong_type.yaml",
        ["line 18, transitions[0].guards[0].field: field 'note' is a text, a date is needed"],
        id="date-guard-on-a-text-field",
    ),
    # A state no path from the initial state leads to is named.
    pytest.param(
        "unreachable_state.yaml",
        ["line 9, states.LIMBO: state 'LIMBO' cannot be reached from 'OPEN'"],
        id="unreachable-state",
    ),
    # A reachable, non-terminal state that nothing leaves is named.
    pytest.param(
        "dead_end_state.yaml",
        ["line 9, states.STUCK: state 'STUCK' is not terminal but has no way out"],
        id="non-terminal-state-without-a-way-out",
    ),
    # A transition leaving a terminal state is refused at its source.
    pytest.param(
        "terminal_source.yaml",
        ["line 13, transitions[1].source: state 'DONE' is terminal: nothing may leave it"],
        id="terminal-state-used-as-a-source",
    ),
    # Two transitions with one trigger from one state and no guards are ambiguous.
    pytest.param(
        "ambiguous_trigger.yaml",
        [
            "line 13, transitions[1].trigger: trigger 'finish' from 'OPEN' is also declared by "
            "transitions[0] and no guard tells them apart",
        ],
        id="same-trigger-without-distinguishing-guards",
    ),
    # A reminder anchored on an undeclared field is named with a suggestion.
    pytest.param(
        "reminder_unknown_anchor_field.yaml",
        ["line 16, reminders[0].anchor.field: unknown field 'strat' (did you mean 'start'?)"],
        id="reminder-anchor-on-unknown-field",
    ),
    # A reminder anchored on entering an undeclared state is named with a suggestion.
    pytest.param(
        "reminder_unknown_anchor_state.yaml",
        [
            "line 14, reminders[0].anchor.state_entered: unknown state 'OPNE' (did you mean "
            "'OPEN'?)",
        ],
        id="reminder-anchor-on-unknown-state",
    ),
    # A timeout firing a trigger no transition declares is named with a suggestion.
    pytest.param(
        "reminder_timeout_unknown_trigger.yaml",
        [
            "line 15, reminders[0].timeout.trigger: unknown trigger 'finsh' (did you mean "
            "'finish'?)",
        ],
        id="timeout-naming-an-unknown-trigger",
    ),
    # A timeout firing a trigger the system may not fire is refused.
    pytest.param(
        "reminder_timeout_not_system.yaml",
        ["line 15, reminders[0].timeout.trigger: trigger 'finish' does not allow role 'system'"],
        id="timeout-trigger-without-the-system-role",
    ),
    # The `eligibility:` block: each wrong name is reported at its line with a suggestion;
    # dates must be dates.
    pytest.param(
        "eligibility_unknown_names.yaml",
        [
            "line 24, eligibility[0].age[0].at: unknown field 'strat' (did you mean 'start'?)",
            "line 21, eligibility[0].applies_when.value: 'vei' is not a value of enum field "
            "'kind' (did you mean 'vie'?)",
            "line 22, eligibility[0].checked_on[1]: unknown trigger 'finsh' (did you mean "
            "'finish'?)",
            "line 25, eligibility[0].once_in_a_lifetime.done_in[0]: unknown state 'DOEN' (did you"
            " mean 'OPEN'?)",
            "line 30, eligibility[1].age[0].at: field 'note' is a text, a date is needed",
        ],
        id="eligibility-unknown-names",
    ),
    # A pausing state with a limit of its own; breaches on a state without a limit and on
    # an unknown state.
    pytest.param(
        "clocks_misdeclared.yaml",
        [
            "line 11, states.POSTPONED.time_limit: state 'POSTPONED' pauses the clock of the "
            "state a case comes from: it cannot have a time limit of its own",
            "line 20, reminders[0].anchor.time_limit: state 'WAITING' has no time_limit to run out",
            "line 24, reminders[1].anchor.time_limit: unknown state 'OPNE' (did you mean 'OPEN'?)",
        ],
        id="clocks-misdeclared",
    ),
    # A field inside not/any_of/all_of is checked like any other, type included.
    pytest.param(
        "guard_composed_unknown_field.yaml",
        [
            "line 21, transitions[0].guards[0].guards[0].guard.field: unknown field 'contry' (did"
            " you mean 'country'?)",
            "line 24, transitions[0].guards[0].guards[1].guards[0].second: field 'country' is a "
            "text, a date is needed",
        ],
        id="typo-deep-inside-composed-guards",
    ),
    # field_in names a shipped list: a typo is suggested, a number field refused.
    pytest.param(
        "guard_unknown_value_list.yaml",
        [
            "line 19, transitions[0].guards[0].values: unknown value list 'eu_ee' (did you mean "
            "'eu_eea'?)",
            "line 20, transitions[0].guards[1].values: a shipped list holds codes (text): field "
            "'size' is a number",
        ],
        id="unknown-value-list",
    ),
    # duration_between reads dates, value_between numbers; bounds must be in order.
    pytest.param(
        "guard_duration_wrong_type.yaml",
        [
            "line 20, transitions[0].guards[0].start: field 'note' is a text, a date is needed",
            "line 21, transitions[0].guards[1]: the lower bound (90) is above the upper bound (10)",
            "line 22, transitions[0].guards[2].field: field 'start' is a date, a number is needed",
        ],
        id="durations-and-numbers-need-their-types",
    ),
    # Computed values: no cycle, known inputs, no 'today', one type, their own name.
    pytest.param(
        "computed_problems.yaml",
        [
            "line 17, computed.loop_a: computed value 'loop_a' depends on itself",
            "line 18, computed.loop_b: computed value 'loop_b' depends on itself",
            "line 19, computed.length.days_between.start: unknown field 'strat' (did you mean "
            "'start'?)",
            "line 19, computed.length.days_between.end: a computed value may not read 'today': it"
            " depends on the data only",
            "line 20, computed.mixed.first_of: first_of mixes values of different types (date, "
            "text)",
            "line 21, computed.note: computed value 'note' has the name of a data field",
        ],
        id="computed-cycles-inputs-today-types-names",
    ),
    # Each value of a first_of anchor exists and is a date.
    pytest.param(
        "anchor_first_of_not_date.yaml",
        [
            "line 17, reminders[0].anchor.first_of[0]: unknown field 'actual_end'",
            "line 17, reminders[0].anchor.first_of[1]: field 'note' is not a date",
        ],
        id="anchor-on-the-first-of-several-dates",
    ),
    # An event names a declared trigger or state, and recipients that are addresses.
    pytest.param(
        "event_unknown_names.yaml",
        [
            "line 17, events[0].when.trigger: unknown trigger 'finsh' (did you mean 'finish'?)",
            "line 18, events[0].recipients[1].field: unknown field 'host_contact_emial' (did you "
            "mean 'host_contact_email'?)",
            "line 21, events[1].when.state_entered: unknown state 'DOEN' (did you mean 'OPEN'?)",
            "line 23, events[1].recipients[0].field: field 'note' is a text: a recipient needs an"
            " e-mail or phone field ('field:note')",
        ],
        id="event-unknown-trigger-state-and-recipients",
    ),
]


@pytest.mark.parametrize(("fixture", "expected"), BROKEN_FILES)
def test_each_broken_file_is_named_at_its_line(fixture: str, expected: list[str]) -> None:
    """Each broken fixture yields exactly these problems: line, place and message."""
    assert expected == printed_problems(fixture)


class TestShippedWorkflows:
    @pytest.mark.parametrize("file", sorted(SHIPPED.glob("*.yaml")), ids=lambda f: f.name)
    def test_each_shipped_file_checks_clean(self, file: Path) -> None:
        """Every workflow file in workflows/ parses and lints without a single problem."""
        workflow, problems = parse_file(file)
        assert not [str(p) for p in problems]
        assert workflow is not None

    def test_the_directory_checks_clean(self) -> None:
        """The whole directory loads, with no duplicate name and version."""
        workflows, problems = check_directory(SHIPPED)
        assert not [str(p) for p in problems]
        assert len(list(SHIPPED.glob("*.yaml"))) == len(workflows)

    def test_the_base_dict_is_sound(self) -> None:
        """The in-test base workflow lints clean, so each variation shows one rule."""
        assert not lint_dict(base_workflow())


class TestSyntax:
    def test_problem_prints_as_file_line_column_place(self) -> None:
        """The printed problem reads file:line:column: place: message."""
        _, problems = parse_file(BROKEN / "unknown_role.yaml")
        expected = (
            f"{BROKEN / 'unknown_role.yaml'}:14:13: transitions[0].roles[0]: "
            "unknown role 'advisr' (did you mean 'advisor'?)"
        )
        assert [expected] == [str(p) for p in problems]

    def test_unreadable_file_is_reported(self, tmp_path: Path) -> None:
        """A missing file is a problem of that file, not a crash."""
        missing = tmp_path / "absent.yaml"
        workflow, problems = parse_file(missing)
        assert workflow is None
        assert [(missing, None, "")] == [(p.file, p.line, p.place) for p in problems]
        assert problems[0].message.startswith("cannot read")

    def test_a_list_is_not_a_workflow(self, tmp_path: Path) -> None:
        """A YAML document that is not a mapping is refused at line 1."""
        file = tmp_path / "list.yaml"
        file.write_text("- a\n- b\n", encoding="utf-8")
        _, problems = parse_file(file)
        expected = [(1, "a workflow file must be a YAML mapping")]
        assert expected == [(p.line, p.message) for p in problems]

    def test_several_schema_errors_are_all_reported(self, tmp_path: Path) -> None:
        """Every schema error of a file is listed, each at its own place."""
        text = (BROKEN / "unknown_key.yaml").read_text(encoding="utf-8")
        file = tmp_path / "two.yaml"
        file.write_text(text.replace("version: 1", "version: 0"), encoding="utf-8")
        _, problems = parse_file(file)
        expected = [(3, "version"), (11, "states.DONE.terminl")]
        assert expected == [(p.line, p.place) for p in problems]


class TestNames:
    def test_no_suggestion_when_nothing_is_close(self) -> None:
        """A name unlike any candidate gets no 'did you mean'."""
        expected = ""
        assert expected == did_you_mean("zzz", ["OPEN", "DONE"])
        expected = " (did you mean 'OPEN'?)"
        assert expected == did_you_mean("OPNE", ["OPEN", "DONE"])

    def test_unknown_role_as_state_owner_and_in_opening(self) -> None:
        """Roles are also checked in a state's owner and in the opening."""
        raw = base_workflow()
        raw["states"]["OPEN"]["owner"] = "advsor"
        raw["opening"] = {"roles": ["ml_advisor"], "inputs": ["nope"]}
        expected = [
            (("states", "OPEN", "owner"), "unknown role 'advsor' (did you mean 'advisor'?)"),
            (("opening", "roles", 0), "unknown role 'ml_advisor' (did you mean 'advisor'?)"),
            (("opening", "inputs", 0, "field"), "unknown field 'nope' (did you mean 'note'?)"),
        ]
        assert expected == lint_dict(raw)

    def test_unknown_initial_state(self) -> None:
        """An initial state that is not declared is named (and the graph is not walked)."""
        raw = base_workflow()
        raw["initial_state"] = "OPNE"
        expected = [(("initial_state",), "unknown state 'OPNE' (did you mean 'OPEN'?)")]
        assert expected == lint_dict(raw)

    def test_unknown_field_in_guard_with_a_value_is_reported_not_a_crash(self) -> None:
        """A field_equals guard on an undeclared field is one problem, not a KeyError."""
        raw = base_workflow()
        raw["transitions"][0]["guards"] = [{"kind": "field_equals", "field": "levle", "value": "x"}]
        expected = [
            (
                ("transitions", 0, "guards", 0, "field"),
                "unknown field 'levle' (did you mean 'level'?)",
            )
        ]
        assert expected == lint_dict(raw)

    def test_enum_value_outside_the_declared_values(self) -> None:
        """Guards and effects giving an enum field a value it cannot hold are reported."""
        raw = base_workflow()
        raw["transitions"][0]["guards"] = [
            {"kind": "field_equals", "field": "level", "value": "hgh"}
        ]
        raw["transitions"][1]["effects"] = {"level": "medium"}
        expected = [
            (
                ("transitions", 0, "guards", 0, "value"),
                "'hgh' is not a value of enum field 'level' (did you mean 'high'?)",
            ),
            (
                ("transitions", 1, "effects", "level"),
                "'medium' is not a value of enum field 'level'",
            ),
        ]
        assert expected == lint_dict(raw)


class TestTypes:
    def test_every_date_attribute_is_type_checked(self) -> None:
        """date_order, age_between.at, valid_through and only_if_minor_at all need dates."""
        raw = base_workflow()
        raw["transitions"][0]["guards"] = [
            {"kind": "date_order", "first": "start", "second": "note"},
            {"kind": "age_between", "at": "level", "min": 16},
            {"kind": "documents_present", "documents": ["identity"], "valid_through": "note"},
            {"kind": "field_set", "field": "note", "only_if_minor_at": "level"},
        ]
        expected = [
            (("transitions", 0, "guards", 0, "second"), "field 'note' is a text, a date is needed"),
            (("transitions", 0, "guards", 1, "at"), "field 'level' is a enum, a date is needed"),
            (
                ("transitions", 0, "guards", 2, "valid_through"),
                "field 'note' is a text, a date is needed",
            ),
            (
                ("transitions", 0, "guards", 3, "only_if_minor_at"),
                "field 'level' is a enum, a date is needed",
            ),
        ]
        assert expected == lint_dict(raw)

    def test_reminder_anchor_must_be_a_date(self) -> None:
        """A reminder anchored on a non-date field is reported."""
        raw = base_workflow()
        raw["reminders"] = [
            {"id": "r", "anchor": {"field": "note"}, "recipients": ["advisor"], "template": "t"}
        ]
        expected = [(("reminders", 0, "anchor", "field"), "field 'note' is not a date")]
        assert expected == lint_dict(raw)


class TestGraph:
    def test_terminal_state_in_a_source_list_is_named_by_index(self) -> None:
        """Within a source list, the place names the offending item."""
        raw = base_workflow()
        raw["transitions"][0]["source"] = ["OPEN", "DROPPED"]
        expected = [
            (("transitions", 0, "source", 1), "state 'DROPPED' is terminal: nothing may leave it")
        ]
        assert expected == lint_dict(raw)

    def test_star_source_expands_to_non_terminal_states_only(self) -> None:
        """A '*' source never counts as leaving a terminal state."""
        raw = base_workflow()
        raw["transitions"][1]["source"] = "*"
        assert not lint_dict(raw)

    def test_previous_destination_counts_as_a_way_back(self) -> None:
        """A '@previous' transition leads back to every state that enters its source."""
        raw = base_workflow()
        raw["states"]["PAUSED"] = {"phase": "preparation", "label": LABEL}
        raw["transitions"] += [
            {"trigger": "pause", "source": "OPEN", "dest": "PAUSED", "roles": ["advisor"]},
            {"trigger": "resume", "source": "PAUSED", "dest": "@previous", "roles": ["advisor"]},
        ]
        assert not lint_dict(raw)


class TestAmbiguousTriggers:
    def test_identical_guards_are_still_ambiguous(self) -> None:
        """The same guards on both transitions do not tell them apart."""
        raw = base_workflow()
        same = [{"kind": "field_set", "field": "note"}]
        raw["transitions"][1].update(trigger="finish", roles=["advisor"], guards=same)
        raw["transitions"][0]["guards"] = copy.deepcopy(same)
        expected = [("transitions", 1, "trigger")]
        assert expected == [path for path, _ in lint_dict(raw)]

    def test_differing_guards_are_accepted(self) -> None:
        """One trigger from one state is fine when the guards differ."""
        raw = base_workflow()
        raw["transitions"][0]["guards"] = [
            {"kind": "field_equals", "field": "level", "value": "low"}
        ]
        raw["transitions"][1].update(
            trigger="finish",
            roles=["advisor"],
            guards=[{"kind": "field_equals", "field": "level", "value": "high"}],
        )
        assert not lint_dict(raw)

    def test_overlap_through_star_is_detected(self) -> None:
        """A '*' transition clashes with a named-source one of the same trigger."""
        raw = base_workflow()
        raw["transitions"][1].update(trigger="finish", source="*", roles=["advisor"])
        expected = [
            (
                ("transitions", 1, "trigger"),
                "trigger 'finish' from 'OPEN' is also declared by transitions[0] and no guard "
                "tells them apart",
            )
        ]
        assert expected == lint_dict(raw)


class TestReminders:
    def test_while_in_and_unless_are_checked(self) -> None:
        """States in while_in and fields in unless guards must exist."""
        raw = base_workflow()
        raw["reminders"] = [
            {
                "id": "r",
                "anchor": {"field": "start"},
                "while_in": ["OPEN", "OPN"],
                "recipients": ["advisor"],
                "template": "t",
                "unless": [{"kind": "field_set", "field": "nots"}],
            }
        ]
        expected = [
            (("reminders", 0, "while_in", 1), "unknown state 'OPN' (did you mean 'OPEN'?)"),
            (
                ("reminders", 0, "unless", 0, "field"),
                "unknown field 'nots' (did you mean 'note'?)",
            ),
        ]
        assert expected == lint_dict(raw)


class TestDirectory:
    def test_duplicate_name_and_version_across_files(self) -> None:
        """The second file declaring the same name and version is named at its version line."""
        directory = BROKEN / "duplicate_version"
        workflows, problems = check_directory(directory)
        expected = [
            FileProblem(
                directory / "second.yaml",
                3,
                1,
                "version",
                f"duplicate_version v1 is also defined in {directory / 'first.yaml'}",
            )
        ]
        assert expected == problems
        expected = [("duplicate_version", 1)]
        assert expected == [w.key for w in workflows]

    def test_every_broken_fixture_is_refused(self) -> None:
        """Each file of the broken set yields at least one problem and no workflow."""
        workflows, problems = check_directory(BROKEN)
        files = sorted(BROKEN.glob("*.yaml"))
        assert not workflows
        assert [f.name for f in files] == sorted({p.file.name for p in problems})

    def test_empty_directory_is_a_problem(self, tmp_path: Path) -> None:
        """A directory without workflow files is reported, not silently empty."""
        workflows, problems = check_directory(tmp_path)
        assert not workflows
        expected = ["no workflow files (*.yaml) here"]
        assert expected == [p.message for p in problems]

    def test_yml_extension_is_read_too(self, tmp_path: Path) -> None:
        """Files ending in .yml are loaded like .yaml ones."""
        (tmp_path / "a.yml").write_text(
            (BROKEN / "duplicate_version" / "first.yaml").read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        workflows, problems = check_directory(tmp_path)
        expected = ([], [("duplicate_version", 1)])
        assert expected == (problems, [w.key for w in workflows])


def test_problem_is_a_path_and_a_message() -> None:
    """lint returns Problem values whose path is a tuple of keys and indexes."""
    raw = base_workflow()
    raw["transitions"][0]["dest"] = "DONNE"
    expected = [
        Problem(("transitions", 0, "dest"), "unknown state 'DONNE' (did you mean 'DONE'?)"),
        Problem(("states", "DONE"), "state 'DONE' cannot be reached from 'OPEN'"),
    ]
    assert expected == lint(Workflow.model_validate(raw))


class TestEligibility:
    """The `eligibility:` block names fields, triggers, states and values the file declares."""

    def test_programme_declared_twice(self) -> None:
        """Two blocks of one programme are one too many."""
        raw = base_workflow()
        rule = {"programme": "vie", "source": "S26", "age": [{"rule": "r", "max": 28}]}
        raw["eligibility"] = [rule, rule]
        expected = [(("eligibility", 1, "programme"), "programme 'vie' is declared twice")]
        assert expected == lint_dict(raw)

    def test_an_age_rule_needs_a_bound(self) -> None:
        """An age rule without min nor max is refused when the file is read."""
        raw = base_workflow()
        raw["eligibility"] = [{"programme": "vie", "source": "S26", "age": [{"rule": "r"}]}]
        with pytest.raises(ValueError, match="needs 'min', 'max' or both"):
            Workflow.model_validate(raw)


class TestClocks:
    """Time limits, pausing states and breach anchors are checked at their line."""

    def test_zero_business_days_is_refused(self) -> None:
        """`{business_days: 0}` says what is expected, at the state's line."""
        [(line, place, message)] = problems_of("clocks_zero_business_days.yaml")
        assert (line, place) == (8, "states.OPEN.time_limit")
        assert "business_days" in message
