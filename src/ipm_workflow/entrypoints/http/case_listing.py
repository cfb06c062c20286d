"""A case listing's shapes: its page, its phases, its sort keys and its keyset cursors."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Literal

from litestar.exceptions import ValidationException
from pydantic import BaseModel, Field

from ipm_workflow.bootstrap import sortable_case_fields
from ipm_workflow.domain.cases import Case
from ipm_workflow.entrypoints.http.schemas import CaseOut
from ipm_workflow.services.case_ports import COUNT_LIMIT

SORTABLE = sortable_case_fields()

Phase = Literal[
    "orientation", "preparation", "departure", "abroad", "return", "follow_up", "closed"
]


# Keyset paging: a cursor is the last case's (sort value, id), opaque to clients.
_DATED = frozenset({"opened_at", "updated_at", "state_entered_at"})


def cursor_after(case: Case, key: str) -> str:
    """The cursor of the page that follows a case, in a listing sorted by `key`."""
    value = getattr(case, key)
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, case.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_position(cursor: str, key: str) -> tuple[Any, int]:
    """The (sort value, id) a cursor stands for; a 400 if it is not one of ours."""
    try:
        value, case_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if key in _DATED:
            value = datetime.fromisoformat(value)
        elif key == "id":
            value = int(value)
        elif not isinstance(value, str):
            raise TypeError(value)
        return value, int(case_id)
    except (ValueError, TypeError) as exc:
        raise ValidationException("after: not a cursor of this listing") from exc


class CasePage(BaseModel):
    """One page of a case listing."""

    items: list[CaseOut]
    total: int
    total_capped: bool = Field(
        default=False,
        description=f"True when more cases match than `total`: counting stops past "
        f"{COUNT_LIMIT:,} matches (`total` is then {COUNT_LIMIT:,}); page on with `next`.",
    )
    limit: int
    offset: int
    next: str | None = Field(
        default=None,
        description="When the page is full: pass it as `after` for the next page (keyset "
        "paging, as fast at page 1,000 as at page 1).",
    )
