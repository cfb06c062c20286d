"""The core tables as SQLAlchemy Core handles, shared by the stores, and the new-key helper."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from ipm_workflow.adapters.db.tables import (
    CaseRow,
    CohortRow,
    HistoryRow,
    MissionLocaleRow,
    PersonRow,
    UserMissionLocaleRow,
    UserRow,
)


def new_id(result: Any) -> int:
    """Return the primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has a generated key
        raise RuntimeError("the insert returned no primary key")
    return int(key[0])


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


cases_t = _table(CaseRow)
history_t = _table(HistoryRow)
people_t = _table(PersonRow)
ml_t = _table(MissionLocaleRow)
users_t = _table(UserRow)
user_ml_t = _table(UserMissionLocaleRow)
cohorts_t = _table(CohortRow)
