"""Reading the communes reference an admin loads: INSEE code -> département, QPV, rural.

A CSV with a header line `insee_code,departement,qpv,rural` (`;` also accepted); flags are
yes/no/unknown (oui/non/inconnu and 1/0 too); an empty département is derived from the code.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ipm_workflow.domain import text
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.people import PERSON_RULES
from ipm_workflow.domain.profile import CommuneRef, Territory, departement_of

HEADER = ("insee_code", "departement", "qpv", "rural")
_FLAGS = {
    "yes": Territory.YES,
    "oui": Territory.YES,
    "1": Territory.YES,
    "no": Territory.NO,
    "non": Territory.NO,
    "0": Territory.NO,
    "unknown": Territory.UNKNOWN,
    "inconnu": Territory.UNKNOWN,
    "": Territory.UNKNOWN,
}


def _flag(value: str, line: int, column: str) -> Territory:
    try:
        return _FLAGS[value.strip().lower()]
    except KeyError:
        raise InvalidInput(
            f"line {line}: {column} must be yes, no or unknown",
            [{"field": f"line {line}.{column}", "message": "expected yes, no or unknown"}],
        ) from None


def read_communes(path: Path) -> list[CommuneRef]:
    """Parse a communes file; InvalidInput naming the first faulty line."""
    raw = path.read_bytes().decode("utf-8-sig")
    delimiter = ";" if raw.split("\n", 1)[0].count(";") > raw.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(raw), delimiter=delimiter)
    missing = [c for c in HEADER if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            "the communes file lacks columns: " + ", ".join(missing),
            [{"field": "header", "message": f"expected {', '.join(HEADER)}"}],
        )
    communes = []
    for line, row in enumerate(reader, start=2):
        try:
            code = text.insee_code(row["insee_code"] or "")
        except ValueError as exc:
            raise InvalidInput(
                f"line {line}: {exc}", [{"field": f"line {line}.insee_code", "message": str(exc)}]
            ) from None
        try:
            given = (row["departement"] or "").strip()
            departement = PERSON_RULES["departement"](given) if given else departement_of(code)
        except ValueError as exc:
            raise InvalidInput(
                f"line {line}: {exc}", [{"field": f"line {line}.departement", "message": str(exc)}]
            ) from None
        qpv = _flag(row["qpv"] or "", line, "qpv")
        rural = _flag(row["rural"] or "", line, "rural")
        communes.append(CommuneRef(code, departement, qpv, rural))
    return communes
