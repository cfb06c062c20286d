"""The core tables as SQLAlchemy Core handles, shared by the stores, and the new-key helper."""

from __future__ import annotations

from typing import Any

from ipm_workflow.adapters.db.tables import (
    CaseRow,
    CohortRow,
    HistoryRow,
    MissionLocaleRow,
    PersonRow,
    UserMissionLocaleRow,
    UserRow,
    table_of,
)


def new_id(result: Any) -> int:
    """Return the primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has a generated key
        raise RuntimeError("the insert returned no primary key")
    return int(key[0])


cases_t = table_of(CaseRow)
history_t = table_of(HistoryRow)
people_t = table_of(PersonRow)
ml_t = table_of(MissionLocaleRow)
users_t = table_of(UserRow)
user_ml_t = table_of(UserMissionLocaleRow)
cohorts_t = table_of(CohortRow)
