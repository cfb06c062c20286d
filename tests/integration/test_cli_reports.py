"""Issue 14 from the console: a report to a file, targets, reference populations."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import Result

from integration.reports_dataset import build
from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User

Cli = Callable[..., Result]
YEAR = ("--from", "2026-01-01", "--to", "2026-12-31")
# The command line is the same on both databases (the figures are tested on both).
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def built(container: Container, clock: ManualClock, directory: dict[str, User]) -> None:
    """The five cases of 2026."""
    build(container, clock, directory)


class TestReportsCommand:
    """`ipm-workflow reports NAME`, `targets`, `reference load-populations`."""

    def test_xlsx_to_a_file(self, cli: Cli, built: None, tmp_path: Path) -> None:
        """The activity report as a workbook, each person once, masked (it leaves Ipm)."""
        out = tmp_path / "activity.xlsx"
        done = cli("reports", "activity", *YEAR, "--format", "xlsx", "--counting", "people",
                   "--out", str(out), "--as", "super")  # fmt: skip
        sheet = load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        expected = (0, ("Ventilation", "Valeur", "Orientés"), ("total", "all", None))
        assert expected == (done.exit_code, rows[0][:3], rows[1][:3]), done.stderr

    def test_json_with_targets(self, cli: Cli, built: None) -> None:
        """A supervisor sets a target; the JSON report shows it against the actual figure."""
        cli("targets", "set", "--year", "2026", "--funder", "État", "--indicator", "referred",
            "--value", "10", "--as", "super")  # fmt: skip
        done = cli("reports", "activity", *YEAR, "--funder", "État", "--as", "super")
        body = json.loads(done.stdout)
        expected = ({"dimension": "total", "value": "all", "referred": 5}, [(10, 5, 0.5)])
        actual = (
            {k: body["rows"][0][k] for k in ("dimension", "value", "referred")},
            [(t["target"], t["actual"], t["achieved"]) for t in body["targets"]],
        )
        assert expected == actual, done.stderr

    def test_populations_are_loaded_by_an_admin(
        self, cli: Cli, built: None, container: Container, tmp_path: Path
    ) -> None:
        """A `;` CSV with a BOM; the territory report then divides by it."""
        container.people.add_user("admin", "Admin", "admin", [])
        source = tmp_path / "populations.csv"
        source.write_text("\ufeffmission_locale_id;year;population\nml-a;2026;2000\n"
                          "ml-b;2026;500\n", encoding="utf-8")  # fmt: skip
        refused = cli("reference", "load-populations", str(source), "--as", "advisor.a")
        loaded = cli("reference", "load-populations", str(source), "--as", "admin")
        report = cli("reports", "territory_equity", *YEAR, "--as", "super")
        expected = (1, "2 populations loaded", [["ml-a", 1, 2000, 0.5], ["ml-b", 1, 500, 2.0]])
        actual = (
            refused.exit_code,
            loaded.stdout.strip(),
            [list(r.values()) for r in json.loads(report.stdout)["rows"]],
        )
        assert expected == actual, loaded.stderr + report.stderr
