"""The audit search by mission locale reads the history's own copy of it (0025_history_ml)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from alembic import command
from sqlalchemy import inspect, select
from typer.testing import Result

from integration.test_migration_followup import _old_case
from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.handles import history_t
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person, User
from ipm_workflow.services.case_ports import AuditQuery
from ipm_workflow.services.commands import Actor, UpdateData
from journey import Journey

CONTACT = {"first_contact_date": "2026-01-05"}
ADULT = date(2005, 3, 1)


def _audit(container: Container, place: str) -> list[tuple[int, int]]:
    """(case id, seq) of a mission locale's entries, newest first, as the audit lists them."""
    entries = container.cases.audit(AuditQuery(mission_locale_id=place, limit=100))
    return [(e.case_id, e.seq) for e in entries]


def _places(container: Container, case_id: int) -> set[Any]:
    """The mission locales stored on a case's history rows."""
    with container.engine.connect() as conn:
        stmt = select(history_t.c.mission_locale_id).where(history_t.c.case_id == case_id)
        return set(conn.execute(stmt).scalars())


class TestAuditByMissionLocale:
    """Entries carry their case's current mission locale: set on append, moved with the case."""

    def test_a_mission_locale_finds_its_cases_entries_only(
        self, container: Container, journey: Journey, directory: dict[str, User]
    ) -> None:
        """A case at A and one at B: each mission locale's audit lists its own, newest first."""
        at_a = journey.open(journey.person())
        journey.fire(at_a, "log_first_contact", CONTACT)
        journey.set(at_a, programme="erasmus_vet")
        advisor_b = Actor.of(directory["advisor_b"])
        young = container.people.register(Person(None, "Sacha", "Témoin", ADULT), advisor_b)
        assert young.person.id is not None
        at_b = journey.open(
            young.person.id, advisor_id=advisor_b.user_id, mission_locale="ml-b", actor=advisor_b
        )
        expected = ([(at_a, 3), (at_a, 2), (at_a, 1)], [(at_b, 1)], {"ml-a"}, {"ml-b"})
        assert expected == (
            _audit(container, "ml-a"),
            _audit(container, "ml-b"),
            _places(container, at_a),
            _places(container, at_b),
        )

    def test_after_a_move_the_history_follows_and_still_verifies(
        self,
        container: Container,
        journey: Journey,
        directory: dict[str, User],
        cli: Callable[..., Result],
    ) -> None:
        """Moved from A to B: B's audit finds its whole history, A's none; the chain holds."""
        cid = journey.open(journey.person())
        journey.fire(cid, "log_first_contact", CONTACT)
        before = (_audit(container, "ml-a"), _audit(container, "ml-b"))
        journey.move(cid, "ml-b", reason="moved house", actor=Actor.of(directory["supervisor"]))
        changed = UpdateData(cid, {"programme": "erasmus_vet"})
        container.cases.update_data(changed, Actor.of(directory["advisor_b"]))
        verified = cli("audit", "verify", "--case", str(cid))
        expected = (
            ([(cid, 2), (cid, 1)], []),
            [],
            [(cid, 4), (cid, 3), (cid, 2), (cid, 1)],
            {"ml-b"},
            (0, "1 case(s), 4 entries checked, 0 broken\n"),
        )
        assert expected == (
            before,
            _audit(container, "ml-a"),
            _audit(container, "ml-b"),
            _places(container, cid),
            (verified.exit_code, verified.stdout),
        )


class TestMigration:
    """0025_history_ml back-fills the rows already there; down again, the column is gone."""

    def test_up_back_fills_and_down_drops(self, blank_db_url: str) -> None:
        """Entries written at 0024 get their case's mission locale; the index walks them."""
        engine = create_db_engine(blank_db_url)
        try:
            migrate.upgrade(engine, "0024_name_key")
            case_id = _old_case(engine, {}, [("log_first_contact", {}), ("assess", {})])
            migrate.upgrade(engine, "0025_history_ml")
            with engine.connect() as conn:
                stmt = select(history_t.c.seq, history_t.c.mission_locale_id).where(
                    history_t.c.case_id == case_id
                )
                filled = sorted(tuple(r) for r in conn.execute(stmt))
            indexed = {i["name"] for i in inspect(engine).get_indexes("history_entries")}
            command.downgrade(migrate.alembic_config(blank_db_url), "0024_name_key")
            engine.dispose()  # the inspector reads the schema afresh
            columns = {c["name"] for c in inspect(engine).get_columns("history_entries")}
            left = {i["name"] for i in inspect(engine).get_indexes("history_entries")}
        finally:
            engine.dispose()
        expected = ([(1, "ml-a"), (2, "ml-a")], True, False, False)
        assert expected == (
            filled,
            "ix_history_ml_at" in indexed,
            "mission_locale_id" in columns,
            "ix_history_ml_at" in left,
        )
