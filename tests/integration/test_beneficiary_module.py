"""The Erasmus+ Beneficiary Module's import file: one row per departed mobility of a grant
agreement, in the Module's columns and values (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import Result

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.beneficiary_module import COLUMNS
from ipm_workflow.domain.errors import Forbidden
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor
from journey import GRANT, Journey

OTHER_GRANT = "2026-1-FR01-KA121-VET-000099"


@pytest.fixture
def grant_cases(container: Container, journey: Journey, advisor: Actor) -> dict[str, int]:
    """Two mobilities of GRANT (a full stay, a force-majeure early return), one case of GRANT
    not yet departed, one mobility of another grant agreement. The clock only moves forward:
    every case is prepared first (from 5 January 2026), then they leave in September."""
    camille = journey.person(first_name="Camille", gender="female", email="camille@young.example")
    container.person_records.put_sensitive(
        camille, {"fewer_opportunities": True, "fewer_opportunities_reason": "economic"}, advisor
    )
    noe = journey.person(first_name="Noé", gender="male", birth_date=date(2004, 2, 29))
    full, early = journey.open(camille), journey.open(noe)
    waiting, other = (
        journey.open(journey.person(first_name="Sacha")),
        journey.open(journey.person(first_name="Alix")),
    )
    journey.walk_to(full, "READY", planned_start=date(2026, 9, 1), planned_end=date(2026, 11, 30))
    journey.walk_to(early, "READY", planned_start=date(2026, 9, 7), planned_end=date(2026, 12, 6))
    journey.walk_to(
        waiting, "READY", planned_start=date(2026, 10, 5), planned_end=date(2026, 11, 2)
    )
    journey.walk_to(other, "APPLIED")
    grant = {"grant_project_code": OTHER_GRANT, "grant_project_end": date(2028, 12, 31)}
    journey.fire(other, "select", grant)
    journey.walk_to(other, "READY", planned_start=date(2026, 9, 14), planned_end=date(2026, 10, 14))
    for case_id in (full, early, other):
        journey.walk_to(case_id, "ABROAD")
    journey.move_to(date(2026, 9, 26))
    journey.return_early(early, date(2026, 9, 26))
    journey.move_to(date(2026, 11, 30), 16)
    journey.system(full, "confirm_return", {"actual_end": date(2026, 11, 30)})
    return {"full": full, "early": early, "waiting": waiting, "other": other, "camille": camille}


class TestBeneficiaryModuleRows:
    """The rows of one grant agreement."""

    def test_one_row_per_departed_mobility_in_the_module_values(
        self, container: Container, grant_cases: dict[str, int], advisor: Actor
    ) -> None:
        """Departed cases of the grant only, dates DD-MM-YYYY, days counted both ends included,
        YES/NO flags, force majeure from the early return's reason, its explanation empty."""
        rows = container.beneficiary_module.rows(GRANT, advisor)
        full, early = grant_cases["full"], grant_cases["early"]
        expected_ids = [f"IPM-{full}", f"IPM-{early}"]
        assert expected_ids == [r["Mobility activity ID"] for r in rows]
        assert [list(COLUMNS)] * 2 == [list(r) for r in rows]
        first, second = rows
        # 1 September to 30 November 2026: 30 + 31 + 30 = 91 days, ErasmusPro from 90 days.
        expected_first = {
            "Data type": "Mobility",
            "Grant Agreement No.": GRANT,
            "Activity type": "LM-LONG-VET",
            "Participant": "YES",
            "Accompanying person": "NO",
            "Force majeure": "NO",
            "Force Majeure explanations": "",
            "Participant first name": "Camille",
            "Participant last name": "Témoin",
            "Participant date of birth": "15-06-2005",
            "Participant gender": "Female",
            "Participant email": "camille@young.example",
            "Participant with fewer opportunities": "YES",
            "Sending country": "FR",
            "Sending city": "Saint-Étienne",
            "Receiving organisation name": "Host Ltd",
            "Receiving country": "MT",
            "Start date": "01-09-2026",
            "End date": "30-11-2026",
            "Duration (days)": 91,
            "Early return": "NO",
        }
        assert expected_first == {k: first[k] for k in expected_first}
        # 7 to 26 September 2026: 20 days, short-term; back early for force majeure.
        expected_second = {
            "Activity type": "LM-SHORT-VET",
            "Force majeure": "YES",
            "Force Majeure explanations": "",
            "Participant first name": "Noé",
            "Participant date of birth": "29-02-2004",
            "Participant gender": "Male",
            "Participant email": "",
            "Participant with fewer opportunities": "NO",
            "Start date": "07-09-2026",
            "End date": "26-09-2026",
            "Duration (days)": 20,
            "Early return": "YES",
        }
        assert expected_second == {k: second[k] for k in expected_second}

    def test_each_flag_read_is_kept(
        self,
        container: Container,
        grant_cases: dict[str, int],
        advisor: Actor,
        directory: dict[str, User],
    ) -> None:
        """Producing the file is a read of each participant's sensitive data, kept as such."""
        container.beneficiary_module.rows(GRANT, advisor)
        supervisor = Actor.of(directory["supervisor"])
        reads = container.person_records.sensitive_reads(grant_cases["camille"], supervisor)
        expected = [(advisor.id, grant_cases["full"])]
        assert expected == [(r.actor, r.case_id) for r in reads]

    def test_only_those_with_the_need_to_know(
        self, container: Container, grant_cases: dict[str, int], directory: dict[str, User]
    ) -> None:
        """A mission locale's advisor may not produce it (it carries the flag); the other
        mission locale's Ipm advisor finds none of mission locale A's mobilities."""
        ml_advisor = Actor("ml:ml-a", "ml_advisor", frozenset({"ml-a"}))
        with pytest.raises(Forbidden):
            container.beneficiary_module.rows(GRANT, ml_advisor)
        expected: list[object] = []
        assert expected == container.beneficiary_module.rows(
            GRANT, Actor.of(directory["advisor_b"])
        )


class TestBeneficiaryModuleFile:
    """The file itself, written by the command line."""

    def test_xlsx_opens_with_the_header_and_one_row_per_mobility(
        self, cli: Callable[..., Result], grant_cases: dict[str, int], tmp_path: Path
    ) -> None:
        """openpyxl reads the Module's header, then the two mobilities with their values as the
        Module wants them (text dates DD-MM-YYYY, days as numbers)."""
        out = tmp_path / "mobilities.xlsx"
        args = ("--grant", GRANT, "--out", str(out), "--as", "advisor.a")
        result = cli("reports", "beneficiary-module", *args)
        assert result.exit_code == 0, result.output
        sheet = openpyxl.load_workbook(out).active
        assert sheet is not None
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        expected_header = list(COLUMNS)
        assert expected_header == rows[0]
        at = {c: i for i, c in enumerate(COLUMNS)}
        picked = (
            "Mobility activity ID",
            "Start date",
            "End date",
            "Duration (days)",
            "Force majeure",
        )
        expected = [
            [f"IPM-{grant_cases['full']}", "01-09-2026", "30-11-2026", 91, "NO"],
            [f"IPM-{grant_cases['early']}", "07-09-2026", "26-09-2026", 20, "YES"],
        ]
        assert expected == [[r[at[c]] for c in picked] for r in rows[1:]]

    def test_csv_for_french_excel(
        self, cli: Callable[..., Result], grant_cases: dict[str, int], tmp_path: Path
    ) -> None:
        """The CSV: UTF-8 with a byte-order mark, `;` between fields, one line per mobility."""
        out = tmp_path / "mobilities.csv"
        result = cli("beneficiary-module", "--grant", GRANT, "--out", str(out), "--as", "advisor.a")
        assert result.exit_code == 0, result.output
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        lines = raw.decode("utf-8-sig").splitlines()
        expected = (3, ";".join(COLUMNS))
        assert expected == (len(lines), lines[0])
