"""Guardians, sensitive data (and its reads) and the communes reference in SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, select, update

from ipm_workflow.adapters.db.driver import DriverStatement
from ipm_workflow.adapters.db.handles import new_id, people_t
from ipm_workflow.adapters.db.mappers import (
    first,
    insert_record,
    one_record,
    record_of,
    records,
    upsert,
    values_of,
)
from ipm_workflow.adapters.db.tables import (
    CommuneRow,
    GuardianRow,
    PersonSensitiveRow,
    SensitiveReadRow,
    table_of,
)
from ipm_workflow.domain.people import Guardian
from ipm_workflow.domain.profile import (
    CommuneRef,
    FewerOpportunityReason,
    Sensitive,
    SensitiveRead,
    Territory,
    adult_born_by,
)

guardians_t = table_of(GuardianRow)


def _minors_without_guardian(people: Any, born_by: Any) -> list[Any]:
    """The people (a condition on their ids) who are minors then, with no guardian on file."""
    return [
        people,
        people_t.c.birth_date > born_by,
        ~exists().where(guardians_t.c.person_id == people_t.c.id),
    ]


_ONE_MINOR_WITHOUT_GUARDIAN = DriverStatement(
    select(people_t.c.id).where(
        *_minors_without_guardian(people_t.c.id == bindparam("b_person"), bindparam("b_born_by"))
    )
)
sensitive_t = table_of(PersonSensitiveRow)
reads_t = table_of(SensitiveReadRow)
communes_t = table_of(CommuneRow)


class SqlGuardianRepository:
    """Legal guardians of young people."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def of(self, person_id: int) -> list[Guardian]:
        """Return a person's guardians, parental authority first, then by id."""
        theirs = select(guardians_t).where(guardians_t.c.person_id == person_id)
        first_authority = (guardians_t.c.parental_authority.desc(), guardians_t.c.id)
        return records(self.conn, Guardian, theirs.order_by(*first_authority))

    def get(self, person_id: int, guardian_id: int) -> Guardian:
        """Return one guardian of a person, or raise NotFound."""
        missing = f"guardian {guardian_id} not found"
        one = self._one(person_id, guardian_id)
        return one_record(self.conn, Guardian, guardians_t, *one, missing=missing)

    @staticmethod
    def _one(person_id: int, guardian_id: int) -> tuple[Any, ...]:
        return guardians_t.c.id == guardian_id, guardians_t.c.person_id == person_id

    def add(self, guardian: Guardian) -> int:
        """Insert a guardian and return the id."""
        guardian.id = new_id(insert_record(self.conn, guardians_t, guardian))
        return guardian.id

    def update(self, guardian: Guardian) -> None:
        """Write a guardian's fields."""
        values = values_of(guardian, guardians_t)
        self.conn.execute(
            update(guardians_t).where(guardians_t.c.id == guardian.id).values(**values)
        )

    def remove(self, person_id: int, guardian_id: int) -> None:
        """Delete a guardian of a person."""
        self.conn.execute(delete(guardians_t).where(*self._one(person_id, guardian_id)))

    def minors_without_guardian(self, person_ids: Sequence[int], on: date) -> set[int]:
        """Return those of the people who are minors on a day with no guardian on file."""
        if not person_ids:
            return set()
        if len(person_ids) == 1:  # each transition's answer asks: prepared once
            params = {"b_person": person_ids[0], "b_born_by": adult_born_by(on)}
            one = _ONE_MINOR_WITHOUT_GUARDIAN.fetch_one(self.conn, params)
            return {one["id"]} if one else set()
        found = self.conn.execute(
            select(people_t.c.id).where(
                *_minors_without_guardian(people_t.c.id.in_(list(person_ids)), adult_born_by(on))
            )
        ).scalars()
        return set(found)


class SqlSensitiveRepository:
    """Sensitive data of young people, and who read it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, person_id: int) -> Sensitive | None:
        """Return a person's sensitive data, if any was recorded."""
        row = first(self.conn, sensitive_t, sensitive_t.c.person_id == person_id)
        return sensitive_of(row) if row else None

    def put(self, data: Sensitive) -> None:
        """Insert or replace a person's sensitive data."""
        values = values_of(data, sensitive_t, leave=("person_id",))
        upsert(self.conn, sensitive_t, {"person_id": data.person_id}, values)

    def record_read(self, read: SensitiveRead) -> None:
        """Keep one read of a person's sensitive data."""
        insert_record(self.conn, reads_t, read)

    def reads(self, person_id: int) -> list[SensitiveRead]:
        """Return the reads of a person's sensitive data, oldest first."""
        rows = self.conn.execute(
            select(reads_t).where(reads_t.c.person_id == person_id).order_by(reads_t.c.id)
        ).mappings()
        return [sensitive_read(r) for r in rows]


def sensitive_of(r: Mapping[Any, Any]) -> Sensitive:
    """Map a `person_sensitive` row (its reason of fewer opportunities, if any, an enum)."""
    reason = r["fewer_opportunities_reason"]
    reason_of = FewerOpportunityReason(reason) if reason else None
    return record_of(Sensitive, r, fewer_opportunities_reason=reason_of)


def sensitive_read(r: Mapping[Any, Any]) -> SensitiveRead:
    """Map a `sensitive_reads` row."""
    return record_of(SensitiveRead, r)


class SqlCommuneRepository:
    """The communes reference: INSEE code -> département, QPV, rural."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, insee_code: str) -> CommuneRef | None:
        """Return a commune of the reference, if loaded."""
        row = first(self.conn, communes_t, communes_t.c.insee_code == insee_code)
        if row is None:
            return None
        territory = {"qpv": Territory(row["qpv"]), "rural": Territory(row["rural"])}
        return record_of(CommuneRef, row, **territory)

    def load(self, communes: Sequence[CommuneRef]) -> int:
        """Insert or replace communes; return how many were written."""
        for commune in communes:
            values = {
                "departement": commune.departement,
                "qpv": commune.qpv.value,
                "rural": commune.rural.value,
            }
            upsert(self.conn, communes_t, {"insee_code": commune.insee_code}, values)
        return len(communes)
