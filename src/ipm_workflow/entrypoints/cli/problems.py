"""The command line's one error mapping: every failure becomes one clear line, never a traceback.

Like `entrypoints/http/problems.py` for HTTP: domain errors, database errors and bad values are
translated here once. A line never repeats a value the operator typed (it may be personal data);
it names the option instead.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from ipm_workflow.domain.errors import DomainError

# Exit codes: 1 for a refused command (domain rule, bad value), 2 for an environment not ready
# (database not migrated or unreachable, invalid workflow or retention files), 70 for a fault
# of ours.
REFUSED, NOT_READY, INTERNAL = 1, 2, 70
# SQLSTATE of PostgreSQL for an unknown table or column: a schema that is not current.
UNDEFINED_TABLE, UNDEFINED_COLUMN = "42P01", "42703"
NOT_READY_KINDS = frozenset(
    {"workflow-invalid", "database-not-ready", "wrong-instance", "retention-config-invalid"}
)


class BadValue(Exception):
    """A command-line value that cannot be read; the message names the option, not the value."""


def _database_url() -> str:
    """The database the command used, password hidden (best effort: settings may be broken)."""
    try:
        from sqlalchemy.engine import make_url  # noqa: PLC0415 - only after a database error

        from ipm_workflow.config import Settings  # noqa: PLC0415

        return make_url(Settings().active_database_url).render_as_string()
    except Exception:  # a message about the error must not fail in its turn
        return "the configured database"


def _database_problem(exc: Exception) -> tuple[str, int] | None:
    """Explain an SQLAlchemy error in one line, or None when it is not one."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None or not isinstance(exc, sa_exc.SQLAlchemyError):
        return None
    orig: Any = getattr(exc, "orig", None)
    # The first line only: PostgreSQL's DETAIL lines quote the offending values.
    first = str(orig if orig is not None else exc).strip().splitlines()[0:1]
    detail = first[0] if first else type(exc).__name__
    sqlstate = getattr(orig, "sqlstate", None)
    url = _database_url()
    if sqlstate in (UNDEFINED_TABLE, UNDEFINED_COLUMN) or detail.startswith(
        ("no such table", "no such column")
    ):
        return (
            f"the database at {url} is not migrated (or not to the current schema): "
            "run `ipm-workflow db upgrade`",
            NOT_READY,
        )
    if isinstance(exc, sa_exc.IntegrityError):
        return f"refused by the database: {detail}", REFUSED
    if isinstance(exc, sa_exc.DataError):
        return f"a value does not fit the database: {detail}", REFUSED
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return f"cannot use the database at {url}: {detail}", NOT_READY
    return f"database error ({type(exc).__name__}) at {url}: {detail}", INTERNAL


def explain(exc: Exception) -> tuple[list[str], int]:
    """Return the lines to print for a failure and the exit code."""
    if isinstance(exc, DomainError):
        lines = [f"error ({exc.kind}): {exc.message}"]
        lines += [f"  - {e['field']}: {e['message']}" for e in exc.context.get("errors", [])]
        return lines, NOT_READY if exc.kind in NOT_READY_KINDS else REFUSED
    if isinstance(exc, BadValue):
        return [f"error (invalid-input): {exc}"], REFUSED
    database = _database_problem(exc)
    if database is not None:
        return [f"error: {database[0]}"], database[1]
    # Unknown faults: the type only, as its message may carry a value the operator typed.
    return [f"internal error ({type(exc).__name__})"], INTERNAL


class ProblemGroup(TyperGroup):
    """The root command group: runs any command and maps its failure through `explain`."""

    def invoke(self, ctx: Any) -> Any:  # typer's own vendored Context, not a public type
        """Run the command; print one line per problem and exit with its code on failure."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            lines, code = explain(exc)
            for line in lines:
                typer.echo(line, err=True)
            raise typer.Exit(code) from None
