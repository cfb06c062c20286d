"""Tamper evidence: altering a stored history row is found and named, by the service and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import structlog
from sqlalchemy import and_, delete, select, update
from typer.testing import Result

from ipm_workflow.adapters.db.handles import cases_t, history_t
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.chain import ChainReport
from ipm_workflow.services.commands import Actor
from journey import Journey

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


def _roll_back(container: Container, case_id: int, keep: int) -> None:
    """Delete a case's entries after `keep` and set its row back to match, as a forger would."""
    with container.engine.begin() as conn:
        rows = (
            conn.execute(
                select(history_t)
                .where(history_t.c.case_id == case_id, history_t.c.seq <= keep)
                .order_by(history_t.c.seq)
            )
            .mappings()
            .all()
        )
        state = [r["to_state"] for r in rows if r["to_state"]][-1]
        conn.execute(
            delete(history_t).where(history_t.c.case_id == case_id, history_t.c.seq > keep)
        )
        conn.execute(
            update(cases_t)
            .where(cases_t.c.id == case_id)
            .values(history_seq=keep, history_head=rows[-1]["hash"], state=state)
        )


class TestPseudonymisation:
    """An erased payload is told apart from a forged one by the chained erasure record."""

    def test_the_reported_forgery_is_found(
        self, container: Container, journey: Journey, case_id: int, cli: Cli
    ) -> None:
        """A new payload with its salt set to NULL is named, not taken for an erasure."""
        _a_few_entries(journey, case_id)
        forged = {"inputs": {"first_contact_date": "2020-01-01"}}
        _tamper(
            container,
            update(history_t).where(_entry(case_id, 2)).values(payload=forged, payload_salt=None),
        )
        result = cli("audit", "verify", "--case", str(case_id))
        expected = (1, "1 case(s), 5 entries checked, 1 broken\n")
        assert expected == (result.exit_code, result.stdout)
        assert f"BROKEN case {case_id}: entry 2: payload without its salt" in result.stderr

    def test_an_unrecorded_erasure_is_found(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """Blanking a payload and its salt directly, with no erasure record, is named."""
        _a_few_entries(journey, case_id)
        _tamper(
            container,
            update(history_t).where(_entry(case_id, 3)).values(payload={}, payload_salt=None),
        )
        report = _report(container, case_id)
        expected = (False, 3, "payload erased, but no erasure record of this case names the entry")
        assert expected == (report.ok, report.broken_seq, report.problem)

    def test_a_recorded_erasure_verifies_and_says_what_when_why(
        self, container: Container, journey: Journey, case_id: int, cli: Cli
    ) -> None:
        """`audit erase` blanks the payloads and chains a record; the chain stays sound."""
        _a_few_entries(journey, case_id)
        result = cli("audit", "erase", str(case_id), "--entry", "2", "--entry", "3", "--rule", "r1")
        expected_erase = (0, f"case {case_id}: entries [2, 3] erased (record 6)\n")
        assert expected_erase == (result.exit_code, result.stdout)
        with container.engine.connect() as conn:
            rows = conn.execute(
                select(
                    history_t.c.seq, history_t.c.payload, history_t.c.payload_salt, history_t.c.kind
                )
                .where(history_t.c.case_id == case_id, history_t.c.seq.in_([2, 3, 6]))
                .order_by(history_t.c.seq)
            ).all()
        expected_rows = [
            (2, {}, None, "transition"),
            (3, {}, None, "data_changed"),
            (6, {"erased": [2, 3], "rule": "r1"}, rows[2][2], "payload_erased"),
        ]
        assert expected_rows == [tuple(r) for r in rows]
        expected_verify = (0, "1 case(s), 6 entries checked, 0 broken\n")
        verified = cli("audit", "verify", "--case", str(case_id))
        assert expected_verify == (verified.exit_code, verified.stdout)

    def test_salt_removed_from_the_erasure_record_is_found(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """The record cannot be blanked in its turn to hide what it erased."""
        _a_few_entries(journey, case_id)
        container.audit.erase(case_id, [2], "r1", Actor("operator:test", "admin"))
        _tamper(
            container,
            update(history_t).where(_entry(case_id, 6)).values(payload={}, payload_salt=None),
        )
        assert not _report(container, case_id).ok


class TestCheckpoint:
    """Heads kept outside the database reveal a cut history and a consistent roll-back."""

    @pytest.fixture
    def heads(self, journey: Journey, case_id: int, cli: Cli, tmp_path: Path) -> Path:
        """The checkpoint file written once the case has its five entries."""
        _a_few_entries(journey, case_id)
        file = tmp_path / "heads.json"
        cli("audit", "checkpoint", str(file))
        return file

    def test_a_consistent_roll_back_passes_verify_but_not_the_checkpoint(
        self, container: Container, journey: Journey, case_id: int, cli: Cli, tmp_path: Path
    ) -> None:
        """Delete the last entries, roll the case row back: only the checkpoint tells."""
        _a_few_entries(journey, case_id)
        file = tmp_path / "heads.json"
        written = cli("audit", "checkpoint", str(file))
        expected_written = (0, f"checkpoint of 1 case(s) written to {file}")
        assert expected_written == (written.exit_code, written.stdout.splitlines()[0])
        _roll_back(container, case_id, keep=3)
        plain = cli("audit", "verify")
        expected_plain = (0, "1 case(s), 3 entries checked, 0 broken\n")
        assert expected_plain == (plain.exit_code, plain.stdout)
        against = cli("audit", "verify", "--against", str(file))
        expected_code = 1
        assert expected_code == against.exit_code
        assert (
            f"CUT case {case_id}: cut: the checkpoint saw entry 5, the history stops at 3"
            in against.stderr
        )

    def test_a_roll_back_then_a_new_entry_is_named_rewritten(
        self, container: Container, journey: Journey, case_id: int, cli: Cli, heads: Path
    ) -> None:
        """Cut back and write a different history of the same length: named as rewritten."""
        _roll_back(container, case_id, keep=4)
        journey.doc(case_id, "insurance", "received")  # a different entry 5
        against = cli("audit", "verify", "--against", str(heads))
        expected_code = 1
        assert expected_code == against.exit_code
        assert f"CUT case {case_id}: rewritten or rolled back: entry 5" in against.stderr

    def test_history_added_after_the_checkpoint_is_fine(
        self, journey: Journey, case_id: int, cli: Cli, heads: Path
    ) -> None:
        """New entries and new cases since the checkpoint are not findings."""
        journey.doc(case_id, "insurance", "received")
        journey.open(journey.person(journey.today().replace(year=2004)))
        result = cli("audit", "verify", "--against", str(heads))
        expected = 0
        assert expected == result.exit_code, result.stderr
        assert "1 head(s), 0 cut or rolled back" in result.stdout

    def test_an_edited_checkpoint_file_is_refused(
        self, case_id: int, cli: Cli, heads: Path
    ) -> None:
        """Lowering a head in the file to match a cut history breaks the file's digest."""
        body = json.loads(heads.read_text())
        body["heads"][str(case_id)][0] = 3
        heads.write_text(json.dumps(body))
        result = cli("audit", "verify", "--against", str(heads))
        expected = (
            1,
            "error (invalid-input): the checkpoint file was altered: its digest does not match",
        )
        assert expected == (result.exit_code, result.stderr.strip())

    def test_the_checkpoint_is_also_a_log_line(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """The digest goes to the log as well: a second copy the database cannot rewrite."""
        _a_few_entries(journey, case_id)
        with structlog.testing.capture_logs() as logs:
            checkpoint = container.audit.checkpoint()
        [line] = [e for e in logs if e["event"] == "audit_checkpoint"]
        expected = (checkpoint.digest(), 1)
        assert expected == (line["digest"], line["cases"])
