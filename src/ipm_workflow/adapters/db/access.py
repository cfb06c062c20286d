"""Repositories for API tokens and idempotency keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from ipm_workflow.adapters.db.handles import new_id
from ipm_workflow.adapters.db.mappers import changed, first, insert_record, record_of, records
from ipm_workflow.adapters.db.tables import ApiTokenRow, IdempotencyRow, table_of
from ipm_workflow.services.case_ports import StoredAnswer
from ipm_workflow.services.ports import TokenRecord

tokens_t = table_of(ApiTokenRow)
idem_t = table_of(IdempotencyRow)


class SqlTokenRepository:
    """API tokens, known by their hash only."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self, user_id: int, token_hash: str, label: str, created_at: datetime, expires_at: datetime
    ) -> TokenRecord:
        """Store a new token's hash."""
        token = TokenRecord(0, user_id, label, created_at, expires_at, None)
        result = insert_record(self.conn, tokens_t, token, token_hash=token_hash)
        return replace(token, id=new_id(result))

    def by_hash(self, token_hash: str) -> TokenRecord | None:
        """Return the token with this hash, if any."""
        row = first(self.conn, tokens_t, tokens_t.c.token_hash == token_hash)
        return record_of(TokenRecord, row) if row else None

    def for_user(self, user_id: int) -> list[TokenRecord]:
        """Return a user's tokens, newest first."""
        theirs = select(tokens_t).where(tokens_t.c.user_id == user_id)
        return records(self.conn, TokenRecord, theirs.order_by(tokens_t.c.id.desc()))

    def revoke(self, token_id: int, at: datetime) -> bool:
        """Revoke a token; return whether it existed and was active."""
        active = (tokens_t.c.id == token_id, tokens_t.c.revoked_at.is_(None))
        return changed(self.conn, tokens_t, *active, revoked_at=at)


class SqlIdempotencyRepository:
    """Answers kept per (actor, Idempotency-Key)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def claim(self, actor: str, key: str, fingerprint: str, at: datetime) -> bool:
        """Reserve a key inside the transaction; False when it is already taken."""
        # On PostgreSQL a concurrent claim of the same key waits here for the first transaction,
        # then fails: the loser replays the winner's answer instead of acting twice.
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    insert(idem_t).values(
                        actor=actor,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=0,
                        body={},
                        created_at=at,
                    )
                )
        except IntegrityError:
            return False
        return True

    def get(self, actor: str, key: str) -> StoredAnswer | None:
        """Return the stored answer for a key, if any."""
        row = first(self.conn, idem_t, idem_t.c.actor == actor, idem_t.c.key == key)
        return record_of(StoredAnswer, row) if row else None

    def complete(self, actor: str, key: str, status_code: int, body: dict[str, Any]) -> None:
        """Record the answer of a claimed key."""
        self.conn.execute(
            update(idem_t)
            .where(idem_t.c.actor == actor, idem_t.c.key == key)
            .values(status_code=status_code, body=body)
        )
