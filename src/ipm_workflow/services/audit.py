"""Anchoring and erasing history: checkpoints of every chain's head, and recorded erasures."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import structlog

from ipm_workflow.domain.cases import HistoryEntry, utc_iso
from ipm_workflow.domain.chain import (
    ERASURE_KIND,
    Checkpoint,
    CheckpointFinding,
    compare_with_checkpoint,
    erasure_payload,
)
from ipm_workflow.domain.errors import InvalidInput, NotFound
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor

log = structlog.get_logger("ipm_workflow.audit")


class AuditService:
    """Checkpoints of the chains' heads, comparison against one, and recorded erasures."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self.uow = store.uow
        self.clock = store.clock

    def checkpoint(self) -> Checkpoint:
        """Read every case's head now; log the digest (a second copy outside the database)."""
        with self.uow(readonly=True) as uow:
            heads = {}
            for case_id in uow.cases.ids():
                case, _ = uow.cases.get(case_id)
                heads[case_id] = (case.history_seq, case.history_head)
        checkpoint = Checkpoint(utc_iso(self.clock.now()), heads)
        log.info(
            "audit_checkpoint",
            digest=checkpoint.digest(),
            cases=len(heads),
            taken_at=checkpoint.taken_at,
        )
        return checkpoint

    def compare(self, checkpoint: Checkpoint) -> list[CheckpointFinding]:
        """Name every case whose chain was cut, rolled back or deleted since the checkpoint."""
        with self.uow(readonly=True) as uow:

            def entries_of(case_id: int) -> Sequence[HistoryEntry] | None:
                entries = uow.history.for_case(case_id)
                if entries:
                    return entries
                try:
                    uow.cases.get(case_id)
                except NotFound:
                    return None
                return entries

            return compare_with_checkpoint(checkpoint, entries_of)

    def erase(self, case_id: int, seqs: Collection[int], rule: str, actor: Actor) -> HistoryEntry:
        """Blank some entries' payloads, chaining a record of which, when and by what rule."""
        if not seqs or not rule.strip():
            raise InvalidInput("name the entries to erase and the rule that requires it", [])
        with self.uow() as uow:
            case, _ = uow.cases.get(case_id)
            unknown = sorted(s for s in seqs if not 1 <= s <= case.history_seq)
            if unknown:
                raise InvalidInput(f"case {case_id} has no entries {unknown}", [])
            now, expected = self.clock.now(), case.version
            case.updated_at = now
            change = Change(ERASURE_KIND, erasure_payload(seqs, rule))
            record = self.store.record(uow, case, expected, change, actor=actor, now=now)
            uow.history.erase_payloads(case_id, seqs)
            uow.commit()
        log.info("payloads_erased", case_id=case_id, entries=sorted(seqs), rule=rule)
        return record
