"""Issue 14 over HTTP: a report as JSON, CSV for French Excel and XLSX; targets."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from integration.reports_dataset import Dataset, build
from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from journey import ApiJourney

REPORTS = "/api/v1/reports"
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
ACTIVITY_HEADER = ["Ventilation", "Valeur", "Orientés", "Diagnostics", "Partis", "Rentrés",
                   "Moins d'opportunités", "Part moins d'opportunités"]  # fmt: skip
# Files are the database-independent part: SQLite is enough (the figures are tested on both).
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def dataset(container: Container, clock: ManualClock, directory: dict[str, User]) -> Dataset:
    """The five cases of 2026 (built before the tokens are issued: they expire)."""
    return build(container, clock, directory)


def workbook_rows(content: bytes) -> tuple[list[list[Any]], str | None]:
    """The rows of a workbook's first sheet and its frozen cell."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)], sheet.freeze_panes


class TestReportFiles:
    """JSON for screens, CSV and XLSX for files that leave Ipm (masked)."""

    def test_json_report(self, dataset: Dataset, api: ApiJourney) -> None:
        """The activity report, each person once: 4 referred, Alix with fewer opportunities."""
        body = api.ok("GET", f"{REPORTS}/activity", "supervisor",
                      params={**YEAR, "counting": "people"})  # fmt: skip
        expected = (
            "people",
            False,
            {"dimension": "total", "value": "all", "referred": 4, "assessed": 3, "departed": 2,
             "returned": 2, "fewer_opportunities": 1, "fewer_opportunities_share": 0.25},
        )  # fmt: skip
        assert expected == (body["counting"], body["masked"], body["rows"][0])

    def test_xlsx_report(self, dataset: Dataset, api: ApiJourney) -> None:
        """French headings on a frozen header row; counts under 5 masked (empty)."""
        response = api.call("GET", f"{REPORTS}/activity.xlsx", "supervisor", params=YEAR)
        table, frozen = workbook_rows(response.content)
        expected = (200, ACTIVITY_HEADER, ["total", "all", 5, None, None, None, None, None], "A2")
        assert expected == (response.status_code, table[0], table[1], frozen)

    def test_dates_are_real_dates(self, dataset: Dataset, api: ApiJourney) -> None:
        """The late first contacts' referral days are dates in the workbook, not text."""
        response = api.call(
            "GET", f"{REPORTS}/first_contact_late", "supervisor", params={**YEAR, "format": "xlsx"}
        )
        table, _ = workbook_rows(response.content)
        expected = (date(2026, 1, 9), date(2026, 1, 12))
        assert expected == (table[1][4].date(), table[1][5].date())

    def test_csv_for_french_excel(self, dataset: Dataset, api: ApiJourney) -> None:
        """UTF-8 with a byte-order mark, `;` between fields, shares in percent with a comma."""
        response = api.call("GET", f"{REPORTS}/activity.csv", "supervisor",
                            params={**YEAR, "mask": "false"})  # fmt: skip
        text = response.content.decode("utf-8")
        lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
        expected = (True, ACTIVITY_HEADER, ["total", "all", "5", "3", "2", "2", "2", "40"])
        assert expected == (text.startswith("\ufeff"), lines[0], lines[1])

    def test_a_typed_grant_number_never_breaks_the_file_name(
        self, dataset: Dataset, api: ApiJourney
    ) -> None:
        """A grant agreement number outside ASCII (typed in the URL) still gives its file, under
        a safe name (it gave a 500: HTTP headers are Latin-1)."""
        grant = "2026-\u00e9t\u00e9-\U0009fe2a"
        response = api.call(
            "GET", f"{REPORTS}/beneficiary-module/{grant}", "supervisor", params={"format": "xlsx"}
        )
        expected = (200, 'attachment; filename="beneficiary-module-2026-_t_-_.xlsx"')
        assert expected == (response.status_code, response.headers["content-disposition"])

    def test_unknown_report_and_bad_filter(self, dataset: Dataset, api: ApiJourney) -> None:
        """An unknown report is 404; a bad filter is 422 (invalid input)."""
        missing = api.call("GET", f"{REPORTS}/nothing", "supervisor")
        bad = api.call("GET", f"{REPORTS}/funnel", "supervisor", params={"qpv": "maybe"})
        expected = (404, 422)
        assert expected == (missing.status_code, bad.status_code)

    def test_targets(self, dataset: Dataset, api: ApiJourney) -> None:
        """A supervisor sets the Région's 2026 target; the activity report shows it."""
        target = {"year": 2026, "funder": "Région", "indicator": "departed", "value": 10}
        api.ok("PUT", f"{REPORTS}/targets", "supervisor", json=target)
        body = api.ok("GET", f"{REPORTS}/activity", "supervisor",
                      params={**YEAR, "funder": "Région"})  # fmt: skip
        expected = [{"indicator": "departed", "funder": "Région", "year": 2026, "target": 10,
                     "actual": 2, "achieved": 0.2}]  # fmt: skip
        assert expected == body["targets"]


class TestLibreOffice:
    """The XLSX files convert cleanly with a headless LibreOffice."""

    def test_converts_to_csv(self, dataset: Dataset, api: ApiJourney, tmp_path: Path) -> None:
        """`soffice --headless --convert-to csv` (in UTF-8) reads the same header and figures."""
        soffice = shutil.which("soffice")
        if soffice is None:
            pytest.skip(
                "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
            )
        response = api.call("GET", f"{REPORTS}/activity.xlsx", "supervisor", params=YEAR)
        source = tmp_path / "activity.xlsx"
        source.write_bytes(response.content)
        profile = (tmp_path / "profile").as_uri()
        utf8_csv = "csv:Text - txt - csv (StarCalc):44,34,76"
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", utf8_csv,
             "--outdir", str(tmp_path), str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        lines = (tmp_path / "activity.csv").read_text(encoding="utf-8").splitlines()
        expected = (",".join(ACTIVITY_HEADER), "total,all,5,,,,,")
        assert expected == (lines[0], lines[1])
