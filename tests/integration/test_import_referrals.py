"""`import referrals`: good and refused rows, re-import, encodings, a crash mid-file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import Result

from ipm_workflow.adapters.db.handles import cases_t, people_t
from ipm_workflow.adapters.db.tables import IdempotencyRow
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person, User
from ipm_workflow.domain.policy import OPERATOR_ACTOR, Actor
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.handlers import CaseService
from journey.servers import IPM_WORKFLOW

Cli = Callable[..., Result]
ImportRun = Callable[..., Result]
keys_t = IdempotencyRow.__table__  # type: ignore[attr-defined]

ENGLISH = (
    "last_name,first_name,birth_date,email,phone,mission_locale,workflow,"
    "CV attached,Privacy notice given\n"
)
GOOD = [
    "Exemple,Camille,2005-06-15,camille@example.org,06 00 00 00 01,ml-a,erasmus_vet_long,yes,yes",
    "Fictif,Noé,2004-01-31,,,ml-a,esc_volunteering,true,true",
    "Essai,Dominique,2006-11-02,,+33600000003,ml-b,erasmus_vet_long,1,1",
]
FRENCH = (
    "Nom;Prénom;Date de naissance;Courriel;Téléphone;Mission locale;Programme;"
    "Date de prescription;Identifiant i-milo;CV joint;Notice RGPD remise;Commentaire\n"
)
FRENCH_ROWS = [
    "Fictive;Élodie;15/03/2005;elodie@example.org;06.00.00.00.04;ml-a;"
    "Stage Erasmus+ individuel long (FEP);02/01/2026;IM-0001;oui;oui;première orientation",
    "Témoin;Bérénice;01/12/2004;;;ml-b;Volontariat du Corps européen de solidarité (CES);"
    "03/01/2026;IM-0002;oui;oui;",
]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _count(container: Container, table: Any) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _counts(container: Container) -> tuple[int, int, int]:
    return _count(container, people_t), _count(container, cases_t), _count(container, keys_t)


@pytest.fixture(autouse=True)
def importer(container: Container, directory: dict[str, User]) -> User:
    """An Ipm advisor working with both missions locales: the one who imports their exports."""
    return container.people.add_user("importer", "Importer", "advisor", ["ml-a", "ml-b"])


@pytest.fixture
def run_import(cli: Cli) -> ImportRun:
    """`import referrals` of one file as the importer, with any options (e.g. --dry-run)."""

    def run(file: Path, *options: str) -> Result:
        return cli("import", "referrals", "--as", "importer", *options, str(file))

    return run


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    """Three good rows, English headers, commas, UTF-8."""
    return _write(tmp_path / "good.csv", ENGLISH + "\n".join(GOOD) + "\n")


class TestGoodRows:
    """Rows that become people and cases."""

    def test_each_row_creates_a_person_and_a_case(
        self, run_import: ImportRun, container: Container, good_file: Path
    ) -> None:
        """One line per row; the cases are real, with verified history chains."""
        result = run_import(good_file)
        assert result.exit_code == 0, result.output
        lines = [line for line in result.stdout.splitlines() if line.startswith("row ")]
        expected = [
            "row 2: created person 1, erasmus_vet_long case 1",
            "row 3: created person 2, esc_volunteering case 2",
            "row 4: created person 3, erasmus_vet_long case 3",
        ]
        assert expected == lines
        assert (
            "3 row(s): 3 created (0 with a duplicate warning), 0 already imported, 0 refused"
            in (result.stdout)
        )
        assert _counts(container) == (3, 3, 3)
        person = container.people.get(1)
        expected_person = ("Camille", "Exemple", date(2005, 6, 15), "camille@example.org")
        assert expected_person == (
            person.first_name,
            person.last_name,
            person.birth_date,
            person.email,
        )
        assert container.people.get(3).phone == "+33600000003"
        assert all(r.ok for r in container.cases.verify(None))

    def test_imported_referrals_stay_unassigned(
        self,
        run_import: ImportRun,
        container: Container,
        directory: dict[str, User],
        good_file: Path,
    ) -> None:
        """An Ipm advisor imports; the mission locales' referrals still await a coordinator."""
        run_import(good_file)
        supervisor = Actor.of(directory["supervisor"])
        _, unassigned = container.cases.list_cases(CaseQuery(unassigned=True), supervisor)
        assert unassigned == 3

    def test_probable_duplicate_is_created_with_a_warning(
        self,
        run_import: ImportRun,
        container: Container,
        good_file: Path,
        importer: User,
    ) -> None:
        """A young person already known (same name and birth date) is warned about, not refused."""
        known = container.people.register(
            Person(None, "Camille", "Exemple", date(2005, 6, 15)), Actor.of(importer)
        )
        result = run_import(good_file)
        assert result.exit_code == 0, result.output
        assert (
            f"row 2: created person 2, erasmus_vet_long case 1; "
            f"warning: possible duplicate of person {known.person.id}"
        ) in result.stdout
        assert "(1 with a duplicate warning)" in result.stdout

    def test_duplicate_the_importer_may_not_see_is_named_not_identified(
        self, run_import: ImportRun, container: Container, good_file: Path
    ) -> None:
        """A probable duplicate registered by someone else is warned about without its id."""
        container.people.register(
            Person(None, "Camille", "Exemple", date(2005, 6, 15)), OPERATOR_ACTOR
        )
        result = run_import(good_file)
        assert result.exit_code == 0, result.stdout
        assert "a probable duplicate exists in a record you may not see" in result.stdout
        assert "possible duplicate of person" not in result.stdout


class TestRefusedRows:
    """Bad rows are refused with their row number and reason; the good ones still go in."""

    def test_reasons_and_row_numbers(
        self, run_import: ImportRun, container: Container, tmp_path: Path
    ) -> None:
        """Missing name, impossible date, bad e-mail, unknown ML or programme, unmet guard."""
        rows = [
            GOOD[0],
            ",Sans,2005-01-01,,,ml-a,erasmus_vet_long,yes,yes",
            "Exemple,Date,31/02/2005,,,ml-a,erasmus_vet_long,yes,yes",
            "Exemple,Mail,2005-01-01,not-an-address,,ml-a,erasmus_vet_long,yes,yes",
            "Exemple,Ml,2005-01-01,,,ml-x,erasmus_vet_long,yes,yes",
            "Exemple,Prog,2005-01-01,,,ml-a,no_such_programme,yes,yes",
            "Exemple,Cv,2005-01-01,,,ml-a,erasmus_vet_long,no,yes",
            "Exemple,Bool,2005-01-01,,,ml-a,erasmus_vet_long,perhaps,yes",
            "",
            GOOD[1],
        ]
        file = _write(tmp_path / "mixed.csv", ENGLISH + "\n".join(rows) + "\n")
        result = run_import(file)
        assert result.exit_code == 1
        out = result.stdout
        assert "row 2: created person 1, erasmus_vet_long case 1" in out
        assert "row 3: refused: last_name: missing" in out
        assert "row 4: refused: birth_date: expected a date like 31/12/2005" in out
        assert "row 5: refused: email: not an e-mail address" in out
        assert "row 6: refused: you do not work for mission locale 'ml-x'" in out
        assert "row 7: refused: programme: no workflow named 'no_such_programme'" in out
        assert "row 8: refused: " in out
        assert "the CV must be attached to the referral" in out
        assert "row 9: refused: CV attached: expected true or false, got 'perhaps'" in out
        # PostgreSQL's sequences keep the ids that refused rows' transactions drew.
        assert re.search(r"^row 11: created person \d+, esc_volunteering case \d+$", out, re.M)
        assert (
            "9 row(s): 2 created (0 with a duplicate warning), 0 already imported, 7 refused" in out
        )
        # Refused rows leave nothing behind: no person, no case, no import record.
        assert _counts(container) == (2, 2, 2)

    def test_file_without_the_required_columns(
        self, run_import: ImportRun, container: Container, tmp_path: Path
    ) -> None:
        """The whole file is refused before any row, naming the missing columns."""
        file = _write(tmp_path / "wrong.csv", "Nom;Adresse\nExemple;1 rue Fictive\n")
        result = run_import(file)
        assert result.exit_code == 2
        assert "first_name: missing column (one of: Prénom" in result.stderr
        assert "workflow: missing column" in result.stderr
        assert _counts(container) == (0, 0, 0)


class TestReimport:
    """Importing the same file again creates nothing."""

    def test_same_file_twice(
        self, run_import: ImportRun, container: Container, good_file: Path
    ) -> None:
        """The second run reports every row as already imported, with its person and case."""
        assert run_import(good_file).exit_code == 0
        again = run_import(good_file)
        assert again.exit_code == 0, again.output
        assert "row 3: already imported (person 2, case 2)" in again.stdout
        assert (
            "3 row(s): 0 created (0 with a duplicate warning), 3 already imported" in again.stdout
        )
        assert _counts(container) == (3, 3, 3)

    def test_same_rows_in_another_encoding_and_layout(
        self, run_import: ImportRun, container: Container, tmp_path: Path
    ) -> None:
        """Re-saved as Windows-1252 with `;`, columns reordered and French headers: same rows."""
        first = _write(tmp_path / "a.csv", ENGLISH + GOOD[1] + "\n")
        resaved = (
            "Programme;Mission locale;Prénom;Nom;Date de naissance;CV joint;Notice RGPD remise\n"
        )
        resaved += "esc_volunteering;ml-a;Noé;Fictif;31/01/2004;oui;Oui\n"
        second = _write(tmp_path / "b.csv", resaved, "cp1252")
        assert run_import(first).exit_code == 0
        again = run_import(second)
        assert "row 2: already imported (person 1, case 1)" in again.stdout, again.output
        assert _counts(container) == (1, 1, 1)


class TestEncodings:
    """Windows-1252 or UTF-8 (with or without BOM), `;` or `,`, French headers."""

    @pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
    def test_french_export(
        self,
        run_import: ImportRun,
        container: Container,
        tmp_path: Path,
        encoding: str,
    ) -> None:
        """Accents survive, French dates are read, the unknown column is named as ignored."""
        file = _write(tmp_path / "export.csv", FRENCH + "\n".join(FRENCH_ROWS) + "\n", encoding)
        result = run_import(file)
        assert result.exit_code == 0, result.output
        assert f"2 row(s), {encoding}, delimiter ';'" in result.stdout
        assert "ignored column(s): Commentaire" in result.stdout
        assert "row 2: created person 1, erasmus_vet_long case 1" in result.stdout
        assert "row 3: created person 2, esc_volunteering case 2" in result.stdout
        expected = [
            ("Élodie", "Fictive", date(2005, 3, 15)),
            ("Bérénice", "Témoin", date(2004, 12, 1)),
        ]
        got = [container.people.get(i) for i in (1, 2)]
        assert expected == [(p.first_name, p.last_name, p.birth_date) for p in got]


class TestDryRun:
    """--dry-run checks every row and writes nothing."""

    def test_nothing_written(
        self, run_import: ImportRun, container: Container, tmp_path: Path
    ) -> None:
        """Would-be creations and refusals are reported; the database is unchanged."""
        rows = [GOOD[0], "Exemple,Ml,2005-01-01,,,ml-x,erasmus_vet_long,yes,yes"]
        file = _write(tmp_path / "dry.csv", ENGLISH + "\n".join(rows) + "\n")
        result = run_import(file, "--dry-run")
        expected = [
            "row 2: would create a person and a case (erasmus_vet_long)",
            "row 3: refused: you do not work for mission locale 'ml-x'",
        ]
        assert expected == [line for line in expected if line in result.stdout]
        expected_code_and_counts = (1, (0, 0, 0))
        assert expected_code_and_counts == (result.exit_code, _counts(container))


class TestCrash:
    """An unexpected error mid-file leaves no half-imported row, and a re-run resumes."""

    def test_crash_on_the_second_row_then_resume(
        self,
        run_import: ImportRun,
        container: Container,
        good_file: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The person of the crashed row was added in its transaction, and is rolled back."""
        original = CaseService.open_in

        def crash_on_noe(self: CaseService, uow: Any, cmd: Any, actor: Any) -> Any:
            if uow.people.get(cmd.person_id).first_name == "Noé":
                raise RuntimeError("disk on fire")
            return original(self, uow, cmd, actor)

        monkeypatch.setattr(CaseService, "open_in", crash_on_noe)
        crashed = run_import(good_file)
        assert crashed.exit_code == 2
        assert "row 3: stopped by an internal error; nothing of this row was written" in (
            crashed.stderr
        )
        assert "row 2: created person 1, erasmus_vet_long case 1" in crashed.stdout
        assert "row 4" not in crashed.stdout
        assert _counts(container) == (1, 1, 1)
        monkeypatch.setattr(CaseService, "open_in", original)
        resumed = run_import(good_file)
        assert resumed.exit_code == 0, resumed.output
        assert "row 2: already imported (person 1, case 1)" in resumed.stdout
        assert "2 created" in resumed.stdout
        assert _counts(container) == (3, 3, 3)
        assert all(r.ok for r in container.cases.verify(None))


@pytest.mark.e2e
class TestKilled:
    """SIGKILL in the middle of a long file: every row is wholly in, or wholly out."""

    def test_kill_then_resume(
        self,
        run_import: ImportRun,
        container: Container,
        db_url: str,
        tmp_path: Path,
    ) -> None:
        """After the kill, people = cases = import records; the re-run imports the rest once."""
        total = 250
        rows = [
            f"Exemple,Test{n},2005-01-{1 + n % 28:02d},,,ml-a,esc_volunteering,oui,oui"
            for n in range(total)
        ]
        file = _write(tmp_path / "long.csv", ENGLISH + "\n".join(rows) + "\n")
        env = {**os.environ, "IPM_DATABASE_URL": db_url, "IPM_LOG_LEVEL": "WARNING"}
        process = subprocess.Popen(
            [str(IPM_WORKFLOW), "import", "referrals", "--as", "importer", str(file)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 180
            while _count(container, people_t) < 10 and time.monotonic() < deadline:
                assert process.poll() is None, "the import ended before it could be killed"
                time.sleep(0.02)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
        people, cases, records = _counts(container)
        assert 10 <= people < total
        assert (people, people) == (cases, records)
        resumed = run_import(file)
        assert resumed.exit_code == 0, resumed.output
        assert f"{total - people} created" in resumed.stdout
        assert f"{people} already imported" in resumed.stdout
        assert (total, total, total) == _counts(container)
