"""Hot-path writes compiled once by SQLAlchemy, then run straight on the driver's cursor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_Compiled = tuple[str, list[str] | None, dict[str, Callable[[Any], Any]]]
_Reader = tuple[list[str], list[Callable[[Any], Any] | None]]


class DriverStatement:
    """A Core statement whose SQL and bind processors are prepared once per dialect.

    SQLAlchemy still writes the SQL, the parameter order and each type's conversion (JSON,
    timestamps); only the per-call machinery around `Connection.execute` is skipped, which on
    the transition's hot path cost more than the statements themselves.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: WeakKeyDictionary[Dialect, _Compiled] = WeakKeyDictionary()
        self._readers: WeakKeyDictionary[Dialect, _Reader] = WeakKeyDictionary()

    def _prepare(self, dialect: Dialect) -> _Compiled:
        compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect))
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
        order = list(compiled.positiontup or []) if compiled.positional else None
        prepared = (str(compiled), order, processors)
        self._compiled[dialect] = prepared
        return prepared

    def _run(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        sql, order, processors = self._compiled.get(conn.dialect) or self._prepare(conn.dialect)
        values = {k: processors[k](v) if k in processors else v for k, v in params.items()}
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        args = [values[n] for n in order] if order is not None else values
        dbapi = conn.dialect.loaded_dbapi
        try:
            cursor.execute(sql, args)
        except dbapi.Error as exc:
            cursor.close()
            # The same exception classes as through SQLAlchemy (IntegrityError, DataError…).
            raise DBAPIError.instance(sql, args, exc, dbapi.Error) from exc
        return cursor

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run in the connection's current transaction; return the number of rows touched."""
        cursor = self._run(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _reader(self, dialect: Dialect) -> _Reader:
        columns = list(getattr(self.statement, "selected_columns", []))
        reader = (
            [c.key for c in columns],
            [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns],
        )
        self._readers[dialect] = reader
        return reader

    def fetch_one(self, conn: Connection, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """Run a SELECT and return its first row by column key, values converted by type."""
        names, processors = self._readers.get(conn.dialect) or self._reader(conn.dialect)
        cursor = self._run(conn, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return {
            name: process(value) if process is not None and value is not None else value
            for name, process, value in zip(names, processors, row, strict=True)
        }
