"""The command line says what is wrong in one line per problem: never a traceback, never a value."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from typer.testing import Result

Cli = Callable[..., Result]
# A value that must never be echoed back (it stands for a personal value typed by mistake).
SECRET = "Eve-1987-notadate"

COMMANDS_NEEDING_THE_SCHEMA = [
    ("ml", "add", "ml-a", "Mission locale A"),
    ("users", "add", "advisor.a", "--name", "Advisor A", "--role", "advisor", "--ml", "ml-a"),
    ("people", "add", "--first-name", "Eve", "--last-name", "Fake"),
    ("cases", "show", "1"),
    ("cases", "history", "1"),
    ("cases", "fire", "1", "log_first_contact", "--as", "advisor.a"),
    ("tokens", "create", "advisor.a"),
    ("tokens", "list", "advisor.a"),
    ("audit", "verify"),
    ("reminders", "list"),
    (
        "cohorts",
        "create",
        "c-1",
        "--label",
        "Cohort",
        "--workflow",
        "erasmus_vet_long",
        "--as",
        "a",
    ),
    ("workflows", "migrate", "erasmus_vet_long", "--to", "1", "--dry-run"),
]

PERSON = ("people", "add", "--first-name", "Eve", "--last-name", "Fake")
OPEN = ("cases", "open", "--person", "1", "--workflow", "erasmus_vet_long", "--ml", "ml-a")
DOC = ("cases", "document", "1", "insurance", "--status", "received")
COHORT = ("cohorts", "create", "c-1", "--label", "L", "--workflow", "erasmus_vet_long")
BAD_VALUES = [
    ((*PERSON, "--birth-date", SECRET), "--birth-date"),
    ((*DOC, "--valid-from", SECRET), "--valid-from"),
    ((*DOC, "--valid-until", SECRET), "--valid-until"),
    (("cases", "document", "1", "insurance", "--status", SECRET), "--status"),
    ((*COHORT, "--start", SECRET), "--start"),
    ((*COHORT, "--end", SECRET), "--end"),
    ((*OPEN, "-i", SECRET), "--input #1"),
    (("cases", "set", "1", SECRET), "field=value #1"),
]


def one_clear_line(result: Result) -> str:
    """The single line the command printed on stderr (fails when there is a traceback)."""
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    expected = 1
    assert expected == len(lines), result.stderr
    return lines[0]


class TestUnmigratedDatabase:
    """Every command on a database that was never migrated says how to fix it."""

    @pytest.mark.parametrize("args", COMMANDS_NEEDING_THE_SCHEMA, ids=" ".join)
    def test_each_command_says_run_db_upgrade(
        self, run_cli: Cli, blank_db_url: str, args: tuple[str, ...]
    ) -> None:
        """Exit 2 and one line naming the database and `ipm-workflow db upgrade`."""
        result = run_cli(*args, env={"IPM_DATABASE_URL": blank_db_url})
        line = one_clear_line(result)
        expected = (2, True, True)
        actual = (
            result.exit_code,
            "is not migrated" in line,
            line.endswith("run `ipm-workflow db upgrade`"),
        )
        assert expected == actual, line
        database = blank_db_url.rsplit("/", 1)[1]
        assert database in line

    def test_after_the_upgrade_the_same_command_works(
        self, run_cli: Cli, blank_db_url: str
    ) -> None:
        """The advice is right: after `db upgrade` the command that failed succeeds."""
        env = {"IPM_DATABASE_URL": blank_db_url}
        before = run_cli("ml", "add", "ml-a", "Mission locale A", env=env).exit_code
        upgraded = run_cli("db", "upgrade", env=env).exit_code
        after = run_cli("ml", "add", "ml-a", "Mission locale A", env=env)
        expected = (2, 0, 0, "mission locale ml-a saved\n")
        assert expected == (before, upgraded, after.exit_code, after.stdout)


class TestBadValues:
    """A value that cannot be read is refused in one line naming the option, not the value."""

    @pytest.mark.parametrize(("args", "option"), BAD_VALUES, ids=lambda v: str(v)[:40])
    def test_refused_without_echoing_the_value(
        self, cli: Cli, args: tuple[str, ...], option: str
    ) -> None:
        """Exit 1; the line names the option; the typed value appears nowhere."""
        result = cli(*args)
        line = one_clear_line(result)
        expected = (1, True, False)
        actual = (result.exit_code, option in line, SECRET in result.stderr + result.stdout)
        assert expected == actual, line

    def test_missing_objects_are_named(self, cli: Cli) -> None:
        """A case that does not exist: exit 1, `error (not-found)`."""
        result = cli("cases", "show", "424242")
        line = one_clear_line(result)
        expected = (1, "error (not-found): case 424242 not found")
        assert expected == (result.exit_code, line)

    def test_domain_refusals_are_one_line_per_problem(self, cli: Cli) -> None:
        """An unknown user for a token: exit 1 with the domain's message, no traceback."""
        result = cli("tokens", "create", "nobody.here")
        expected = 1
        assert expected == result.exit_code
        assert result.stderr.startswith("error (")
        assert "Traceback" not in result.stderr

    def test_unreachable_database_is_one_line(self, run_cli: Cli) -> None:
        """A PostgreSQL server that does not answer: exit 2, 'cannot use the database'."""
        env = {"IPM_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
        result = run_cli("cases", "show", "1", env=env)
        line = one_clear_line(result)
        expected = (2, True)
        assert expected == (result.exit_code, line.startswith("error: cannot use the database"))


class TestFastStart:
    """The command line does not import what only some commands need."""

    HEAVY = ("sqlalchemy", "alembic", "httpx", "litestar", "uvicorn", "apscheduler", "sqlmodel")

    def test_help_imports_no_heavy_library(self) -> None:
        """`--help` renders without SQLAlchemy, Alembic, httpx, Litestar, uvicorn, APScheduler."""
        code = (
            "import sys\n"
            "from ipm_workflow.entrypoints.cli import app\n"
            "try:\n"
            "    app(['--help'], prog_name='ipm-workflow')\n"
            "except SystemExit:\n"
            "    pass\n"
            f"print(sorted(m for m in {self.HEAVY!r} if m in sys.modules))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
        )
        expected = "[]"
        assert expected == done.stdout.strip().splitlines()[-1]
        assert "Usage: ipm-workflow" in done.stdout
