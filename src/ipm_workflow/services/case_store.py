"""The one path that records a change to a case, and what the case services share.

Every kind of change (transition, data, document, reassignment, merge, migration, cohort member,
timeout) ends in `record`: chain the history entry, replan the reminders that depend on what
changed, write the case if still at the version read; the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.clocks import CLOCK_COLUMNS, settle
from ipm_workflow.domain.engine import CompiledWorkflow
from ipm_workflow.domain.errors import InvalidInput, VersionConflict
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.domain.values import coerce
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.history import chain_entry
from ipm_workflow.services.ports import (
    Clock,
    SupportReader,
    UnitOfWork,
    UnitOfWorkFactory,
    support_on_record,
)
from ipm_workflow.services.replanning import plan_events, reconcile
from ipm_workflow.services.telemetry import NO_TELEMETRY, Telemetry

T = TypeVar("T")
# A blind change (no version from the client) retries this often when another command wrote
# the case in between; each retry re-reads the case, so nothing is lost.
BLIND_RETRIES = 50


@dataclass
class Change:
    """What one change did to a case, for its history entry and the reminders it may move."""

    kind: str
    payload: dict[str, Any]
    fields: Collection[str] = ()  # data fields that changed (reminder anchors among them)
    trigger: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    replan: bool = False  # replan whatever changed (a new case, a new workflow version)
    columns: Collection[str] | None = None  # only these columns are written (None: all)


class CaseStore:
    """The case services' shared context: transactions, workflows, time, and `record`."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        registry: WorkflowRegistry,
        clock: Clock,
        timezone: str = "Europe/Paris",
    ) -> None:
        self.uow = uow
        self.registry = registry
        self.clock = clock
        self.tz = ZoneInfo(timezone)
        # Replaced when metrics are on (entrypoints/observability.py).
        self.telemetry: Telemetry = NO_TELEMETRY
        # Replaced when the sensitive-data store is wired: eligibility reads RQTH through it.
        self.support: SupportReader = support_on_record

    def today(self, now: datetime | None = None) -> date:
        """Return the calendar day at Ipm (Europe/Paris by default)."""
        return (now or self.clock.now()).astimezone(self.tz).date()

    def workflow_of(self, case: Case) -> CompiledWorkflow:
        """Return the workflow version a case is pinned to."""
        return self.registry.get(case.workflow, case.workflow_version)

    @staticmethod
    def load(uow: UnitOfWork, case_id: int, actor: Actor) -> tuple[Case, date | None]:
        """Return a case the actor sees and its person's birth date; NotFound otherwise."""
        case, birth_date = uow.cases.get(case_id)
        policy.see_case(actor, case_id, case.mission_locale_id, case.person_id)
        return case, birth_date

    @staticmethod
    def expect(case: Case, expected: int | None) -> None:
        """Raise VersionConflict when the client named a version the case is no longer at."""
        if expected is not None and expected != case.version:
            assert case.id is not None  # noqa: S101 - loaded cases have ids
            raise VersionConflict(case.id, expected, case.version)

    @staticmethod
    def coerce(fields: Mapping[str, Any], raw: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        """Check and convert values of declared fields; InvalidInput lists every bad one."""
        errors, values = [], {}
        for name, value in raw.items():
            if name not in fields:
                errors.append({"field": f"{prefix}.{name}", "message": f"unknown field '{name}'"})
                continue
            try:
                values[name] = coerce(fields[name], value)
            except ValueError as exc:
                errors.append({"field": f"{prefix}.{name}", "message": str(exc)})
        if errors:
            raise InvalidInput("invalid case data", errors)
        return values

    def record(
        self,
        uow: UnitOfWork,
        case: Case,
        expected: int,
        change: Change,
        *,
        actor: Actor,
        now: datetime,
        request_id: str | None = None,
    ) -> HistoryEntry:
        """Chain the entry, replan dependent reminders, write the case at `expected` version."""
        assert case.id is not None  # noqa: S101 - only stored cases change
        # The version check comes first: two racing changes must not both plan the same
        # reminders (a unique violation, a 500) before one of them learns it lost (a 409).
        uow.cases.hold(case.id, expected)
        definition = self.workflow_of(case).definition
        # The state's clock first: reminders anchored on it are planned from where it stands.
        settle(case, definition, now, self.tz)
        columns = None if change.columns is None else (*change.columns, *CLOCK_COLUMNS)
        payload = dict(change.payload)
        reminded = definition.reminder_states
        moved = change.from_state != change.to_state and bool(
            {change.from_state, change.to_state} & set(reminded)
        )
        if change.replan or moved or definition.anchor_fields & set(change.fields):
            planned = reconcile(uow, definition, case, now, self.tz)
            if planned:
                payload["reminders"] = planned
        if definition.events and (change.trigger or change.from_state != change.to_state):
            answered = (change.trigger, change.from_state, change.to_state)
            if events := plan_events(uow, definition, case, answered, now):
                payload["events"] = events
        entry = chain_entry(
            case,
            actor,
            kind=change.kind,
            at=now,
            trigger=change.trigger,
            from_state=change.from_state,
            to_state=change.to_state,
            request_id=request_id,
            payload=payload,
        )
        uow.cases.update(case, expected, columns)
        uow.history.append(entry)
        return entry

    def transaction(self, work: Callable[[UnitOfWork], T], *, blind: bool = False) -> T:
        """Run `work` in one committed transaction; a blind change retries on a version race."""

        def once() -> T:
            with self.uow() as uow:
                result = work(uow)
                uow.commit()
                return result

        return retrying(once, blind=blind)


def retrying(attempt: Callable[[], T], *, blind: bool) -> T:
    """Run a whole transaction again when another command wrote the case in between.

    Only for a blind change (the client named no version): each attempt re-reads the case, so
    the change applies to the case as it then is, and no version the client never sent is cited.
    """
    for _ in range(BLIND_RETRIES - 1 if blind else 0):
        try:
            return attempt()
        except VersionConflict:
            continue
    return attempt()
