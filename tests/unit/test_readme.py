"""The README shows what the code does: its diagrams are the workflows' current ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipm_workflow.adapters.workflow_files import check_directory
from ipm_workflow.config import ROOT
from ipm_workflow.domain.diagram import mermaid

README = (ROOT / "README.md").read_text(encoding="utf-8")
WORKFLOWS, _ = check_directory(ROOT / "workflows")


class TestReadme:
    """README.md against the shipped workflows and commands."""

    @pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
    def test_each_workflow_diagram_is_current(self, workflow: object) -> None:
        """Each shipped workflow's Mermaid diagram appears in the README exactly as generated."""
        diagram = mermaid(workflow)  # type: ignore[arg-type]
        assert f"```mermaid\n{diagram}```" in README

    def test_the_two_commands_come_first(self) -> None:
        """The README opens with `make run` and `make test`, before anything else to type."""
        first_block = README.split("```sh", 1)[1].split("```", 1)[0]
        expected = ["make run", "make test"]
        assert expected == [
            line.split("#")[0].strip()
            for line in first_block.strip().splitlines()
            if line.startswith("make")
        ]

    def test_every_shipped_workflow_is_listed(self) -> None:
        """The table of programmes names every workflow file."""
        files = sorted(p.name for p in Path(ROOT / "workflows").glob("*.yaml"))
        missing = [f for f in files if f"`{f}`" not in README]
        assert not missing
