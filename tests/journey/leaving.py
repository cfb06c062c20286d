"""Ways out of a journey that every programme declares alike, checked the same way.

Each function plays one scenario through a `Journey` and returns what the test compares with
its own hand-written expectation (as in `journey.endings`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from ipm_workflow.domain.errors import InvalidInput

from .service import Journey

WITHDRAWAL_REASON_REQUIRED = [{"field": "inputs.withdrawal_reason", "message": "required"}]


def withdrawn_for(drive: Journey, case_id: int, code: str) -> tuple[str, Any, datetime | None]:
    """Withdraw the case: refused without a reason code (`WITHDRAWAL_REASON_REQUIRED`), fired
    with `code`.

    Returns (the case's state, its `withdrawal_reason`, its `closed_at`).
    """
    with pytest.raises(InvalidInput) as caught:
        drive.fire(case_id, "withdraw")
    assert caught.value.errors == WITHDRAWAL_REASON_REQUIRED
    case = drive.fire(case_id, "withdraw", {"withdrawal_reason": code}).case
    return case.state, case.data["withdrawal_reason"], case.closed_at
