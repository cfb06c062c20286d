"""Uploads' rows, in SQL (the files themselves are in the file store)."""

from __future__ import annotations

from sqlalchemy import Connection, Table, select, update

from ipm_workflow.adapters.db.handles import cases_t, new_id
from ipm_workflow.adapters.db.mappers import insert_record, one_record, records
from ipm_workflow.adapters.db.tables import UploadRow, table_of
from ipm_workflow.domain.uploads import Upload

uploads_t: Table = table_of(UploadRow)
_DECISION = ("storage_key", "valid_from", "valid_until", "status", "decided_by", "decided_at")


class SqlUploadRepository:
    """Uploads, added, decided and read per case or per person."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, upload: Upload) -> int:
        """Insert an upload and return its id."""
        return new_id(insert_record(self.conn, uploads_t, upload))

    def get(self, upload_id: int) -> Upload:
        """Return an upload, or raise NotFound."""
        missing = f"upload {upload_id} not found"
        return one_record(
            self.conn, Upload, uploads_t, uploads_t.c.id == upload_id, missing=missing
        )

    def for_case(self, case_id: int) -> list[Upload]:
        """Return a case's uploads, newest first."""
        mine = select(uploads_t).where(uploads_t.c.case_id == case_id)
        newest = mine.order_by(uploads_t.c.uploaded_at.desc(), uploads_t.c.id.desc())
        return records(self.conn, Upload, newest)

    def for_person(self, person_id: int) -> list[Upload]:
        """Return every upload of a person's cases, oldest first."""
        theirs = select(uploads_t).where(uploads_t.c.person_id == person_id)
        return records(self.conn, Upload, theirs.order_by(uploads_t.c.id))

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
        return records(self.conn, Upload, query)

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
