"""Tamper evidence: altering a stored history row is found and named, by the service and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import and_, delete, update
from typer.testing import Result

from ipm_workflow.adapters.db.repositories import history_t
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import ChainReport

from .journeys import Journey

Cli = Callable[..., Result]


def _entry(case_id: int, seq: int) -> Any:
    return and_(history_t.c.case_id == case_id, history_t.c.seq == seq)


def _a_few_entries(journey: Journey, case_id: int) -> None:
    """Seq 1 opened, 2 first contact, 3 data change, 4 document, 5 assessment."""
    journey.fire(case_id, "log_first_contact", {"first_contact_date": "2026-01-05"})
    journey.set(case_id, programme="erasmus_vet")
    journey.doc(case_id, "identity", "received")
    journey.fire(case_id, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})


def _report(container: Container, case_id: int) -> ChainReport:
    [report] = container.cases.verify([case_id])
    return report


def _tamper(container: Container, statement: Any) -> None:
    with container.engine.begin() as conn:
        assert conn.execute(statement).rowcount == 1


class TestUntouchedHistory:
    """The baseline: an untouched history verifies."""

    def test_untouched_history_verifies(
        self, container: Container, journey: Journey, case_id: int, cli: Cli
    ) -> None:
        """Service and CLI both find the chain intact."""
        _a_few_entries(journey, case_id)
        expected = ChainReport(case_id, 5, True)
        assert expected == _report(container, case_id)
        result = cli("audit", "verify", "--case", str(case_id))
        expected_cli = (0, "1 case(s), 5 entries checked, 0 broken\n")
        assert expected_cli == (result.exit_code, result.stdout)


class TestAlteredHistory:
    """One row changed or removed directly in the database."""

    @pytest.mark.parametrize(
        ("column", "value", "seq", "problem"),
        [
            ("to_state", "READY", 2, "stored hash does not match the entry's content"),
            ("from_state", "ASSESSED", 5, "stored hash does not match the entry's content"),
            ("actor", "user:999", 3, "stored hash does not match the entry's content"),
            ("payload", {"changes": {"programme": [None, "x"]}}, 3, "payload does not match"),
            ("payload", {}, 4, "payload does not match its digest"),
        ],
    )
    def test_altered_row_is_named(
        self,
        *,
        container: Container,
        journey: Journey,
        case_id: int,
        cli: Cli,
        column: str,
        value: Any,
        seq: int,
        problem: str,
    ) -> None:
        """Changing one column of one entry breaks the chain at that entry's seq."""
        _a_few_entries(journey, case_id)
        _tamper(container, update(history_t).where(_entry(case_id, seq)).values({column: value}))
        report = _report(container, case_id)
        expected = (False, seq, True)
        assert expected == (
            report.ok,
            report.broken_seq,
            (report.problem or "").startswith(problem),
        )
        result = cli("audit", "verify", "--case", str(case_id))
        expected_cli = (1, "1 case(s), 5 entries checked, 1 broken\n")
        assert expected_cli == (result.exit_code, result.stdout)
        assert f"BROKEN case {case_id}: entry {seq}: {problem}" in result.stderr

    def test_deleted_row_is_named(
        self, container: Container, journey: Journey, case_id: int, cli: Cli
    ) -> None:
        """Removing an entry in the middle breaks the chain at the entry that follows the gap."""
        _a_few_entries(journey, case_id)
        _tamper(container, delete(history_t).where(_entry(case_id, 3)))
        report = _report(container, case_id)
        expected = (False, 4, "sequence number 4 where 3 was expected (entry missing?)")
        assert expected == (report.ok, report.broken_seq, report.problem)
        result = cli("audit", "verify", "--case", str(case_id))
        expected_code = 1
        assert expected_code == result.exit_code
        assert f"BROKEN case {case_id}: entry 4: sequence number 4 where 3" in result.stderr

    def test_deleted_last_transition_is_found(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """Removing the latest transition is named: the case's head points past the history."""
        _a_few_entries(journey, case_id)
        _tamper(container, delete(history_t).where(_entry(case_id, 5)))
        report = _report(container, case_id)
        expected = (
            False,
            5,
            "the case's last entry is 5 but the history stops at 4: entries missing from the end",
        )
        assert expected == (report.ok, report.broken_seq, report.problem)

    def test_deleted_last_document_entry_is_found(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """Removing the latest entry, a document record, is detected too."""
        _a_few_entries(journey, case_id)
        journey.doc(case_id, "insurance", "received")
        _tamper(container, delete(history_t).where(_entry(case_id, 6)))
        assert not _report(container, case_id).ok

    def test_only_the_altered_case_is_broken(
        self, container: Container, journey: Journey, case_id: int, cli: Cli
    ) -> None:
        """Verifying every case names the broken one and passes the others."""
        _a_few_entries(journey, case_id)
        person = journey.person(journey.today().replace(year=2004))
        other = journey.open(person)
        _tamper(container, update(history_t).where(_entry(case_id, 2)).values(to_state="CLOSED"))
        reports = {r.case_id: (r.ok, r.broken_seq) for r in container.cases.verify()}
        expected = {case_id: (False, 2), other: (True, None)}
        assert expected == reports
        result = cli("audit", "verify")
        expected_cli = (1, "2 case(s), 6 entries checked, 1 broken\n")
        assert expected_cli == (result.exit_code, result.stdout)
        assert f"BROKEN case {case_id}: entry 2:" in result.stderr
        assert f"BROKEN case {other}:" not in result.stderr
