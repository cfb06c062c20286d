"""The one idempotency mechanism: a command runs at most once per (actor, Idempotency-Key).

The key is claimed before the work, in the work's own transaction, so the claim, the work and
the stored answer commit together or not at all; a retry replays the answer; the same key with
another request is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from ipm_workflow.domain.errors import IdempotencyKeyReused
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

R = TypeVar("R")


@dataclass(frozen=True)
class Answer:
    """What a command answered, and whether this is a replay of an earlier answer."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def answer_of(result: Any) -> Answer:
    """The answer kept for a per-case result (a dataclass whose `items` are dataclasses): its
    fields as JSON objects, all but `replayed` (a stored answer is never a replay itself)."""
    body = asdict(result)
    body.pop("replayed", None)
    return Answer(200, body)


def result_of(kind: Callable[..., R], item: Callable[..., Any], answer: Answer) -> R:
    """Rebuild a per-case result of type `kind` from its answer, each item through `item`,
    saying whether the answer was replayed."""
    items = [item(**i) for i in answer.body["items"]]
    return kind(**{**answer.body, "items": items}, replayed=answer.replayed)


def tally(result: Any) -> dict[str, Any]:
    """A per-case result's log fields: how many items went well (`ok`) or not, and whether the
    result is a replay."""
    ok = sum(bool(i.ok) for i in result.items)
    return {"ok": ok, "failed": len(result.items) - ok, "replayed": result.replayed}


def fingerprint(method: str, path: str, body: Any) -> str:
    """Identify a request: SHA-256 hex (64 characters) of method, path and canonical JSON body."""
    canonical = json.dumps(
        [method.upper(), path, body],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# A keyed command's work, inside the transaction that claims its key.
Work = Callable[[UnitOfWork], Answer]


class Idempotency:
    """Runs keyed commands once; every endpoint taking an Idempotency-Key goes through here."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    def run(self, actor: Actor | str, key: str | None, request: str, work: Work) -> Answer:
        """Claim the key, run `work` and store its answer in one transaction, or replay.

        `request` is the request's `fingerprint`. Raises IdempotencyKeyReused when the key was
        used for another request. Without a key (None or empty), `work` runs in one committed
        transaction and nothing is kept to replay.
        """
        if not key:
            with self.uow() as uow:
                answer = work(uow)
                uow.commit()
                return answer
        # Keys live in their owner's space: an actor's id, or a named space (referral imports).
        owner = actor if isinstance(actor, str) else actor.id
        with self.uow() as uow:
            if uow.idempotency.claim(owner, key, request, self.clock.now()):
                answer = work(uow)
                uow.idempotency.complete(owner, key, answer.status_code, answer.body)
                uow.commit()
                return answer
        with self.uow(readonly=True) as uow:
            stored = uow.idempotency.get(owner, key)
        if stored is None:  # pragma: no cover - a claim fails only on an existing row
            raise RuntimeError("idempotency key vanished")
        if stored.fingerprint != request:
            raise IdempotencyKeyReused(
                f"Idempotency-Key '{key}' was already used for a different request", key=key
            )
        return Answer(stored.status_code, stored.body, replayed=True)
