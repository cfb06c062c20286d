"""The journey in plain words: every phase in use has them, they name real states, and they
never show an internal state name; the shipped workflows all have them."""

from __future__ import annotations

from pathlib import Path

from ipm_workflow.adapters.workflow_files import parse_file
from ipm_workflow.domain import journey
from ipm_workflow.domain.registry import WorkflowRegistry

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "tests" / "fixtures" / "broken_workflows" / "plain_words.yaml"


class TestPlainWordsLint:
    """Each problem is reported at its file, line and column."""

    def test_problems_point_at_their_place(self) -> None:
        """A phase without words (at `phases`), a misspelt state, a state name shown."""
        workflow, problems = parse_file(FILE)
        assert workflow is None
        expected = [
            (
                f"{FILE}:17:3",
                "plain.phases",
                "phase 'preparation' (state 'READY') has no plain words for the young "
                "person's pages",
            ),
            (f"{FILE}:25:5", "plain.states.STRAT", "unknown state 'STRAT' (did you mean 'START'?)"),
            (
                f"{FILE}:26:13",
                "plain.states.START.fr",
                "plain words show the internal state name 'START'",
            ),
        ]
        actual = [(f"{p.file}:{p.line}:{p.column}", p.place, p.message) for p in problems]
        assert expected == actual


class TestShippedWorkflows:
    """The four shipped workflows speak plainly in every state."""

    def test_every_state_has_plain_words(self, shipped_registry: WorkflowRegistry) -> None:
        """Each state of each shipped workflow has a 'where you are' in French and English."""
        missing = [
            (c.definition.name, state)
            for c in shipped_registry.all()
            for state in c.definition.states
            if journey.where(c.definition, state) is None
        ]
        assert missing == []
