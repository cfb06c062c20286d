"""`python -m ipm_workflow` runs the command line."""

from ipm_workflow.entrypoints.cli import main

main()
