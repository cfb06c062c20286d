"""What a database is for: production or a training sandbox; and the sandbox's clock offset."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from ipm_workflow.adapters.db.database import READONLY
from ipm_workflow.adapters.db.handles import cases_t
from ipm_workflow.adapters.db.tables import InstanceRow, table_of
from ipm_workflow.domain.errors import DomainError

instance_t = table_of(InstanceRow)
MODE = "mode"
OFFSET = "clock_offset_seconds"
PRODUCTION, SANDBOX = "production", "sandbox"


class WrongInstance(DomainError):
    """A production service met a sandbox database, or the other way round."""

    kind = "wrong-instance"


def _get(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(instance_t.c.value).where(instance_t.c.key == key)).scalar()


def _insert_absent(engine: Engine, key: str, value: str) -> bool:
    """Insert `key` = `value` unless the key has a row; return whether this call inserted it.

    Processes started together on a new database (two workers, several servers) all find the
    key missing: the first insert wins and the others' unique-key errors are the answer, not
    a crash.
    """
    try:
        with engine.begin() as conn:
            conn.execute(insert(instance_t).values(key=key, value=value))
    except IntegrityError:
        return False
    return True


def _set(engine: Engine, key: str, value: str) -> None:
    update_it = update(instance_t).where(instance_t.c.key == key).values(value=value)
    with engine.begin() as conn:
        if conn.execute(update_it).rowcount:
            return
    if not _insert_absent(engine, key, value):
        with engine.begin() as conn:  # inserted meanwhile by another process: the last write wins
            conn.execute(update_it)


def claim_mode(engine: Engine, sandbox: bool) -> str:
    """Check (or, on a new database, set) what this database is for; refuse a mismatch."""
    wanted = SANDBOX if sandbox else PRODUCTION
    if not inspect(engine).has_table(instance_t.name):
        raise WrongInstance(
            f"the database schema is not current "
            f"({engine.url.render_as_string()}): run `ipm-workflow db upgrade`"
        )
    mode = _get(engine, MODE)
    if mode is None:
        with engine.connect() as conn:
            has_cases = conn.execute(select(func.count()).select_from(cases_t)).scalar_one() > 0
        # A database that already holds cases predates the marker: it is production. The
        # first process to claim a new database decides; the others read its claim.
        _insert_absent(engine, MODE, PRODUCTION if has_cases else wanted)
        mode = _get(engine, MODE)
    if mode != wanted:
        if sandbox:
            raise WrongInstance(
                f"this is a production database ({engine.url.render_as_string()}): the training "
                "sandbox never runs on one; give it its own database (IPM_SANDBOX_DATABASE_URL)"
            )
        raise WrongInstance(
            f"this is a training sandbox database ({engine.url.render_as_string()}): a "
            "production service refuses it; start it with `ipm-workflow serve --sandbox`"
        )
    return mode


class SandboxClock:
    """Real time shifted by an offset that trainers move forward; the offset is persisted.

    The offset is read at every call, so every process on the sandbox database (API and
    worker alike) follows a move made by any of them; a training sandbox can afford the read.
    While a move is processed the clock is frozen in this process: real time passing meanwhile
    must neither push the due moments into the past nor carry the clock past its target.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._frozen: datetime | None = None

    def _read(self) -> timedelta:
        # A deferred (read-only) transaction: it must not wait for the write lock a unit of
        # work of this very thread may hold on SQLite.
        with self.engine.connect().execution_options(**{READONLY: True}) as conn:
            value = conn.execute(
                select(instance_t.c.value).where(instance_t.c.key == OFFSET)
            ).scalar()
        return timedelta(seconds=float(value or 0))

    def _persist(self, moment: datetime) -> None:
        _set(self.engine, OFFSET, str((moment - datetime.now(UTC)).total_seconds()))

    def now(self) -> datetime:
        """Return the sandbox's current time (the held moment while a move is processed)."""
        frozen = self._frozen
        return frozen if frozen is not None else datetime.now(UTC) + self._read()

    def freeze(self) -> datetime:
        """Stop the sandbox time in this process until `thaw`; return the held moment."""
        with self._lock:
            if self._frozen is None:
                self._frozen = datetime.now(UTC) + self._read()
            return self._frozen

    def thaw(self) -> None:
        """Let time flow again from the held moment."""
        with self._lock:
            if self._frozen is not None:
                self._persist(self._frozen)
            self._frozen = None

    def move_to(self, moment: datetime) -> datetime:
        """Jump forward to a moment (never back; ValueError) and persist the new offset."""
        with self._lock:
            current = self._frozen if self._frozen is not None else datetime.now(UTC) + self._read()
            if moment < current:
                raise ValueError("the sandbox clock only moves forward")
            if self._frozen is not None:
                self._frozen = moment
            self._persist(moment)
            return moment
