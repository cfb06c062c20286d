"""The one mapping between table rows and records: names, timestamps, overrides."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ipm_workflow.adapters.db.mappers import record_of, values_of
from ipm_workflow.adapters.db.tables import ContactAttemptRow, PortalLinkRow, table_of
from ipm_workflow.domain.contacts import ContactAttempt
from ipm_workflow.domain.privacy import DataExport
from ipm_workflow.services.portal_ports import LinkRecord

AWARE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
NAIVE = AWARE.replace(tzinfo=None)  # as SQLite gives a stored UTC moment back


def _link_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "a" * 64,
        "person_id": 7,
        "guardian_id": None,
        "target": "/me",
        "created_at": NAIVE,
        "expires_at": NAIVE,
        "used_at": None,
    }
    return row | changes


def test_a_record_reads_its_fields_from_the_columns_of_the_same_names() -> None:
    expected = LinkRecord("a" * 64, 7, None, "/me", AWARE, AWARE, None)
    assert expected == record_of(LinkRecord, _link_row())


def test_timestamps_come_back_aware_and_dates_untouched() -> None:
    export = record_of(
        DataExport,
        {"person_id": 1, "actor": "user:1", "role": "admin", "at": NAIVE, "format": "json"}
        | {"entry_point": None},
    )
    link = record_of(LinkRecord, _link_row(used_at=NAIVE))
    expected = (AWARE, AWARE)
    assert expected == (export.at, link.used_at)


def test_given_values_override_the_columns() -> None:
    expected = "/elsewhere"
    assert expected == record_of(LinkRecord, _link_row(), target="/elsewhere").target


def test_a_field_without_a_column_must_be_given() -> None:
    row = _link_row()
    del row["target"]
    with pytest.raises(KeyError):
        record_of(LinkRecord, row)


def test_values_are_the_records_columns_without_the_generated_id() -> None:
    attempt = ContactAttempt(5, NAIVE, "call", True, "user:2", note="call back", id=9)
    values = values_of(attempt, table_of(ContactAttemptRow))
    expected = {"case_id", "at", "channel", "answered", "by", "checkpoint", "note", "recorded_at"}
    assert expected == set(values)
    expected_note = "call back"
    assert expected_note == values["note"]


def test_a_key_the_caller_chose_can_be_kept() -> None:
    link = record_of(LinkRecord, _link_row())
    values = values_of(link, table_of(PortalLinkRow), leave=())
    expected = ("a" * 64, AWARE)
    assert expected == (values["id"], values["created_at"])
