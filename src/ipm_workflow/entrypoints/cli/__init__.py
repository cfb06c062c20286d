"""The `ipm-workflow` command line, for operators and scripts."""

from importlib import import_module

from ipm_workflow.entrypoints.cli.common import app

# The command modules register their commands on the groups when imported, in this order
# (the order of --help).
COMMAND_MODULES = tuple(
    import_module(f"{__name__}.{name}")
    for name in (
        "admin",
        "aftercare",
        "attribution",
        "backups",
        "cases",
        "catalogue",
        "cohorts",
        "funder_files",
        "imports",
        "operations",
        "people",
        "reference",
        "privacy",
        "reports",
        "retention",
    )
)


def main() -> None:
    """Run the command line."""
    app(prog_name="ipm-workflow")


__all__ = ["app", "main"]
