"""The composition root: the one place that builds adapters and wires them into services.

Entry points (HTTP app, CLI, worker, sandbox) receive what they need from here and never import
an adapter themselves (an import-linter contract). Adapters are imported inside the functions
that build them, so a command that needs no database never pays for SQLAlchemy or Alembic.

`container` wires the services; `factories` builds adapters from the settings; `database`,
`files` and `telemetry` are the operations on an adapter itself that entry points may call.
"""

from __future__ import annotations

from ipm_workflow.bootstrap.container import Container, bootstrap
from ipm_workflow.bootstrap.database import (
    DatabaseNotReady,
    RestoreRefused,
    backup_database,
    pending_migrations,
    prepare_to_serve,
    restore_database,
    sortable_case_fields,
    upgrade_database,
)
from ipm_workflow.bootstrap.factories import (
    RETENTION_FILE,
    delivery_policy,
    retention_rules,
    upload_service,
)
from ipm_workflow.bootstrap.files import (
    beneficiary_module_file,
    check_workflows,
    csv_file,
    read_communes,
    read_populations,
    read_referral_export,
    report_sheet,
    xlsx_file,
)
from ipm_workflow.bootstrap.telemetry import metrics_exposition, start_prometheus

__all__ = [
    "RETENTION_FILE",
    "Container",
    "DatabaseNotReady",
    "RestoreRefused",
    "backup_database",
    "beneficiary_module_file",
    "bootstrap",
    "check_workflows",
    "csv_file",
    "delivery_policy",
    "metrics_exposition",
    "pending_migrations",
    "prepare_to_serve",
    "read_communes",
    "read_populations",
    "read_referral_export",
    "report_sheet",
    "restore_database",
    "retention_rules",
    "sortable_case_fields",
    "start_prometheus",
    "upgrade_database",
    "upload_service",
    "xlsx_file",
]
