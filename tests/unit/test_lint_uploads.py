"""Who provides each document (`provided_by`): declared, checked, and kept sensible by the lint."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError
from test_lint import base_workflow, lint_dict

from ipm_workflow.domain.definitions import Workflow

GUARDIAN_ONLY = {"label": {"fr": "AST", "en": "Travel authorisation"}, "provided_by": ["guardian"]}


def _needing_ast(**guard: object) -> dict[str, object]:
    raw = copy.deepcopy(base_workflow())
    raw["documents"]["ast"] = GUARDIAN_ONLY
    raw["transitions"][0]["guards"] = [{"kind": "documents_present", "documents": ["ast"], **guard}]
    return raw


class TestProvidedBy:
    """`provided_by` in the checklist."""

    def test_the_young_person_provides_by_default(self) -> None:
        """A document that says nothing is the young person's to send."""
        workflow = Workflow.model_validate(base_workflow())
        assert workflow.documents["identity"].provided_by == ["young_person"]

    def test_an_unknown_provider_is_refused(self) -> None:
        """Only the young person and the guardian upload; a typo is an error, not a default."""
        raw = copy.deepcopy(base_workflow())
        raw["documents"]["identity"]["provided_by"] = ["gardian"]
        with pytest.raises(ValidationError):
            Workflow.model_validate(raw)

    def test_a_guardian_only_document_needed_of_an_adult_is_a_lint_problem(self) -> None:
        """An adult has no guardian to send it: the guard must hold only for minors."""
        expected = [
            (
                ("transitions", 0, "guards", 0, "documents", 0),
                "document 'ast' is provided by a guardian only: a guard needing it must hold "
                "only for minors (only_if_minor_at), an adult has no guardian",
            )
        ]
        assert expected == lint_dict(_needing_ast())
        assert lint_dict(_needing_ast(only_if_minor_at="start")) == []
