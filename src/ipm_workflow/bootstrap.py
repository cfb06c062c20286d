"""The composition root: the one place that wires adapters into services."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from ipm_workflow.adapters.clock import SystemClock
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.config import Settings
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.auth import TokenService
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.people import PeopleService
from ipm_workflow.services.ports import Clock


@dataclass
class Container:
    """Everything an entry point needs, built once from settings."""

    settings: Settings
    engine: Engine
    registry: WorkflowRegistry
    clock: Clock
    cases: CaseService = field(init=False)
    people: PeopleService = field(init=False)
    tokens: TokenService = field(init=False)

    def __post_init__(self) -> None:
        uow = SqlUnitOfWorkFactory(self.engine)
        self.uow = uow
        self.cases = CaseService(uow, self.registry, self.clock, self.settings.timezone)
        self.people = PeopleService(uow, self.clock)
        self.tokens = TokenService(uow, self.clock)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    registry: WorkflowRegistry | None = None,
) -> Container:
    """Build the container; an invalid workflow stops the start with every problem listed."""
    settings = settings or Settings()
    return Container(
        settings=settings,
        engine=engine or create_db_engine(settings.database_url),
        registry=registry or load_registry(settings.workflows_dir),
        clock=clock or SystemClock(),
    )
