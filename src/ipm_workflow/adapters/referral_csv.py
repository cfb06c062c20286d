"""Reading the missions locales' CSV exports: French or English headers, `;` or `,`, any encoding.

Encodings: UTF-8 with or without a byte-order mark, else Windows-1252 (what spreadsheet software
in France writes by default). The delimiter is the one of `;` and `,` the header line uses most.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.services.referrals import REQUIRED, RawReferral, folded

# Canonical column -> the headers exports use for it (compared folded: no case, accents, marks).
COLUMNS: dict[str, tuple[str, ...]] = {
    "last_name": ("Nom", "Nom de famille", "Nom de naissance", "Last name", "last_name"),
    "first_name": ("Prénom", "Prenom", "First name", "first_name"),
    "birth_date": ("Date de naissance", "Né(e) le", "Date naissance", "Birth date", "birth_date"),
    "email": ("Courriel", "E-mail", "Email", "Mail", "Adresse e-mail", "Adresse mail"),
    "phone": ("Téléphone", "Tél", "Tel", "Portable", "Téléphone portable", "Phone", "phone"),
    "mission_locale": (
        "Mission locale",
        "Code mission locale",
        "Code ML",
        "ML",
        "mission_locale",
        "mission_locale_id",
    ),
    "workflow": ("Programme", "Dispositif", "Parcours", "Workflow"),
    "referral_date": (
        "Date de prescription",
        "Date d'orientation",
        "Date orientation",
        "Referral date",
        "referral_date",
    ),
    "imilo_id": ("Identifiant i-milo", "ID i-milo", "N° i-milo", "i-milo", "imilo_id"),
}
_BY_HEADER = {folded(h): column for column, headers in COLUMNS.items() for h in headers}


@dataclass(frozen=True)
class ReferralFile:
    """A parsed export: how it was read, which columns it has, and its rows."""

    encoding: str
    delimiter: str
    columns: dict[str, str]  # canonical column -> header as written in the file
    extras: list[str]  # other headers (read as case data when a workflow has such a field)
    rows: list[RawReferral] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """Return the text and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Every byte decodes in Windows-1252 but five; those are refused below.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                "the file is neither UTF-8 nor Windows-1252",
                [{"field": "file", "message": f"undecodable byte at offset {exc.start}"}],
            ) from None


def read_referrals(path: Path) -> ReferralFile:
    """Read an export; refuse (InvalidInput) a file without the required columns."""
    text, encoding = decode(path.read_bytes())
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InvalidInput("the file is empty", [{"field": "file", "message": "no header line"}])
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    extras: dict[str, int] = {}
    problems = []
    for index, name in enumerate(header):
        column = _BY_HEADER.get(folded(name))
        if column is None:
            if name.strip():
                extras[name.strip()] = index
        elif column in columns:
            problems.append({"field": name, "message": f"a second column for {column}"})
        else:
            columns[column], written[column] = index, name.strip()
    problems += [
        {"field": c, "message": f"missing column (one of: {', '.join(COLUMNS[c])})"}
        for c in REQUIRED
        if c not in columns
    ]
    if problems:
        raise InvalidInput("the file's columns are not those of a referral export", problems)
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(index: int, cells: list[str] = cells) -> str:
            return cells[index] if index < len(cells) else ""

        rows.append(
            RawReferral(
                number,
                {c: cell(i) for c, i in columns.items()},
                {h: cell(i) for h, i in extras.items()},
            )
        )
    return ReferralFile(encoding, delimiter, written, list(extras), rows)
