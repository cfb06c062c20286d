"""SQLModel tables: the schema of the embedded SQLite and of PostgreSQL alike.

Importing this package registers every table on `SQLModel.metadata` (Alembic's environment
and the tests compare that metadata with the migrations). The tables live in one module per
aggregate; each name is also importable from here.
"""

from __future__ import annotations

from ipm_workflow.adapters.db.tables.access import (
    ApiTokenRow,
    IdempotencyRow,
    PortalLinkRow,
    PortalSessionRow,
    WebSessionRow,
)
from ipm_workflow.adapters.db.tables.cases import (
    CaseRow,
    ContactAttemptRow,
    HistoryRow,
    MissionLocaleMoveRow,
    UploadRow,
)
from ipm_workflow.adapters.db.tables.columns import table_of
from ipm_workflow.adapters.db.tables.directory import (
    CohortRow,
    InstanceRow,
    MissionLocaleRow,
    UserMissionLocaleRow,
    UserRow,
)
from ipm_workflow.adapters.db.tables.people import (
    CommuneRow,
    GuardianRow,
    PersonRow,
    PersonSensitiveRow,
    SensitiveReadRow,
)
from ipm_workflow.adapters.db.tables.privacy import ConsentRow, DataExportRow, ErasureRequestRow
from ipm_workflow.adapters.db.tables.reminders import (
    ReminderAttemptRow,
    ReminderRow,
    SandboxOutboxRow,
    SentMessageRow,
)
from ipm_workflow.adapters.db.tables.reports import (
    ReferencePopulationRow,
    ReportSnapshotRow,
    ReportTargetRow,
)

__all__ = [
    "ApiTokenRow",
    "CaseRow",
    "CohortRow",
    "CommuneRow",
    "ConsentRow",
    "ContactAttemptRow",
    "DataExportRow",
    "ErasureRequestRow",
    "GuardianRow",
    "HistoryRow",
    "IdempotencyRow",
    "InstanceRow",
    "MissionLocaleMoveRow",
    "MissionLocaleRow",
    "PersonRow",
    "PersonSensitiveRow",
    "PortalLinkRow",
    "PortalSessionRow",
    "ReferencePopulationRow",
    "ReminderAttemptRow",
    "ReminderRow",
    "ReportSnapshotRow",
    "ReportTargetRow",
    "SandboxOutboxRow",
    "SensitiveReadRow",
    "SentMessageRow",
    "UploadRow",
    "UserMissionLocaleRow",
    "UserRow",
    "WebSessionRow",
    "table_of",
]
