"""Fixtures of the workflow journey tests: a person referred by mission locale A, a journey."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person, User
from ipm_workflow.services.commands import Actor
from journey import ML_ACTOR, Journey


@pytest.fixture
def person(container: Container) -> Person:
    """A young person aged 20, registered by mission locale A, who opens the cases here."""
    registered = container.people.register(
        Person(None, "Camille", "Exemple", date(2005, 6, 15)), ML_ACTOR
    )
    return registered.person


@pytest.fixture
def drive(
    request: pytest.FixtureRequest,
    container: Container,
    clock: ManualClock,
    advisor: Actor,
    directory: Mapping[str, User],
) -> Journey:
    """A journey on the test module's WORKFLOW, opened from its DRIVE_OPENING or OPENING."""
    module = request.module
    opening = getattr(module, "DRIVE_OPENING", module.OPENING)
    return Journey(
        container, advisor, clock, workflow=module.WORKFLOW, opening=opening, opener=ML_ACTOR
    )


@pytest.fixture
def case_id(drive: Journey, person: Person) -> int:
    """A freshly referred case of the 20-year-old person, on the module's workflow."""
    assert person.id is not None
    return drive.open(person.id)
