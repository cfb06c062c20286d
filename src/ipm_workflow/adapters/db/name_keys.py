"""The name search's key on each case: its young person's names, lower-cased, in one column.

One rule decides which cases a name search finds, on SQLite and PostgreSQL alike: the text
(trimmed, lower-cased) is contained in the young person's first or last name, lower-cased by
the database (`lower()`, so accents behave as each database lower-cases them), `%` and `_`
being letters like any other. The names are copied onto their cases (`cases.name_key`,
0024_name_key) so that PostgreSQL intersects a mission locale and the text's trigrams in one
index (GIN, `btree_gin` + `pg_trgm`) before reading any row: at a million cases the search
no longer reads thousands of people to recheck them.

The key is personal data kept in step with `people` by the writes of a person's names:
`refresh` after an edit, a merge or a pseudonymisation (the person stores call it),
`of_person` when a case is opened (the person's row locked until then); a deleted person's
cases are deleted with them. A pseudonymised person's key holds their pseudonym only, as
their row does.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, false, func, select, update

from ipm_workflow.adapters.db.handles import cases_t, people_t

# Between the two names: a control character no one types in a search box or a name, so a
# text never straddles the first and the last name (a text holding it finds nothing).
SEPARATOR = "\x1f"
# LIKE's escape character: the search text's `%` and `_` are matched as themselves.
_ESCAPE = "\\"
# PostgreSQL's trigram index finds a text by its runs of three letters or digits. A text with
# none (one or two letters) would make the index read every trigram it holds, per place: that
# text is searched on the rows of its places instead. The statement's shape tells the two
# apart, so a plan cached for one kind of text (a prepared statement) never serves the other.
_TRIGRAM = re.compile(r"[^\W_]{3}")


def _key(people: Any) -> ColumnElement[str]:
    """The key of a `people` row: lower(first name) SEPARATOR lower(last name)."""
    return func.lower(people.c.first_name) + SEPARATOR + func.lower(people.c.last_name)


def of_person(person_id: Any, *, lock: bool = False) -> Any:
    """The key of a person by id, as a scalar subquery.

    `lock` (a new case's key) holds the person's row until the case is committed (PostgreSQL's
    FOR SHARE; SQLite serialises writers already): a rename waits for the case and then
    refreshes it, or the case waits for the rename and copies the new names.
    """
    stmt = select(_key(people_t)).where(people_t.c.id == person_id)
    return (stmt.with_for_update(read=True) if lock else stmt).scalar_subquery()


def refresh(conn: Connection, person_id: int) -> int:
    """Copy a person's current names onto their cases' keys; how many cases changed.

    Cases whose key is already right are not rewritten (a consent change costs no case write).
    """
    key = of_person(cases_t.c.person_id)
    stmt = (
        update(cases_t)
        .where(cases_t.c.person_id == person_id, cases_t.c.name_key != key)
        .values(name_key=key)
    )
    return int(conn.execute(stmt).rowcount)


def contains(text: str) -> ColumnElement[bool]:
    """The cases whose young person's first or last name contains the text (any case)."""
    needle = text.strip().lower()
    if SEPARATOR in needle:
        return false()
    for special in (_ESCAPE, "%", "_"):
        needle = needle.replace(special, _ESCAPE + special)
    key = cases_t.c.name_key if _TRIGRAM.search(needle) else cases_t.c.name_key.concat("")
    return key.like(f"%{needle}%", escape=_ESCAPE)
