"""The reports' ports: the request the SQL sees, targets, populations, the reader that
computes them, and the store of the reports computed ahead (snapshots)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.domain.reports import Counting, ReportFilters

Progress = Callable[[int, int], None]  # (done, total) steps of a long report


@dataclass(frozen=True)
class WorkflowFacts:
    """What the SQL needs to know of the declared workflows: phases, initial and final states."""

    phases: dict[tuple[str, str], str]  # (workflow, state) -> phase
    initial: dict[str, str]  # workflow -> initial state
    terminal: frozenset[tuple[str, str]]
    documents: dict[str, tuple[str, ...]]  # workflow -> declared documents

    @classmethod
    def of(cls, registry: WorkflowRegistry) -> WorkflowFacts:
        """Collect the facts of every workflow version."""
        phases: dict[tuple[str, str], str] = {}
        initial: dict[str, str] = {}
        terminal: set[tuple[str, str]] = set()
        documents: dict[str, tuple[str, ...]] = {}
        for compiled in registry.all():
            d = compiled.definition
            initial[d.name] = d.initial_state
            documents[d.name] = tuple(sorted({*documents.get(d.name, ()), *d.documents}))
            for name, state in d.states.items():
                phases[(d.name, name)] = state.phase
                if state.terminal:
                    terminal.add((d.name, name))
        return cls(phases, initial, frozenset(terminal), documents)


@dataclass(frozen=True)
class ReportRequest:
    """One report run as the SQL sees it."""

    name: str
    filters: ReportFilters
    counting: Counting
    now: datetime
    timezone: str
    workflows: WorkflowFacts
    progress: Progress | None = None


@dataclass(frozen=True)
class Target:
    """A target a supervisor sets: so many (people or starts) for an indicator, a year, a funder."""

    year: int
    funder: str
    indicator: str
    value: int
    set_by: str | None = None
    set_at: datetime | None = None


@dataclass(frozen=True)
class Population:
    """The reference population of a mission locale's area for a year (young people, e.g. 16-25)."""

    mission_locale_id: str
    year: int
    population: int


class ReportReader(Protocol):
    """The reports' SQL, targets and reference populations."""

    def rows(self, request: ReportRequest) -> list[tuple[Any, ...]]:
        """Compute one report's rows in the database."""
        ...

    def first_rows(self, request: ReportRequest, limit: int) -> tuple[list[tuple[Any, ...]], int]:
        """A report's first `limit` rows (its own order) and the count of all its rows."""
        ...

    def targets(self, year: int | None, funder: str | None) -> list[Target]:
        """Return the targets set (for a year, a funder; None: all)."""
        ...

    def put_target(self, target: Target) -> None:
        """Set (or replace) a target."""
        ...

    def put_populations(self, populations: Sequence[Population]) -> int:
        """Replace the populations of the given (mission locale, year) pairs; return a count."""
        ...


@dataclass(frozen=True)
class Snapshot:
    """A report's rows computed ahead (the worker's job): for a period ("all": none) and a
    scope ("*": every mission locale, else their sorted ids joined by commas), at a moment.

    `rows` may be only the report's first rows (a list of cases, see `ReportService.refresh`);
    `total` counts all of them (None: a snapshot written before the count was kept, whole).
    """

    report: str
    period: str
    scope: str
    computed_at: datetime
    rows: list[list[Any]]  # JSON values: dates as ISO text (see `encoded`)
    total: int | None = None

    @property
    def whole(self) -> bool:
        """Whether `rows` are all the report's rows."""
        return self.total is None or self.total <= len(self.rows)


class SnapshotStore(Protocol):
    """Where the precomputed reports are kept."""

    def snapshot(self, report: str, period: str, scope: str) -> Snapshot | None:
        """The latest snapshot of a report for a period and a scope, if any."""
        ...

    def put_snapshot(self, snapshot: Snapshot) -> None:
        """Replace a report's snapshot for its period and scope, in one transaction."""
        ...
