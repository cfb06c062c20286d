"""Fixtures of the workflow journey tests: the referring mission locale registers the person."""

from __future__ import annotations

from datetime import date

import pytest
from workflow_driver import ML_ACTOR

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person


@pytest.fixture
def person(container: Container) -> Person:
    """A young person aged 20, registered by mission locale A, who opens the cases here."""
    registered = container.people.register(
        Person(None, "Camille", "Exemple", date(2005, 6, 15)), ML_ACTOR
    )
    return registered.person
