"""Moving running cases from one workflow version to another, state by state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.errors import MigrationRefused
from ipm_workflow.domain.lint import did_you_mean
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger("ipm_workflow.versions")


@dataclass(frozen=True)
class Migrated:
    """What a migration did (or would do) to one case."""

    case_id: int
    from_version: int
    to_version: int
    from_state: str
    to_state: str
    done: bool


class VersionService:
    """Migrates running cases to a new version of their workflow."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    def migrate(
        self,
        name: str,
        to_version: int,
        mapping: Mapping[str, str],
        actor: Actor,
        *,
        dry_run: bool = False,
    ) -> list[Migrated]:
        """Move every running case of a workflow to a version; refuse unmapped states."""
        policy.require(actor, Action.WORKFLOWS_MIGRATE)
        target = self.store.registry.get(name, to_version).definition
        bad_targets = {old: new for old, new in mapping.items() if new not in target.states}
        if bad_targets:
            detail = "; ".join(
                f"{old}={new}: '{new}' is not a state of v{to_version}"
                f"{did_you_mean(new, target.states)}"
                for old, new in bad_targets.items()
            )
            raise MigrationRefused(f"the mapping names unknown states: {detail}")
        query = CaseQuery(workflow=name, mission_locales=policy.narrow(actor, None), limit=10**6)
        with self.store.uow(readonly=True) as uow:
            found = uow.cases.search(query)[0]
        running = [c for c in found if c.workflow_version != to_version and c.closed_at is None]
        unmapped = Counter(
            c.state for c in running if c.state not in mapping and c.state not in target.states
        )
        if unmapped:
            listed = ", ".join(
                f"{state} ({n} case{'s' if n > 1 else ''})" for state, n in sorted(unmapped.items())
            )
            raise MigrationRefused(
                f"states missing from {name} v{to_version} and not mapped: {listed}; "
                "add --map OLD=NEW for each",
                unmapped=dict(unmapped),
            )
        plan = [(c, mapping.get(c.state, c.state)) for c in running]
        if dry_run:
            return [
                Migrated(c.id or 0, c.workflow_version, to_version, c.state, dest, False)
                for c, dest in plan
            ]
        return [self._move(c.id or 0, target, mapping, actor) for c, _ in plan]

    def _move(
        self, case_id: int, target: Workflow, mapping: Mapping[str, str], actor: Actor
    ) -> Migrated:
        store = self.store
        to_version = target.version

        def work(uow: UnitOfWork) -> Migrated:
            now = store.clock.now()
            case, _ = store.load(uow, case_id, actor)
            old_version, old_state = case.workflow_version, case.state
            expected = case.version
            case.workflow_version = to_version
            case.state = mapping.get(old_state, old_state)
            if case.clock_state is not None:
                case.clock_state = mapping.get(case.clock_state, case.clock_state)
            if case.previous_state is not None:
                previous = mapping.get(case.previous_state, case.previous_state)
                case.previous_state = previous if previous in target.states else None
            # A renamed state is the same stay: its entry time (time limit, reminder anchors)
            # is kept, so nothing sent goes out again and an overdue case stays overdue.
            case.updated_at = now
            payload = {
                "from_version": old_version,
                "to_version": to_version,
                "from_state": old_state,
                "to_state": case.state,
            }
            change = Change(
                "migrated", payload, from_state=old_state, to_state=case.state, replan=True
            )
            store.record(uow, case, expected, change, actor=actor, now=now)
            return Migrated(case_id, old_version, to_version, old_state, case.state, True)

        migrated = store.transaction(work, blind=True)
        log.info("case_migrated", case_id=case_id, to_version=to_version, actor=actor.id)
        return migrated
