"""Reserved names, unreadable bytes, deep nesting and out-of-bounds numbers: file:line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipm_workflow.adapters.workflow_files import check_directory, load_registry, parse_file
from ipm_workflow.domain.errors import WorkflowInvalid

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "broken_workflows"
MINI = (BROKEN / "reserved_names.yaml").read_bytes()


def found(file: Path) -> list[tuple[int | None, str, str]]:
    """Parse one file and return (line, place, message) of each problem; nothing parses."""
    workflow, problems = parse_file(file)
    assert workflow is None
    return [(p.line, p.place, p.message) for p in problems]


class TestReservedNames:
    """Names the state-machine library or the case model reads in a special way are refused."""

    def test_the_issues_file(self) -> None:
        """State '=' (read as 'same state') and trigger 'state' (the model's attribute)."""
        expected = [
            (
                11,
                "states.=",
                "state name '=' is reserved or invalid: the state-machine library reads '=' as "
                "'the same state' (the case would not move)",
            ),
            (
                14,
                "transitions[0].trigger",
                "trigger name 'state' is reserved: it is the case model's attribute that holds "
                "the state",
            ),
        ]
        assert expected == found(BROKEN / "reserved_names.yaml")

    def test_prefixes_the_library_adds_and_a_field_named_today(self) -> None:
        """is_/may_/to_/before_/on_enter_ triggers, 'trigger', state '*', field 'today'."""
        places = [(line, place) for line, place, _ in found(BROKEN / "reserved_prefixes.yaml")]
        expected = [
            (12, "states.*"),
            (15, "transitions[0].trigger"),
            (16, "transitions[1].trigger"),
            (17, "transitions[2].trigger"),
            (18, "transitions[3].trigger"),
            (19, "transitions[4].trigger"),
            (20, "transitions[5].trigger"),
            (8, "fields.today"),
            (9, "fields.due date"),
        ]
        assert expected == places

    def test_the_service_never_starts_into_a_traceback(self, tmp_path: Path) -> None:
        """Loading a directory with a reserved name raises one error listing each problem."""
        (tmp_path / "mini.yaml").write_bytes(MINI)
        with pytest.raises(WorkflowInvalid) as caught:
            load_registry(tmp_path)
        expected = [f"{tmp_path / 'mini.yaml'}:11:3:", f"{tmp_path / 'mini.yaml'}:14:6:"]
        actual = [p.split(" ")[0] for p in caught.value.problems]
        assert expected == actual


class TestUnreadableFiles:
    """Bytes and structures that used to crash the checker are problems with a line."""

    def write(self, tmp_path: Path, content: bytes) -> Path:
        """Write one workflow file."""
        file = tmp_path / "w.yaml"
        file.write_bytes(content)
        return file

    def test_a_latin1_byte(self, tmp_path: Path) -> None:
        """0xE9 (a Latin-1 'é') on line 5 is named with its line and column."""
        file = self.write(tmp_path, MINI.replace(b"fr: Mini", b"fr: Mini\xe9"))
        expected = [(5, "", "byte 0xe9 is not UTF-8: save the file as UTF-8")]
        assert expected == found(file)

    @pytest.mark.parametrize(("char", "code"), [(b"\x00", "U+0000"), (b"\x1b", "U+001B")])
    def test_a_control_character(self, tmp_path: Path, char: bytes, code: str) -> None:
        """A NUL byte (or another control character) is named with its line."""
        file = self.write(tmp_path, MINI.replace(b"fr: Mini", b"fr: Mi" + char + b"ni"))
        expected = [(5, "", f"control character {code} is not allowed in a workflow file")]
        assert expected == found(file)

    @pytest.mark.parametrize(
        "content",
        [
            b"name: " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
            b"name: x\nlist:\n  " + b"- " * 50_000 + b"x\n",
            b"".join(b" " * i + b"a:\n" for i in range(1_200)),
        ],
        ids=["flow", "dashes", "indentation"],
    )
    def test_a_value_nested_50000_levels_deep(self, tmp_path: Path, content: bytes) -> None:
        """Deep nesting, in flow or block style, is one problem with a line, not a crash."""
        [(line, place, message)] = found(self.write(tmp_path, content))
        assert (
            line is not None and line >= 1,
            place,
            message.startswith("values nested too deeply"),
        ) == (True, "", True)

    def test_a_huge_file(self, tmp_path: Path) -> None:
        """A file over a megabyte is refused before it is parsed."""
        file = self.write(tmp_path, MINI + b"#" * 1_000_001)
        expected = [(1, "", "file is larger than 1000000 bytes")]
        assert expected == found(file)

    def test_the_directory_check_reports_them_all(self, tmp_path: Path) -> None:
        """Each broken file of a directory is named; none stops the others from being checked."""
        (tmp_path / "a.yaml").write_bytes(b"\xe9")
        (tmp_path / "b.yaml").write_bytes(b"\x00")
        (tmp_path / "c.yaml").write_bytes(b"[" * 100 + b"]" * 100)
        _, problems = check_directory(tmp_path)
        expected = ["a.yaml", "b.yaml", "c.yaml"]
        assert expected == [p.file.name for p in problems]


class TestBounds:
    """Every number a workflow declares has bounds, checked at its line."""

    def test_each_number_out_of_bounds_is_named(self) -> None:
        """Version, time limit, guard numbers, effects, offsets, repeats, lateness."""
        expected = [
            (3, "version"),
            (11, "states.START.time_limit"),
            (19, "transitions[0].guards[0].min_days"),
            (19, "transitions[0].guards[1].max"),
            (18, "transitions[0].effects.count"),
            (23, "reminders[0].offset_days"),
            (27, "reminders[0].repeat.every_days"),
            (27, "reminders[0].repeat.max_times"),
            (28, "reminders[0].escalation.after_days"),
            (26, "reminders[0].max_lateness"),
        ]
        problems = found(BROKEN / "numbers_out_of_bounds.yaml")
        assert expected == [(line, place) for line, place, _ in problems]

    def test_a_lateness_too_long_says_the_limit(self) -> None:
        """max_lateness beyond ten years is refused with the limit (P1M itself is a month now)."""
        messages = {place: m for _, place, m in found(BROKEN / "numbers_out_of_bounds.yaml")}
        expected = "Value error, P9999D is longer than the limit of 3660 days"
        assert expected == messages["reminders[0].max_lateness"]
