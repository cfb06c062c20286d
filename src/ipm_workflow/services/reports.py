"""Reports: run an indicator for an actor (the access policy narrows it), targets, populations.

The figures come from the database in one SQL statement per report (the port `ReportReader`;
adapters/db/report_registry.py names each report's query: journeys in report_queries.py,
supervision in report_supervision.py, funders' files in report_funders.py). This service checks
rights, narrows advisors to their missions locales, places the period in Ipm's time zone, adds
the targets and masks small counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import InvalidInput, NotFound
from ipm_workflow.domain.indicators import REPORTS, ReportDefinition
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.domain.reports import (
    PAGE_ROWS,
    Counting,
    ReportFilters,
    ReportTable,
    TargetLine,
    first_rows,
    masked,
)
from ipm_workflow.services.ports import Clock
from ipm_workflow.services.report_ports import (
    Population,
    Progress,
    ReportReader,
    ReportRequest,
    Snapshot,
    SnapshotStore,
    Target,
    WorkflowFacts,
)
from ipm_workflow.services.report_snapshots import (
    ALL_PERIODS,
    EVERY_SCOPE,
    decoded,
    encoded,
    scope_key,
)

TARGET_INDICATORS = ("referred", "assessed", "departed", "returned", "participants")


class ReportService:
    """Run reports, keep targets and reference populations."""

    def __init__(
        self,
        reader: ReportReader,
        registry: WorkflowRegistry,
        clock: Clock,
        timezone: str = "Europe/Paris",
        mask_threshold: int = 5,
        *,
        snapshots: SnapshotStore | None = None,
        refresh_minutes: int = 0,
        page_rows: int = PAGE_ROWS,
    ) -> None:
        self.reader = reader
        self.registry = registry
        self.clock = clock
        self.timezone = timezone
        self.mask_threshold = mask_threshold
        # The worker refreshes the snapshots every `refresh_minutes` (0: never, all live).
        self.snapshots = snapshots if refresh_minutes > 0 else None
        self.refresh_minutes = refresh_minutes
        # The rows a dashboard page shows of a table, and a snapshot keeps of a list of cases.
        self.page_rows = page_rows

    def catalogue(self, actor: Actor) -> list[ReportDefinition]:
        """Every report the actor may run."""
        policy.require(actor, Action.REPORTS_READ)
        return list(REPORTS.values())

    def definition(self, name: str) -> ReportDefinition:
        """A report's definition; NotFound for an unknown name."""
        if name not in REPORTS:
            raise NotFound(f"report '{name}' not found")
        return REPORTS[name]

    def run(
        self,
        name: str,
        filters: ReportFilters,
        counting: Counting | None = None,
        *,
        actor: Actor,
        masked_export: bool = False,
        progress: Progress | None = None,
        precomputed: bool = False,
        first: int | None = None,
    ) -> ReportTable:
        """Compute a report for an actor (advisors: their missions locales only).

        `masked_export`: a file that leaves Ipm; counts under the threshold are masked.
        `precomputed`: answer from the worker's latest snapshot when the request is one it
        computes ahead (no filter, the report's own counting, the actor's whole scope) and the
        snapshot is recent (two refresh periods at most); the table's `as_of` says when.
        `first`: only the first rows are wanted (a page: `page_rows`); the table's `total_rows`
        counts them all. Without it every row is returned: a snapshot holding only a list's
        first rows is then not used, the report is computed live (nothing dropped silently).
        """
        policy.require(actor, Action.REPORTS_READ)
        report = self.definition(name)
        if report.lists_people and filters.fewer_opportunities is not None:
            raise invalid_field(
                "a report listing young people cannot filter on the fewer-opportunity flag",
                "fewer_opportunities",
                "counts only",
            )
        wanted = filters.mission_locales or None
        scoped = filters.narrowed(policy.narrow(actor, wanted))
        request = ReportRequest(
            name,
            scoped,
            counting or report.counting,
            self.clock.now(),
            self.timezone,
            WorkflowFacts.of(self.registry),
            progress,
        )
        snapshot = self._snapshot_for(report, scoped, counting, first) if precomputed else None
        rows = decoded(snapshot.rows, report) if snapshot else self.reader.rows(request)
        total = snapshot.total if snapshot and not snapshot.whole else None
        table = ReportTable(
            name,
            report.title,
            report.columns,
            rows,
            scoped,
            request.counting,
            self._targets_for(table_rows=rows, report=report, filters=scoped),
            as_of=snapshot.computed_at if snapshot else None,
            total_rows=total,
        )
        if masked_export and not report.lists_people:
            table = masked(table, self.mask_threshold)
        return table if first is None else first_rows(table, first)

    def _snapshot_for(
        self,
        report: ReportDefinition,
        scoped: ReportFilters,
        counting: Counting | None,
        first: int | None,
    ) -> Snapshot | None:
        unfiltered = replace(scoped, scope=None) == ReportFilters()
        if self.snapshots is None or not unfiltered or counting not in (None, report.counting):
            return None
        found = self.snapshots.snapshot(report.name, ALL_PERIODS, scope_key(scoped.scope))
        oldest = self.clock.now() - timedelta(minutes=2 * self.refresh_minutes)
        if found is None or found.computed_at < oldest:
            return None
        # A list kept shortened answers only for as many rows as it holds.
        if not found.whole and (first is None or first > len(found.rows)):
            return None
        # A snapshot taken before the report's columns changed (a new release) is not used.
        width = len(report.columns)
        return found if all(len(row) == width for row in found.rows) else None

    def refresh(self, names: Iterable[str], readers: Iterable[Actor]) -> int:
        """Compute ahead the reports `names` as the dashboards open them (no filter), for every
        mission locale (supervisors, admins) and for each scope among `readers` that may read
        reports (an advisor's missions locales); one snapshot per report and scope, each
        stored in one transaction. Returns how many were written (none when snapshots are off).
        """
        if self.snapshots is None:
            return 0
        scopes: dict[str, list[str] | None] = {EVERY_SCOPE: None}
        for actor in readers:
            if policy.may(actor, Action.REPORTS_READ):
                scope = policy.narrow(actor, None)
                scopes.setdefault(scope_key(scope), scope)
        written = 0
        facts = WorkflowFacts.of(self.registry)
        for name in names:
            report = self.definition(name)
            for key, scope in scopes.items():
                now = self.clock.now()
                filters = ReportFilters().narrowed(scope)
                request = ReportRequest(name, filters, report.counting, now, self.timezone, facts)
                # A list of cases keeps its first rows (all a page shows) and its count, cut
                # by the database; any other table (counts by category) is kept whole.
                if report.lists_people:
                    rows, total = self.reader.first_rows(request, self.page_rows)
                else:
                    rows = self.reader.rows(request)
                    total = len(rows)
                snapshot = Snapshot(name, ALL_PERIODS, key, now, encoded(rows), total)
                self.snapshots.put_snapshot(snapshot)
                written += 1
        return written

    def _targets_for(
        self, *, table_rows: list[tuple[Any, ...]], report: ReportDefinition, filters: ReportFilters
    ) -> tuple[TargetLine, ...]:
        if report.name not in ("activity", "esf") or filters.year is None:
            return ()
        keys = [c.key for c in report.columns]
        actual: dict[str, int] = {}
        for row in table_rows:
            values = dict(zip(keys, row, strict=True))
            if report.name == "activity" and values["dimension"] == "total":
                actual = {k: values[k] for k in ("referred", "assessed", "departed", "returned")}
            if report.name == "esf" and values["indicator"] == "participants":
                actual = {"participants": values["participants"]}
        return tuple(
            TargetLine(t.indicator, t.funder, t.year, t.value, actual.get(t.indicator))
            for t in self.reader.targets(filters.year, filters.funder)
            if t.indicator in actual
        )

    def targets(self, year: int | None, funder: str | None, actor: Actor) -> list[Target]:
        """The targets set for a year and a funder (None: all)."""
        policy.require(actor, Action.REPORTS_READ)
        return self.reader.targets(year, funder)

    def set_target(self, target: Target, actor: Actor) -> Target:
        """Set a target for a year, a funder and an indicator (supervisors)."""
        policy.require(actor, Action.REPORTS_TARGETS)
        errors = []
        if target.indicator not in TARGET_INDICATORS:
            allowed = ", ".join(TARGET_INDICATORS)
            errors.append({"field": "indicator", "message": f"expected one of {allowed}"})
        if target.value < 0:
            errors.append({"field": "value", "message": "a target is zero or more"})
        if not target.funder.strip():
            errors.append({"field": "funder", "message": "name the funder"})
        if not 2000 <= target.year <= 2100:
            errors.append({"field": "year", "message": "a year between 2000 and 2100"})
        if errors:
            raise InvalidInput("invalid target", errors)
        stored = replace(
            target, funder=target.funder.strip(), set_by=actor.id, set_at=self.clock.now()
        )
        self.reader.put_target(stored)
        return stored

    def load_populations(self, populations: Sequence[Population], actor: Actor) -> int:
        """Load reference populations per mission locale and year (admins)."""
        policy.require(actor, Action.DIRECTORY)
        bad = [p for p in populations if p.population < 0 or not p.mission_locale_id]
        if bad:
            raise InvalidInput(
                "invalid populations",
                [
                    {"field": p.mission_locale_id or "?", "message": "a population is 0 or more"}
                    for p in bad
                ],
            )
        return self.reader.put_populations(populations)

    def today(self) -> date:
        """The calendar day at Ipm."""
        from zoneinfo import ZoneInfo  # noqa: PLC0415 - tiny

        return self.clock.now().astimezone(ZoneInfo(self.timezone)).date()
