"""Guardians, sensitive data (and its reads) and the communes reference in SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, insert, select, update

from ipm_workflow.adapters.db.driver import DriverStatement
from ipm_workflow.adapters.db.handles import _table, new_id, people_t
from ipm_workflow.adapters.db.mappers import aware, must
from ipm_workflow.adapters.db.tables import (
    CommuneRow,
    GuardianRow,
    PersonSensitiveRow,
    SensitiveReadRow,
)
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.people import Guardian
from ipm_workflow.domain.profile import (
    CommuneRef,
    FewerOpportunityReason,
    Sensitive,
    SensitiveRead,
    Territory,
    adult_born_by,
)

guardians_t = _table(GuardianRow)


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
sensitive_t = _table(PersonSensitiveRow)
reads_t = _table(SensitiveReadRow)
communes_t = _table(CommuneRow)
# The `guardians` columns bear the names of the Guardian's fields.
_GUARDIAN_FIELDS = tuple(f.name for f in fields(Guardian) if f.name != "id")


def _guardian(row: Mapping[Any, Any]) -> Guardian:
    values = {name: row[name] for name in _GUARDIAN_FIELDS}
    moments = {k: aware(row[k]) for k in ("consent_at", "created_at", "updated_at")}
    return Guardian(id=row["id"], **(values | moments))


class SqlGuardianRepository:
    """Legal guardians of young people."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def of(self, person_id: int) -> list[Guardian]:
        """Return a person's guardians, parental authority first, then by id."""
        rows = self.conn.execute(
            select(guardians_t)
            .where(guardians_t.c.person_id == person_id)
            .order_by(guardians_t.c.parental_authority.desc(), guardians_t.c.id)
        ).mappings()
        return [_guardian(r) for r in rows]

    def get(self, person_id: int, guardian_id: int) -> Guardian:
        """Return one guardian of a person, or raise NotFound."""
        row = (
            self.conn.execute(
                select(guardians_t).where(
                    guardians_t.c.id == guardian_id, guardians_t.c.person_id == person_id
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"guardian {guardian_id} not found")
        return _guardian(row)

    def add(self, guardian: Guardian) -> int:
        """Insert a guardian and return the id."""
        values = {name: getattr(guardian, name) for name in _GUARDIAN_FIELDS}
        guardian.id = new_id(self.conn.execute(insert(guardians_t).values(**values)))
        return guardian.id

    def update(self, guardian: Guardian) -> None:
        """Write a guardian's fields."""
        values = {name: getattr(guardian, name) for name in _GUARDIAN_FIELDS}
        self.conn.execute(
            update(guardians_t).where(guardians_t.c.id == guardian.id).values(**values)
        )

    def remove(self, person_id: int, guardian_id: int) -> None:
        """Delete a guardian of a person."""
        self.conn.execute(
            delete(guardians_t).where(
                guardians_t.c.id == guardian_id, guardians_t.c.person_id == person_id
            )
        )

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
        row = (
            self.conn.execute(select(sensitive_t).where(sensitive_t.c.person_id == person_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        reason = row["fewer_opportunities_reason"]
        return Sensitive(
            person_id=row["person_id"],
            rqth=row["rqth"],
            fewer_opportunities=row["fewer_opportunities"],
            fewer_opportunities_reason=FewerOpportunityReason(reason) if reason else None,
            inclusion_support_amount=row["inclusion_support_amount"],
            inclusion_support_justification=row["inclusion_support_justification"],
            health_needs=row["health_needs"],
            updated_at=aware(row["updated_at"]),
            updated_by=row["updated_by"],
        )

    def put(self, data: Sensitive) -> None:
        """Insert or replace a person's sensitive data."""
        values = {
            "rqth": data.rqth,
            "fewer_opportunities": data.fewer_opportunities,
            "fewer_opportunities_reason": data.fewer_opportunities_reason,
            "inclusion_support_amount": data.inclusion_support_amount,
            "inclusion_support_justification": data.inclusion_support_justification,
            "health_needs": data.health_needs,
            "updated_at": data.updated_at,
            "updated_by": data.updated_by,
        }
        where = sensitive_t.c.person_id == data.person_id
        if self.conn.execute(update(sensitive_t).where(where).values(**values)).rowcount:
            return
        self.conn.execute(insert(sensitive_t).values(person_id=data.person_id, **values))

    def record_read(self, read: SensitiveRead) -> None:
        """Keep one read of a person's sensitive data."""
        self.conn.execute(
            insert(reads_t).values(
                person_id=read.person_id,
                case_id=read.case_id,
                actor=read.actor,
                role=read.role,
                at=read.at,
                entry_point=read.entry_point,
                allowed=read.allowed,
            )
        )

    def reads(self, person_id: int) -> list[SensitiveRead]:
        """Return the reads of a person's sensitive data, oldest first."""
        rows = self.conn.execute(
            select(reads_t).where(reads_t.c.person_id == person_id).order_by(reads_t.c.id)
        ).mappings()
        return [sensitive_read(r) for r in rows]


def sensitive_read(r: Mapping[Any, Any]) -> SensitiveRead:
    """Map a `sensitive_reads` row."""
    return SensitiveRead(
        r["person_id"],
        r["actor"],
        r["role"],
        must(r["at"]),
        r["case_id"],
        r["entry_point"],
        bool(r["allowed"]),
    )


class SqlCommuneRepository:
    """The communes reference: INSEE code -> département, QPV, rural."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, insee_code: str) -> CommuneRef | None:
        """Return a commune of the reference, if loaded."""
        row = (
            self.conn.execute(select(communes_t).where(communes_t.c.insee_code == insee_code))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return CommuneRef(
            row["insee_code"], row["departement"], Territory(row["qpv"]), Territory(row["rural"])
        )

    def load(self, communes: Sequence[CommuneRef]) -> int:
        """Insert or replace communes; return how many were written."""
        for commune in communes:
            values = {
                "departement": commune.departement,
                "qpv": commune.qpv.value,
                "rural": commune.rural.value,
            }
            where = communes_t.c.insee_code == commune.insee_code
            if not self.conn.execute(update(communes_t).where(where).values(**values)).rowcount:
                self.conn.execute(
                    insert(communes_t).values(insee_code=commune.insee_code, **values)
                )
        return len(communes)
