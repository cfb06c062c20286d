"""The `ipm-workflow` command line on a real test database."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import Result

from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.bootstrap import Container
from ipm_workflow.config import ROOT
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor

Cli = Callable[..., Result]
BROKEN = ROOT / "tests" / "fixtures" / "broken_workflows"


@pytest.fixture
def offline(run_cli: Cli, tmp_path: Path) -> Cli:
    """The command line for commands that need no database (pointed at an unused file)."""
    env = {"IPM_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    return lambda *args: run_cli(*args, env=env)


class TestWorkflows:
    """Checking and drawing workflow files."""

    def test_check_passes_on_the_shipped_workflows(self, offline: Cli) -> None:
        """The shipped directory is sound: exit 0 and one ok line per workflow."""
        result = offline("workflows", "check", str(ROOT / "workflows"))
        expected = (0, "")
        assert expected == (result.exit_code, result.stderr)
        lines = result.stdout.splitlines()
        assert all(line.startswith("ok  ") for line in lines)
        assert any(line.startswith("ok  erasmus_vet_long v1: 22 states, ") for line in lines)

    def test_check_fails_on_broken_workflows_naming_file_and_line(self, offline: Cli) -> None:
        """Every broken file is named with a line number, and the exit code is 1."""
        result = offline("workflows", "check", str(BROKEN))
        expected_code = 1
        assert expected_code == result.exit_code
        named = set(re.findall(r"([\w.]+\.yaml):\d+:\d+: ", result.stderr))
        expected_files = {p.name for p in BROKEN.glob("*.yaml")}
        assert expected_files == named
        expected_line = "unknown_state.yaml:17:5: transitions[1].dest: unknown state 'DONNE'"
        assert expected_line in result.stderr
        assert f"problem(s) in {BROKEN}" in result.stderr

    def test_show_prints_a_mermaid_state_diagram(self, offline: Cli) -> None:
        """The diagram starts with stateDiagram-v2 and draws the journey's edges."""
        result = offline("workflows", "show", "erasmus_vet_long")
        lines = result.stdout.splitlines()
        expected = (0, "stateDiagram-v2", "    [*] --> REFERRED")
        assert expected == (result.exit_code, lines[0], lines[1])
        assert "    REFERRED --> CONTACTED: log_first_contact" in lines
        assert "    CLOSED --> [*]" in lines

    def test_show_unknown_workflow_fails(self, offline: Cli) -> None:
        """An unknown workflow name is an error with a suggestion."""
        result = offline("workflows", "show", "erasmus_vet_lng")
        expected = 1
        assert expected == result.exit_code
        assert "did you mean 'erasmus_vet_long'" in result.stderr


class TestDatabase:
    """Applying migrations from the command line."""

    def test_upgrade_is_idempotent(self, cli: Cli, db_url: str) -> None:
        """Upgrading twice succeeds twice and leaves one current revision."""
        first, second = cli("db", "upgrade"), cli("db", "upgrade")
        expected = (0, 0)
        assert expected == (first.exit_code, second.exit_code)
        assert second.stdout.startswith("database at the latest schema")
        engine = create_db_engine(db_url)
        try:
            with engine.connect() as conn:
                versions = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar()
            expected_state = ([], 1)
            assert expected_state == (migrate.pending(engine), versions)
        finally:
            engine.dispose()

    def test_upgrade_creates_a_new_sqlite_database(self, run_cli: Cli, tmp_path: Path) -> None:
        """On a missing SQLite file, upgrade creates the file and the whole schema."""
        path = tmp_path / "sub" / "new.sqlite3"
        env = {"IPM_DATABASE_URL": f"sqlite:///{path}"}
        results = [run_cli("db", "upgrade", env=env) for _ in range(2)]
        expected = [0, 0]
        assert expected == [r.exit_code for r in results]
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            assert not migrate.pending(engine)
        finally:
            engine.dispose()


class TestCases:
    """Opening and advancing a case from the console, as an advisor of mission locale A."""

    @pytest.fixture
    def case_id(self, cli: Cli, directory: dict[str, User]) -> int:
        """A twenty-year-old registered and referred through the CLI (real clock)."""
        born = datetime.now(UTC).date() - timedelta(days=20 * 365 + 30)
        person = cli("people", "add", "--first-name", "Lou", "--last-name", "Console",
                     "--birth-date", born.isoformat(), "--as", "advisor.a")  # fmt: skip
        person_id = int(person.stdout.split()[1])
        advisor = str(directory["advisor_a"].id)
        opened = cli("cases", "open", "--person", str(person_id), "--workflow",
                     "erasmus_vet_long", "--ml", "ml-a", "--advisor", advisor,
                     "-i", "cv_attached=true", "-i", "privacy_notice_given=oui",
                     "--as", "advisor.a")  # fmt: skip
        match = re.fullmatch(r"case (\d+) opened in REFERRED \(version 1\)\n", opened.stdout)
        assert match is not None, opened.stdout + opened.stderr
        return int(match.group(1))

    def test_open_then_list_actions(self, cli: Cli, case_id: int) -> None:
        """The actions of a new case say what is allowed and why the rest is not."""
        result = cli("cases", "actions", str(case_id), "--as", "advisor.a")
        lines = result.stdout.splitlines()
        expected = [
            f"case {case_id} in REFERRED (version 1)",
            "  allowed log_first_contact -> CONTACTED  [first_contact_date:date]",
            "  denied  merge -> MERGED  [merged_into:number]",
            "      - role 'advisor' may not do this; allowed: supervisor",
        ]
        assert expected == lines

    def test_fire_set_document_show_history(
        self, cli: Cli, case_id: int, container: Container, directory: dict[str, User]
    ) -> None:
        """Commands from the console land in the database like any other, history included."""
        c, me = str(case_id), ("--as", "advisor.a")
        outputs = [
            cli("cases", "fire", c, "log_first_contact", "-i", "first_contact_date=2026-01-05",
                *me).stdout,
            cli("cases", "set", c, "programme=erasmus_vet", "travel_booked=yes", *me).stdout,
            cli("cases", "fire", c, "assess", "-i", "programme=erasmus_pro",
                "-i", "eligibility_checked=true", "--expected-version", "3", *me).stdout,
            cli("cases", "document", c, "identity", "--status", "validated",
                "--valid-until", "2030-01-01", *me).stdout,
        ]  # fmt: skip
        expected = [
            f"case {c}: REFERRED -> CONTACTED (version 2)\n",
            f"case {c} updated (version 3)\n",
            f"case {c}: CONTACTED -> ASSESSED (version 4)\n",
            f"case {c}: identity validated (version 5)\n",
        ]
        assert expected == outputs
        shown = json.loads(cli("cases", "show", c, "--json", *me).stdout)
        user = f"user:{directory['advisor_a'].id}"
        expected_case = ("ASSESSED", 5, "erasmus_pro", True, "2030-01-01", user)
        identity = shown["documents"]["identity"]
        actual_case = (
            shown["state"],
            shown["version"],
            shown["data"]["programme"],
            shown["data"]["travel_booked"],
            identity["valid_until"],
            identity["validated_by"],
        )
        assert expected_case == actual_case
        history = json.loads(cli("cases", "history", c, "--json", *me).stdout)
        expected_history = [
            ("opened", None),
            ("transition", "log_first_contact"),
            ("data_changed", None),
            ("transition", "assess"),
            ("document", None),
        ]
        assert expected_history == [(e["kind"], e["trigger"]) for e in history]
        text_history = cli("cases", "history", c, *me).stdout.splitlines()
        expected_lines = 5
        assert expected_lines == len(text_history)
        assert "CONTACTED -> ASSESSED" in text_history[3]
        [report] = container.cases.verify([case_id])
        assert report.ok

    def test_guard_failure_exits_1_with_the_reasons(self, cli: Cli, case_id: int) -> None:
        """An unmet guard is reported on stderr with each reason, and nothing changes."""
        c = str(case_id)
        cli("cases", "fire", c, "log_first_contact", "-i", "first_contact_date=2026-01-05",
            "--as", "advisor.a")  # fmt: skip
        result = cli("cases", "fire", c, "assess", "-i", "programme=erasmus_vet",
                     "-i", "eligibility_checked=false", "--as", "advisor.a")  # fmt: skip
        expected = (1, "")
        assert expected == (result.exit_code, result.stdout)
        expected_error = (
            "error (guard-failed): 'assess' from CONTACTED is not allowed: "
            "eligibility_checked must be True (is False)"
        )
        assert expected_error in result.stderr
        shown = json.loads(cli("cases", "show", c, "--json").stdout)
        expected_case = ("CONTACTED", 2)
        assert expected_case == (shown["state"], shown["version"])

    def test_invalid_input_lists_each_field(self, cli: Cli, case_id: int) -> None:
        """Bad inputs exit 1 and name each offending field."""
        result = cli("cases", "fire", str(case_id), "log_first_contact",
                     "-i", "first_contact_date=05/01/2026", "--as", "advisor.a")  # fmt: skip
        expected = 1
        assert expected == result.exit_code
        expected_line = (
            "  - inputs.first_contact_date: expected a date YYYY-MM-DD, got '05/01/2026'"
        )
        assert expected_line in result.stderr.splitlines()

    def test_stale_version_exits_1(self, cli: Cli, case_id: int) -> None:
        """A stale --expected-version is a version conflict naming the current version."""
        result = cli("cases", "fire", str(case_id), "log_first_contact",
                     "-i", "first_contact_date=2026-01-05", "--expected-version", "7",
                     "--as", "advisor.a")  # fmt: skip
        expected = 1
        assert expected == result.exit_code
        assert f"case {case_id} is at version 1, not 7" in result.stderr

    def test_other_mission_locale_sees_nothing(
        self, cli: Cli, case_id: int, container: Container, directory: dict[str, User]
    ) -> None:
        """An advisor of another mission locale is told the case does not exist."""
        result = cli("cases", "show", str(case_id), "--as", "advisor.b")
        expected = 1
        assert expected == result.exit_code
        assert f"error (not-found): case {case_id} not found" in result.stderr
        supervisor = Actor.of(directory["supervisor"])
        expected_state = "REFERRED"
        assert expected_state == container.cases.get(case_id, supervisor).state
