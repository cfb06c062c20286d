"""Commands that run at most once per Idempotency-Key; retries replay the first answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ipm_workflow.domain.errors import IdempotencyKeyReused
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Answer:
    """What a command answered, and whether this is a replay of an earlier answer."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def run_once(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    actor: str,
    key: str,
    fingerprint: str,
    work: Callable[[UnitOfWork], Answer],
) -> Answer:
    """Run `work` in one transaction with the key claimed, or replay what the key answered."""
    with uow_factory() as uow:
        if uow.idempotency.claim(actor, key, fingerprint, clock.now()):
            answer = work(uow)
            uow.idempotency.complete(actor, key, answer.status_code, answer.body)
            uow.commit()
            return answer
    with uow_factory(readonly=True) as uow:
        stored = uow.idempotency.get(actor, key)
    if stored is None:  # pragma: no cover - a claim fails only on an existing row
        raise RuntimeError("idempotency key vanished")
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"Idempotency-Key '{key}' was already used for a different request",
            key=key,
        )
    return Answer(stored.status_code, stored.body, replayed=True)
