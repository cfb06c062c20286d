"""The departure check every programme shares: papers valid for the stay, checklist, ready."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from ipm_workflow.domain.errors import GuardFailed

from .service import Journey, messages

TRAVEL_PAPERS = ("identity", "insurance", "ceam")


def departure_refused(
    drive: Journey, case_id: int, valid_until: date, checklist: Mapping[str, Any]
) -> list[str]:
    """Record the `TRAVEL_PAPERS` (valid until `valid_until`) and the `checklist` data, then
    confirm the case ready.

    Returns the messages of the refusal; fails the test when `confirm_ready` is not refused
    by a guard.
    """
    for document in TRAVEL_PAPERS:
        drive.doc(case_id, document, valid_until=valid_until)
    drive.set(case_id, **checklist)
    with pytest.raises(GuardFailed) as caught:
        drive.fire(case_id, "confirm_ready")
    return messages(caught.value)
