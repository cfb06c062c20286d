"""Writing history entries: each one chained to the entry before it in the same case."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ipm_workflow.domain.cases import Case, HistoryEntry, chain_hash, payload_digest
from ipm_workflow.services.commands import Actor


def chain_entry(
    case: Case,
    actor: Actor,
    *,
    kind: str,
    at: datetime,
    payload: Mapping[str, Any],
    trigger: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    request_id: str | None = None,
) -> HistoryEntry:
    """Build the next entry of a case's chain and advance the case's head to it."""
    assert case.id is not None  # noqa: S101 - entries are written for stored cases
    salt = secrets.token_hex(16)
    fields: dict[str, Any] = {
        "case_id": case.id,
        "seq": case.history_seq + 1,
        "at": at,
        "actor": actor.id,
        "role": actor.role,
        "kind": kind,
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "workflow": case.workflow,
        "workflow_version": case.workflow_version,
        "request_id": request_id,
        "payload": dict(payload),
        "payload_salt": salt,
        "payload_digest": payload_digest(salt, payload),
        "prev_hash": case.history_head,
    }
    entry = HistoryEntry(**fields, hash=chain_hash(fields))
    case.history_seq = entry.seq
    case.history_head = entry.hash
    return entry
