"""Carrying an accepted erasure request out (the retention executor's, inside its transaction)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.privacy import ErasureDecision, ErasureRequest
from ipm_workflow.services.ports import UnitOfWork

Eraser = Callable[[UnitOfWork, int, ErasureDecision], None]


def carry_out_erasure(
    uow: UnitOfWork, request_id: int, now: datetime, erase: Eraser
) -> ErasureRequest:
    """Carry out an accepted erasure request inside the caller's transaction (the caller
    commits): `erase(uow, person_id, decision)` deletes or pseudonymises the person's data,
    then the request is marked carried out. The request itself is kept (no personal data)."""
    request = uow.privacy.erasure(request_id)
    if request.decision not in (ErasureDecision.DELETION, ErasureDecision.PSEUDONYMISATION):
        raise invalid_field("not accepted", "decision", "only an accepted request")
    if request.carried_out_at is not None:
        raise invalid_field("done", "decision", "carried out already")
    erase(uow, request.person_id, request.decision)
    uow.privacy.erasure_carried_out(request_id, now)
    return uow.privacy.erasure(request_id)
