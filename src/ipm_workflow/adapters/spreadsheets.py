"""Spreadsheet files of a table: CSV for French Excel, and XLSX through openpyxl.

CSV: UTF-8 with a byte-order mark and `;` between fields (what French Excel opens without a
wizard), dates as DD/MM/YYYY, decimals with a comma. XLSX: a styled, frozen header row, column
widths fitted to the contents, dates as real dates, shares as percentages.
Both take plain headings and rows, so the funder files (the Beneficiary Module's own columns)
use them as well as the reports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.services.report_ports import Population

Kind = Literal["text", "int", "share", "date", "days", "rate"]


@dataclass(frozen=True)
class Sheet:
    """A table to write: a title (the XLSX sheet's name), headings, kinds and rows."""

    title: str
    headings: Sequence[str]
    rows: Sequence[Sequence[Any]]
    kinds: Sequence[Kind] | None = None  # None: every column text-or-as-is
    date_format: str = "DD/MM/YYYY"  # XLSX display; CSV uses the same order of day, month, year


def _csv_value(value: Any, kind: Kind, date_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return day.strftime("%d-%m-%Y") if date_format == "DD-MM-YYYY" else day.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        shown = round(value * 100, 1) if kind == "share" else round(value, 1)
        return f"{shown:g}".replace(".", ",")
    return str(value)


def csv_bytes(sheet: Sheet, *, separator: str = ";") -> bytes:
    """The sheet as CSV: UTF-8 with BOM, `;`-separated, one header line (shares in percent)."""
    kinds: list[Kind] = list(sheet.kinds or ["text"] * len(sheet.headings))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(sheet.headings)
    for row in sheet.rows:
        writer.writerow(
            [_csv_value(v, k, sheet.date_format) for v, k in zip(row, kinds, strict=True)]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_NUMBER_FORMATS: dict[str, str] = {
    "int": "0",
    "share": "0.0%",
    "days": "0.0",
    "rate": "0.00",
}


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one XLSX workbook: header row bold on grey, frozen, widths fitted."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy, only when writing a workbook
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for sheet in sheets:
        ws = book.create_sheet(_sheet_name(sheet.title))
        kinds: list[Kind] = list(sheet.kinds or ["text"] * len(sheet.headings))
        ws.append(list(sheet.headings))
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths = [len(str(h)) for h in sheet.headings]
        for row in sheet.rows:
            values = [_xlsx_value(v) for v in row]
            ws.append(values)
            for i, value in enumerate(values):
                widths[i] = max(widths[i], len(_csv_value(value, kinds[i], sheet.date_format)))
        for i, kind in enumerate(kinds, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = min(max(widths[i - 1] + 2, 8), 60)
            number_format = _NUMBER_FORMATS.get(kind)
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                if isinstance(cell.value, datetime | date):
                    cell.number_format = sheet.date_format
                elif number_format and isinstance(cell.value, int | float):
                    cell.number_format = number_format
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    # A date stays a date (Excel's serial number, shown by the number format).
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def _sheet_name(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Sheet")[:31]


def read_populations(path: Path) -> list[Population]:
    """Read reference populations: CSV with a header `mission_locale_id;year;population` (`;` or
    `,`, UTF-8 with or without BOM). InvalidInput lists every bad line."""
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    wanted = {"mission_locale_id", "year", "population"}
    if not reader.fieldnames or not wanted <= {f.strip() for f in reader.fieldnames}:
        raise InvalidInput(
            "not a populations file",
            [{"field": "header", "message": "expected mission_locale_id;year;population"}],
        )
    found, errors = [], []
    for line, row in enumerate(reader, start=2):
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        try:
            found.append(
                Population(clean["mission_locale_id"], int(clean["year"]), int(clean["population"]))
            )
        except ValueError:
            errors.append({"field": f"line {line}", "message": "year and population are numbers"})
    if errors:
        raise InvalidInput("invalid populations file", errors)
    return found
