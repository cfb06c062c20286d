"""Verifying a case's history chain: links, digests, the case's head, and recorded erasures."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ipm_workflow.domain.cases import GENESIS_HASH, HistoryEntry, canonical_json, payload_digest
from ipm_workflow.domain.errors import InvalidInput


@dataclass(frozen=True)
class ChainReport:
    """Result of recomputing one case's history chain."""

    case_id: int
    entries: int
    ok: bool
    broken_seq: int | None = None
    problem: str | None = None


# An erased payload is replaced by this, its salt removed; the digest stays and still chains.
ERASED_PAYLOAD: Mapping[str, Any] = {}
# The chained entry that records an erasure: which entries, by which rule (its own payload is
# never erased, so what it says is checked against its digest like any other).
ERASURE_KIND = "payload_erased"


def erasure_payload(seqs: Iterable[int], rule: str) -> dict[str, Any]:
    """The payload of an erasure record: the erased entries' numbers and the rule applied."""
    return {"erased": sorted(set(seqs)), "rule": rule}


def _erasures(entries: Sequence[HistoryEntry]) -> dict[int, int]:
    """Map each erased entry's number to the number of the record that erased it."""
    recorded: dict[int, int] = {}
    for entry in entries:
        if entry.kind == ERASURE_KIND and entry.payload_salt:
            for seq in entry.payload.get("erased", []):
                if isinstance(seq, int) and seq < entry.seq:
                    recorded.setdefault(seq, entry.seq)
    return recorded


def verify_chain(
    case_id: int,
    entries: Sequence[HistoryEntry],
    current_state: str | None = None,
    head: tuple[int, str] | None = None,
) -> ChainReport:
    """Recompute every hash and digest; name the first entry that does not match.

    `head` is the (sequence, hash) the case row recorded last: entries cut off the end of the
    history are found by comparing it with the last entry. An erased payload is accepted only
    where a later erasure record of the same chain names it.
    """
    prev = GENESIS_HASH
    state: str | None = None
    erased = _erasures(entries)
    for expected_seq, entry in enumerate(entries, start=1):
        problem = _entry_problem(entry, expected_seq, prev, state, erased)
        if problem:
            return ChainReport(case_id, len(entries), False, entry.seq, problem)
        prev = entry.hash
        state = entry.to_state if entry.to_state is not None else state
    if head is not None and (len(entries), prev) != head:
        seq, digest = head
        if len(entries) < seq:
            problem = (
                f"the case's last entry is {seq} but the history stops at "
                f"{len(entries)}: entries missing from the end"
            )
            return ChainReport(case_id, len(entries), False, len(entries) + 1, problem)
        problem = f"the case records entry {seq} with hash {digest[:12]}…, the history differs"
        return ChainReport(case_id, len(entries), False, min(seq, len(entries)), problem)
    if current_state is not None and entries and state != current_state:
        last = entries[-1].seq
        problem = f"history ends in {state} but the case is in {current_state}"
        return ChainReport(case_id, len(entries), False, last, problem)
    return ChainReport(case_id, len(entries), True)


def _payload_problem(entry: HistoryEntry, erased: Mapping[int, int]) -> str | None:
    if entry.payload_salt:
        if payload_digest(entry.payload_salt, entry.payload) != entry.payload_digest:
            return "payload does not match its digest"
        return None
    # No salt: only an erasure leaves that, and an erasure leaves nothing else behind.
    if entry.kind == ERASURE_KIND:
        return "an erasure record lost its salt: what it erased can no longer be checked"
    if dict(entry.payload) != ERASED_PAYLOAD:
        return "payload without its salt: neither verifiable nor erased (forged?)"
    if entry.seq not in erased:
        return "payload erased, but no erasure record of this case names the entry"
    return None


def _entry_problem(
    entry: HistoryEntry,
    expected_seq: int,
    prev: str,
    state: str | None,
    erased: Mapping[int, int],
) -> str | None:
    if entry.seq != expected_seq:
        return f"sequence number {entry.seq} where {expected_seq} was expected (entry missing?)"
    if entry.prev_hash != prev:
        return "previous-hash link does not match the entry before it"
    if entry.computed_hash() != entry.hash:
        return "stored hash does not match the entry's content"
    payload = _payload_problem(entry, erased)
    if payload:
        return payload
    if entry.from_state is not None and state is not None and entry.from_state != state:
        return f"starts from {entry.from_state} but the entry before ended in {state}"
    return None


@dataclass(frozen=True)
class Checkpoint:
    """Every case's chain head at a moment, digested, to keep where the database cannot reach.

    A chain proves its own entries consistent, but not that none were cut off its end together
    with a matching roll-back of the case row; a head kept outside the database does.
    """

    taken_at: str
    heads: Mapping[int, tuple[int, str]]

    def digest(self) -> str:
        """SHA-256 of the checkpoint's canonical content: the value to note down or log."""
        content = {
            "taken_at": self.taken_at,
            "heads": {str(k): list(v) for k, v in self.heads.items()},
        }
        return hashlib.sha256(canonical_json(content).encode()).hexdigest()

    def to_json(self) -> str:
        """The file's content: heads, time and the digest that seals them."""
        heads = {str(k): list(v) for k, v in sorted(self.heads.items())}
        body = {"taken_at": self.taken_at, "heads": heads, "digest": self.digest()}
        return json.dumps(body, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Read a checkpoint file; raise InvalidInput if it is malformed or was edited."""
        try:
            raw = json.loads(text)
            heads = {int(k): (int(v[0]), str(v[1])) for k, v in raw["heads"].items()}
            checkpoint = cls(str(raw["taken_at"]), heads)
            sealed = str(raw["digest"])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise InvalidInput("not a checkpoint file", []) from None
        if checkpoint.digest() != sealed:
            raise InvalidInput("the checkpoint file was altered: its digest does not match", [])
        return checkpoint


@dataclass(frozen=True)
class CheckpointFinding:
    """A case whose chain no longer contains the head a checkpoint recorded."""

    case_id: int
    problem: str


def compare_with_checkpoint(
    checkpoint: Checkpoint, entries_of: Callable[[int], Sequence[HistoryEntry] | None]
) -> list[CheckpointFinding]:
    """Name every case cut, rolled back or deleted since the checkpoint (None: case gone)."""
    findings = []
    for case_id, (seq, head) in sorted(checkpoint.heads.items()):
        entries = entries_of(case_id)
        if entries is None:
            problem = f"the case is gone; the checkpoint saw {seq} entries"
        elif len(entries) < seq:
            problem = (
                f"cut: the checkpoint saw entry {seq}, the history stops at {len(entries)} "
                f"(entries {len(entries) + 1}–{seq} removed)"
            )
        elif entries[seq - 1].hash != head:
            problem = f"rewritten or rolled back: entry {seq} is not the one the checkpoint saw"
        else:
            continue
        findings.append(CheckpointFinding(case_id, problem))
    return findings
