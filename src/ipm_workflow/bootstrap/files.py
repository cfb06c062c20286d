"""The files operators exchange: workflow files, referral exports, the communes and
populations references, report spreadsheets and the Erasmus+ Beneficiary Module's import file.
Each adapter is imported inside its function (fast start)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipm_workflow.domain.profile import CommuneRef

if TYPE_CHECKING:
    from ipm_workflow.adapters.referral_csv import ReferralFile
    from ipm_workflow.adapters.spreadsheets import Sheet
    from ipm_workflow.adapters.workflow_files import FileProblem
    from ipm_workflow.domain.definitions import Workflow
    from ipm_workflow.domain.reports import ReportTable
    from ipm_workflow.services.report_ports import Population


def check_workflows(directory: Path) -> tuple[list[Workflow], list[FileProblem]]:
    """Lint every workflow file of a directory: (sound workflows, problems with file:line)."""
    from ipm_workflow.adapters.workflow_files import check_directory  # noqa: PLC0415

    return check_directory(directory)


def read_referral_export(path: Path) -> ReferralFile:
    """Read a missions locales' CSV export of referrals (`;` or `,`, UTF-8 or Windows-1252).

    Raises OSError for an unreadable file, InvalidInput for a file that is not such an export.
    """
    from ipm_workflow.adapters.referral_csv import read_referrals  # noqa: PLC0415

    return read_referrals(path)


def read_communes(path: Path) -> list[CommuneRef]:
    """Parse a communes reference file (the CSV an admin loads)."""
    from ipm_workflow.adapters.communes_csv import read_communes as parse  # noqa: PLC0415

    return parse(path)


# --- reports (issue 14): spreadsheets of a table, reference populations --------------------------


def report_sheet(table: ReportTable, language: str = "fr") -> Sheet:
    """A report's table as a sheet (headings in a language, the columns' kinds); ValueError for
    a table holding only its first rows: a file has every row or is not written."""
    from ipm_workflow.adapters.spreadsheets import Sheet  # noqa: PLC0415

    if table.truncated:
        raise ValueError(f"{table.name}: {len(table.rows)} rows of {table.row_count}, not a file")

    headings = [c.heading(language) for c in table.columns]
    return Sheet(table.title, headings, table.rows, [c.kind for c in table.columns])


def csv_file(sheet: Sheet) -> bytes:
    """A sheet as CSV for French Excel (UTF-8 with BOM, `;`)."""
    from ipm_workflow.adapters.spreadsheets import csv_bytes  # noqa: PLC0415

    return csv_bytes(sheet)


def xlsx_file(*sheets: Sheet) -> bytes:
    """Sheets as one XLSX workbook (styled frozen header, fitted widths, real dates)."""
    from ipm_workflow.adapters.spreadsheets import xlsx_bytes  # noqa: PLC0415

    return xlsx_bytes(sheets)


def read_populations(path: Path) -> list[Population]:
    """Parse a reference populations file (CSV: mission_locale_id, year, population)."""
    from ipm_workflow.adapters.spreadsheets import read_populations as parse  # noqa: PLC0415

    return parse(path)


def beneficiary_module_file(rows: list[dict[str, str | int]], fmt: str) -> bytes:
    """The Erasmus+ Beneficiary Module's import file (XLSX, or CSV) of rows in its columns."""
    from ipm_workflow.adapters.spreadsheets import Sheet  # noqa: PLC0415
    from ipm_workflow.domain.beneficiary_module import COLUMNS, NUMBERS  # noqa: PLC0415

    kinds: list[Any] = ["int" if c in NUMBERS else "text" for c in COLUMNS]
    sheet = Sheet("Mobility activities", COLUMNS, [[r[c] for c in COLUMNS] for r in rows], kinds)
    return csv_file(sheet) if fmt == "csv" else xlsx_file(sheet)
