"""The one idempotency mechanism: a command runs at most once per (actor, Idempotency-Key).

The key is claimed before the work, in the work's own transaction, so the claim, the work and
the stored answer commit together or not at all; a retry replays the answer; the same key with
another request is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ipm_workflow.domain.errors import IdempotencyKeyReused
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Answer:
    """What a command answered, and whether this is a replay of an earlier answer."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


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


class Idempotency:
    """Runs keyed commands once; every endpoint taking an Idempotency-Key goes through here."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    def run(
        self, actor: Actor | str, key: str, request: str, work: Callable[[UnitOfWork], Answer]
    ) -> Answer:
        """Claim the key, run `work` and store its answer in one transaction, or replay.

        `request` is the request's `fingerprint`. Raises IdempotencyKeyReused when the key was
        used for another request.
        """
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
