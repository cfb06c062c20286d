"""Uploads' rows, in SQL (the files themselves are in the file store)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from ipm_workflow.adapters.db.handles import cases_t, new_id
from ipm_workflow.adapters.db.mappers import aware, must
from ipm_workflow.adapters.db.tables import UploadRow
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.uploads import Upload

uploads_t: Table = UploadRow.__table__  # type: ignore[attr-defined]
_COLUMNS = tuple(f.name for f in fields(Upload) if f.name != "id")
_DECISION = ("storage_key", "valid_from", "valid_until", "status", "decided_by", "decided_at")


class SqlUploadRepository:
    """Uploads, added, decided and read per case or per person."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, upload: Upload) -> int:
        """Insert an upload and return its id."""
        values = {name: getattr(upload, name) for name in _COLUMNS}
        return new_id(self.conn.execute(insert(uploads_t).values(**values)))

    def get(self, upload_id: int) -> Upload:
        """Return an upload, or raise NotFound."""
        row = (
            self.conn.execute(select(uploads_t).where(uploads_t.c.id == upload_id))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"upload {upload_id} not found")
        return _upload(row)

    def for_case(self, case_id: int) -> list[Upload]:
        """Return a case's uploads, newest first."""
        rows = self.conn.execute(
            select(uploads_t)
            .where(uploads_t.c.case_id == case_id)
            .order_by(uploads_t.c.uploaded_at.desc(), uploads_t.c.id.desc())
        ).mappings()
        return [_upload(r) for r in rows]

    def for_person(self, person_id: int) -> list[Upload]:
        """Return every upload of a person's cases, oldest first."""
        rows = self.conn.execute(
            select(uploads_t).where(uploads_t.c.person_id == person_id).order_by(uploads_t.c.id)
        ).mappings()
        return [_upload(r) for r in rows]

    def awaiting(self, mission_locales: list[str] | None, limit: int) -> list[Upload]:
        """Uploads still to validate on the cases of some missions locales (None: all), oldest
        first."""
        query = (
            select(uploads_t)
            .join(cases_t, cases_t.c.id == uploads_t.c.case_id)
            .where(uploads_t.c.status == "received")
        )
        if mission_locales is not None:
            query = query.where(cases_t.c.mission_locale_id.in_(mission_locales))
        query = query.order_by(uploads_t.c.uploaded_at, uploads_t.c.id).limit(limit)
        return [_upload(r) for r in self.conn.execute(query).mappings()]

    def update(self, upload: Upload) -> None:
        """Write an upload's decision, validity dates and storage key."""
        values = {name: getattr(upload, name) for name in (*_DECISION, "refusal_reason")}
        self.conn.execute(update(uploads_t).where(uploads_t.c.id == upload.id).values(**values))

    def move_to_case(self, from_case: int, to_case: int, to_person: int) -> list[int]:
        """Move a case's uploads to another case and its person (a merge); their ids."""
        c = uploads_t.c
        moved = self.conn.execute(select(c.id).where(c.case_id == from_case).order_by(c.id))
        ids = [int(i) for i in moved.scalars()]
        if ids:
            self.conn.execute(
                update(uploads_t).where(c.id.in_(ids)).values(case_id=to_case, person_id=to_person)
            )
        return ids


def _upload(row: Any) -> Upload:
    values = {name: row[name] for name in _COLUMNS}
    values["uploaded_at"] = must(row["uploaded_at"])
    values["decided_at"] = aware(row["decided_at"])
    return Upload(id=row["id"], **values)
