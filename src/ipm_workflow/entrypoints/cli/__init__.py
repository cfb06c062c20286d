"""The `ipm-workflow` command line, for operators and scripts."""

from ipm_workflow.entrypoints.cli import (
    admin,
    aftercare,
    attribution,
    backups,
    cases,
    catalogue,
    funder_files,
    imports,
    operations,
    people,
    privacy,
    reports,
    retention,
)
from ipm_workflow.entrypoints.cli.common import app

# The command modules register their commands on the groups when imported.
COMMAND_MODULES = (
    admin,
    aftercare,
    attribution,
    backups,
    cases,
    catalogue,
    funder_files,
    imports,
    operations,
    people,
    reports,
    privacy,
    retention,
)


def main() -> None:
    """Run the command line."""
    app(prog_name="ipm-workflow")


__all__ = ["app", "main"]
