"""Translation between table rows and domain objects, and the statements every store writes
the same way (read one row or many as records, insert a record, update or insert, change once)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_type_hints

from sqlalchemy import Connection, CursorResult, RowMapping, Select, Table, insert, select, update

from ipm_workflow.adapters.db.tables import CaseRow, HistoryRow, PersonRow, table_of
from ipm_workflow.domain.cases import Case, Document, HistoryEntry
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.people import Person

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Most tables' columns bear the names of their records' fields: one mapping serves them all.
R = TypeVar("R", bound="DataclassInstance")


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive timestamps; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def must(moment: datetime | None) -> datetime:
    """Return a timestamp that the schema guarantees is set."""
    result = aware(moment)
    if result is None:
        raise ValueError("timestamp column unexpectedly empty")
    return result


def record_of(cls: type[R], row: Mapping[Any, Any], **given: Any) -> R:
    """Build a record (a dataclass) from a row whose columns bear its fields' names.

    Timestamps come back UTC-aware (SQLite returns them naive); `given` supplies the fields
    that need more than a column's value (an enum, a decoded document) or are no column.
    """
    values = {name: row[name] for name in _fields(cls) if name not in given}
    for name in _moments(cls):
        if name in values:
            values[name] = aware(values[name])
    return cls(**values, **given)


def values_of(
    record: DataclassInstance, table: Table, *, leave: Iterable[str] = ("id",)
) -> dict[str, Any]:
    """The column values of a record: its fields that are columns of `table`, but `leave`."""
    skipped = set(leave)
    names = _columns(type(record), table)
    return {name: getattr(record, name) for name in names if name not in skipped}


def first(conn: Connection, table: Table, *where: Any) -> RowMapping | None:
    """The first row of `table` meeting every condition (a mapping), or None."""
    return conn.execute(select(table).where(*where)).mappings().first()


@cache
def _fields(cls: type[DataclassInstance]) -> tuple[str, ...]:
    # Asked on every row read: `fields()` builds its tuple anew each time.
    return tuple(f.name for f in fields(cls))


@cache
def _moments(cls: type[DataclassInstance]) -> frozenset[str]:
    # The fields typed `datetime` or `datetime | None` (SQLite gives them back naive).
    hints = get_type_hints(cls)
    return frozenset(
        name for name in _fields(cls) if datetime in (hints[name], *get_args(hints[name]))
    )


@cache
def _columns(cls: type[DataclassInstance], table: Table) -> tuple[str, ...]:
    return tuple(name for name in _fields(cls) if name in table.c)


def one_record(conn: Connection, cls: type[R], table: Table, *where: Any, missing: str) -> R:
    """The record of the first row of `table` meeting every condition.

    Raises NotFound(missing) when no row does.
    """
    row = first(conn, table, *where)
    if row is None:
        raise NotFound(missing)
    return record_of(cls, row)


def records(conn: Connection, cls: type[R], statement: Select[Any]) -> list[R]:
    """The records of every row a statement selects, in its order."""
    return [record_of(cls, row) for row in conn.execute(statement).mappings()]


def insert_record(
    conn: Connection,
    table: Table,
    record: DataclassInstance,
    *,
    leave: Iterable[str] = ("id",),
    **more: Any,
) -> CursorResult[Any]:
    """Insert a record's column values (but `leave`; `more` adds or overrides); the result."""
    return conn.execute(insert(table).values(values_of(record, table, leave=leave) | more))


def changed(conn: Connection, table: Table, *where: Any, **values: Any) -> bool:
    """Set `values` on the rows meeting every condition; whether any row was changed.

    With a condition on the old value (`used_at IS NULL`), the one caller that gets True won.
    """
    return bool(conn.execute(update(table).where(*where).values(**values)).rowcount)


def upsert(
    conn: Connection, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Update the row with this key, or insert it (the same statements on both databases)."""
    if not changed(conn, table, *(table.c[name] == value for name, value in key.items()), **values):
        conn.execute(insert(table).values(**key, **values))


def case_from_row(row: Mapping[Any, Any]) -> Case:
    """Build a case aggregate from a `cases` row."""
    documents = row["documents"] or {}
    return record_of(
        Case,
        row,
        data=dict(row["data"] or {}),
        documents={k: Document.from_dict(k, v) for k, v in documents.items()},
        clock_paused_seconds=row["clock_paused_seconds"] or 0,
    )


# The `cases` columns a case's values fill (its id is the database's, its version the lock's).
_CASE_COLUMNS = tuple(
    f.name
    for f in fields(Case)
    if f.name in table_of(CaseRow).c and f.name not in ("id", "version")
)


def case_values(case: Case, columns: Iterable[str] | None = None) -> dict[str, Any]:
    """Return the column values of a case (without id and version), or only some of them."""
    values = {name: getattr(case, name) for name in (_CASE_COLUMNS if columns is None else columns)}
    if "documents" in values:
        values["documents"] = {k: d.as_dict() for k, d in case.documents.items()}
    return values


def entry_from_row(row: Mapping[Any, Any]) -> HistoryEntry:
    """Build a history entry from a `history_entries` row (its columns are the entry's fields)."""
    return record_of(HistoryEntry, row, at=must(row["at"]), payload=row["payload"] or {})


def entry_values(entry: HistoryEntry) -> dict[str, Any]:
    """Return the column values of a history entry."""
    return values_of(entry, table_of(HistoryRow), leave=()) | {"payload": dict(entry.payload)}


def person_from_row(row: Mapping[Any, Any]) -> Person:
    """Build a person from a `people` row (its columns are the person's fields)."""
    return record_of(Person, row)


def person_values(person: Person) -> dict[str, Any]:
    """Return the column values of a person (without id)."""
    return values_of(person, table_of(PersonRow))
