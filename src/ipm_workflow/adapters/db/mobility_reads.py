"""The departed mobilities of one grant agreement, for the Beneficiary Module's import file.

One SQL query on both databases: the cases whose `grant_project_code` is the grant agreement
and that started their stay abroad (`actual_start` recorded), with their young person and the
fewer-opportunity flag (never its reason). Merged-away duplicates are left out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, select

from ipm_workflow.adapters.db.handles import cases_t, people_t
from ipm_workflow.adapters.db.tables import PersonSensitiveRow, table_of
from ipm_workflow.domain.beneficiary_module import Mobility

sensitive_t: Table = table_of(PersonSensitiveRow)
MERGED_STATE = "MERGED"


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class SqlMobilityReads:
    """Read the mobilities of a grant agreement."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def departed(self, grant: str, mission_locales: list[str] | None) -> list[Mobility]:
        """The grant agreement's cases that departed (within some current missions locales;
        None: all), oldest case first."""
        data = cases_t.c.data
        within = (
            [] if mission_locales is None else [cases_t.c.mission_locale_id.in_(mission_locales)]
        )
        stmt = (
            select(
                cases_t.c.id,
                people_t.c.id.label("person_id"),
                people_t.c.first_name,
                people_t.c.last_name,
                people_t.c.birth_date,
                people_t.c.gender,
                people_t.c.email,
                sensitive_t.c.fewer_opportunities,
                data["host_organisation"].as_string(),
                data["destination_country"].as_string(),
                data["actual_start"].as_string(),
                data["actual_end"].as_string(),
                data["planned_end"].as_string(),
                data["early_return_reason"].as_string(),
            )
            .select_from(
                cases_t.join(people_t, people_t.c.id == cases_t.c.person_id).outerjoin(
                    sensitive_t, sensitive_t.c.person_id == people_t.c.id
                )
            )
            .where(
                data["grant_project_code"].as_string() == grant,
                data["actual_start"].as_string().is_not(None),
                cases_t.c.state != MERGED_STATE,
                *within,
            )
            .order_by(cases_t.c.id)
        )
        found = []
        for r in self.conn.execute(stmt):
            start = _date(r[10])
            if start is None:
                continue
            found.append(
                Mobility(
                    case_id=r[0],
                    person_id=r[1],
                    first_name=r[2],
                    last_name=r[3],
                    birth_date=r[4],
                    gender=r[5],
                    email=r[6],
                    fewer_opportunities=bool(r[7]),
                    host_organisation=r[8],
                    destination_country=r[9],
                    start=start,
                    end=_date(r[11]) or _date(r[12]),
                    early_return_reason=r[13],
                )
            )
        return found
