"""Reference data an admin loads from CSV files: communes and populations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ipm_workflow.entrypoints.cli.common import AsUser, app, run_as, run_or_exit

if TYPE_CHECKING:
    from ipm_workflow.bootstrap import Container
    from ipm_workflow.domain.policy import Actor

Rows = TypeVar("Rows")

reference_app = typer.Typer(
    help="Reference data an admin loads.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(reference_app, name="reference")
CsvFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


def load(
    file: Path,
    as_user: str | None,
    read: Callable[[Path], Rows],
    store: Callable[[Container], Callable[[Rows, Actor], int]],
    what: str,
) -> None:
    """Read a reference file (a bad row names its line), then store its rows as the user with
    the service method `store` picks from the container; say how many were loaded."""
    rows = run_or_exit(lambda: read(file))
    loaded = run_as(as_user, lambda c, actor: store(c)(rows, actor))
    typer.echo(f"{loaded} {what} loaded")


@reference_app.command("load-communes")
def load_communes(file: CsvFile, as_user: AsUser = None) -> None:
    """Load the communes reference (CSV: insee_code, departement, qpv, rural)."""
    from ipm_workflow.bootstrap import read_communes  # noqa: PLC0415 - fast start

    load(file, as_user, read_communes, lambda c: c.person_records.load_communes, "communes")


@reference_app.command("load-populations")
def load_populations(file: CsvFile, as_user: AsUser = None) -> None:
    """Load reference populations (CSV: mission_locale_id;year;population) — admins."""
    from ipm_workflow.bootstrap import read_populations  # noqa: PLC0415 - fast start

    load(file, as_user, read_populations, lambda c: c.reports.load_populations, "populations")
