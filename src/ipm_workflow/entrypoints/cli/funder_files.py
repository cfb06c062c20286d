"""Issue 14: the Erasmus+ Beneficiary Module's mobility import file of one grant agreement."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipm_workflow.entrypoints.cli.common import AsUser, app, run_as


def write_beneficiary_module(grant: str, out: Path, as_user: str | None) -> int:
    """Write the file (XLSX or CSV, by the file's extension); return the number of mobilities."""
    from ipm_workflow.bootstrap import beneficiary_module_file  # noqa: PLC0415 - fast start

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        raise typer.BadParameter("the file must end in .xlsx or .csv", param_hint="--out")
    rows = run_as(as_user, lambda c, actor: c.beneficiary_module.rows(grant, actor))
    out.write_bytes(beneficiary_module_file(rows, fmt))
    return len(rows)


def run_beneficiary_module(grant: str | None, out: Path | None, as_user: str | None) -> None:
    """`reports beneficiary-module --grant G --out FILE`: write the file, say how many rows."""
    if not grant:
        raise typer.BadParameter("name the grant agreement", param_hint="--grant")
    if out is None:
        raise typer.BadParameter("name the file (.xlsx or .csv)", param_hint="--out")
    count = write_beneficiary_module(grant, out, as_user)
    typer.echo(f"{out}: {count} mobilities of {grant}")


@app.command("beneficiary-module")
def beneficiary_module(
    grant: Annotated[str, typer.Option(help="The grant agreement number.")],
    out: Annotated[Path, typer.Option(help="FILE.xlsx or FILE.csv")],
    as_user: AsUser = None,
) -> None:
    """The Erasmus+ Beneficiary Module's mobility import file of a grant agreement: one row per
    departed mobility (advisors and supervisors: it carries the fewer-opportunity flag). The
    same as `reports beneficiary-module --grant G --out FILE`."""
    run_beneficiary_module(grant, out, as_user)
