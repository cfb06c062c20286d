"""Sound workflow files are remembered by content: a start skips parsing, never a check."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ipm_workflow.adapters import workflow_cache, workflow_files
from ipm_workflow.config import ROOT

SHIPPED = ROOT / "workflows"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache of its own."""
    directory = tmp_path / "cache"
    monkeypatch.setattr(workflow_cache, "CACHE_DIR", directory)
    return directory


@pytest.fixture
def workflows(tmp_path: Path) -> Path:
    """A copy of the shipped workflows and their templates."""
    target = tmp_path / "workflows"
    shutil.copytree(SHIPPED, target)
    return target


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every file parsed from now on."""
    parsed: list[Path] = []
    real = workflow_files._parse_document

    def spy(file: Path) -> Any:
        parsed.append(file)
        return real(file)

    monkeypatch.setattr(workflow_files, "_parse_document", spy)
    return parsed


class TestWorkflowCache:
    """What the cache remembers, and when it does not."""

    def test_second_load_parses_nothing_and_gives_equal_definitions(
        self, cache_dir: Path, workflows: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The same files load from the cache to definitions equal to the parsed ones."""
        first, problems = workflow_files.check_directory(workflows)
        parsed = _no_parsing(monkeypatch)
        second, again = workflow_files.check_directory(workflows)
        expected = ([], [], [], [w.model_dump() for w in first])
        assert expected == (problems, again, parsed, [w.model_dump() for w in second])

    def test_a_changed_file_is_parsed_again(
        self, cache_dir: Path, workflows: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One byte changed in one file: that file, and only it, is parsed again."""
        workflow_files.check_directory(workflows)
        target = workflows / "external_referral.v1.yaml"
        target.write_text(target.read_text() + "\n# reviewed\n")
        parsed = _no_parsing(monkeypatch)
        _, problems = workflow_files.check_directory(workflows)
        expected = ([], [target])
        assert expected == (problems, parsed)

    def test_problems_across_files_keep_their_line_numbers(
        self, cache_dir: Path, workflows: Path
    ) -> None:
        """A duplicate of a cached file is still reported with the line of its version."""
        workflow_files.check_directory(workflows)
        shutil.copy(workflows / "external_referral.v1.yaml", workflows / "zz_copy.yaml")
        _, problems = workflow_files.check_directory(workflows)
        [problem] = problems
        expected = ("zz_copy.yaml", "version", 6)  # `version: 1` is on line 6 of that file
        assert expected == (problem.file.name, problem.place, problem.line)

    def test_a_damaged_cache_entry_falls_back_to_parsing(
        self, cache_dir: Path, workflows: Path
    ) -> None:
        """A cache file that does not read as a definition is ignored."""
        first, _ = workflow_files.check_directory(workflows)
        for entry in cache_dir.iterdir():
            entry.write_text("{not json")
        second, problems = workflow_files.check_directory(workflows)
        expected = ([], [w.model_dump() for w in first])
        assert expected == (problems, [w.model_dump() for w in second])

    def test_broken_files_are_never_remembered(self, cache_dir: Path) -> None:
        """Files with problems leave nothing in the cache: they are checked every time."""
        _, problems = workflow_files.check_directory(
            ROOT / "tests" / "fixtures" / "broken_workflows"
        )
        expected = (True, False)
        assert expected == (bool(problems), cache_dir.exists() and any(cache_dir.iterdir()))
