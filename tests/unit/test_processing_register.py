"""The record of processing is generated from the workflow files, the access policy and the
retention rules: nothing in it is written by hand."""

from __future__ import annotations

import pytest

from ipm_workflow.domain.errors import Forbidden
from ipm_workflow.domain.policy import OPERATOR_ACTOR, Actor
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.processing_register import processing_register, register_markdown

RULES = [
    {
        "id": "ml_practice",
        "keeps": "personal_data",
        "until": {"age": 27, "after_case_end": {"years": 0}},
        "legal_basis": "GDPR art. 6(1)(e)",
        "source": "i-milo practice",
    },
    {
        "id": "esf_control",
        "keeps": "pseudonymised_record",
        "covers": {"when_field": "esf_operation"},
        "until": {
            "after_case_end": {
                "years": 5,
                "date_field": "balance_paid_on",
                "from_end_of_year": True,
            }
        },
        "legal_basis": "GDPR art. 6(1)(c)",
        "source": "CPR art. 82",
    },
]


class TestRegister:
    """Which data, for which purpose, kept how long, shown to whom."""

    def test_generated_from_the_configuration(self, shipped_registry: WorkflowRegistry) -> None:
        """Each shipped journey and its personal fields; the rules in words; the policy's roles."""
        register = processing_register(shipped_registry, RULES, OPERATOR_ACTOR)
        by_category = {p.category.split(":")[0]: p for p in register.processings}
        journeys = sorted(k for k in by_category if k.startswith("journey "))
        expected = (
            [
                f"journey {c.definition.name} v{c.definition.version}"
                for c in shipped_registry.latest()
            ],
            True,
            ["advisor", "supervisor"],
            [
                "ml_practice (everyone): keeps personal_data until age 27, whichever is later, "
                "0 years after the end; legal basis: GDPR art. 6(1)(e); source: i-milo practice",
                "esf_control (cases with esf_operation set): keeps pseudonymised_record 5 years "
                "after the end of balance_paid_on (else the case's end), from 31 December of that "
                "year; legal basis: GDPR art. 6(1)(c); source: CPR art. 82",
            ],
        )
        actual = (
            journeys,
            "mentor_name (text, personal)" in by_category["journey erasmus_vet_long v1"].data,
            by_category["sensitive data (special categories)"].shown_to,
            register.retention_rules,
        )
        assert (sorted(expected[0]), *expected[1:]) == actual
        assert "## sensitive data (special categories)" in register_markdown(register)

    def test_advisors_may_not_read_it(self, shipped_registry: WorkflowRegistry) -> None:
        """The record of processing is for supervisors, admins and the console operator."""
        with pytest.raises(Forbidden):
            processing_register(shipped_registry, RULES, Actor("user:1", "advisor", frozenset()))
