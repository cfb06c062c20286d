"""Migration 0011_followup: the shared outcome source becomes one source per checkpoint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import Engine, insert, select

from ipm_workflow.adapters.db import migrate, tables
from ipm_workflow.adapters.db.database import create_db_engine

AT = datetime(2027, 2, 1, 9, tzinfo=UTC)
cases_t = tables.CaseRow.__table__  # type: ignore[attr-defined]
history_t = tables.HistoryRow.__table__  # type: ignore[attr-defined]


def _old_case(engine: Engine, data: dict[str, Any], recorded: list[tuple[str, Any]]) -> int:
    """A case as 0006 stored it, with the outcome triggers of its history (inputs only)."""
    with engine.begin() as conn:
        conn.execute(insert(tables.MissionLocaleRow.__table__).values(id="ml-a", name="ML A"))  # type: ignore[attr-defined]
        person = conn.execute(
            insert(tables.PersonRow.__table__).values(  # type: ignore[attr-defined]
                first_name="Alix",
                last_name="Témoin",
                language="fr",
                timezone="Europe/Paris",
                preferred_channel="email",
                consent_email=True,
                consent_sms=False,
                created_at=AT,
                updated_at=AT,
            )
        ).inserted_primary_key[0]
        case_id = conn.execute(
            insert(cases_t).values(
                person_id=person,
                workflow="erasmus_vet_long",
                workflow_version=1,
                state="FOLLOW_UP",
                data=data,
                documents={},
                mission_locale_id="ml-a",
                version=len(recorded),
                opened_at=AT,
                updated_at=AT,
                state_entered_at=AT,
                history_seq=len(recorded),
                history_head="0" * 64,
            )
        ).inserted_primary_key[0]
        for seq, (trigger, inputs) in enumerate(recorded, start=1):
            conn.execute(
                insert(history_t).values(
                    case_id=case_id,
                    seq=seq,
                    at=AT.replace(month=seq),
                    actor="user:1",
                    role="advisor",
                    kind="transition",
                    trigger=trigger,
                    workflow="erasmus_vet_long",
                    workflow_version=1,
                    payload={"inputs": inputs},
                    payload_digest="0" * 64,
                    prev_hash="0" * 64,
                    hash=str(seq) * 64,
                )
            )
    return int(case_id)


def _data(engine: Engine, case_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(
            conn.execute(select(cases_t.c.data).where(cases_t.c.id == case_id)).scalar_one()
        )


class TestOutcomeSourcesSplit:
    """Each checkpoint gets the source its own history entry recorded; down again, one source."""

    def test_up_splits_by_history_and_down_joins_again(self, blank_db_url: str) -> None:
        """+3 from the young person, +6 from the mission locale ('ml' renamed), in this order."""
        engine = create_db_engine(blank_db_url)
        try:
            migrate.upgrade(engine, "0009_clocks")
            old = {"outcome_m3": "cdi", "outcome_m6": "job_seeking", "outcome_source": "ml"}
            case_id = _old_case(
                engine,
                old,
                [
                    ("record_outcome_m3", {"outcome_m3": "cdi", "outcome_source": "young_person"}),
                    ("record_outcome_m6", {"outcome_m6": "job_seeking", "outcome_source": "ml"}),
                ],
            )
            migrate.upgrade(engine, "0011_followup")
            split = _data(engine, case_id)
            command.downgrade(migrate.alembic_config(blank_db_url), "0009_clocks")
            joined = _data(engine, case_id)
        finally:
            engine.dispose()

        expected = {
            "outcome_m3": "cdi",
            "outcome_m3_source": "young_person",
            "outcome_m3_date": "2027-01-01",
            "outcome_m6": "job_seeking",
            "outcome_m6_source": "mission_locale",
            "outcome_m6_date": "2027-02-01",
        }
        assert expected == split
        assert old == joined

    def test_without_history_the_latest_outcome_takes_the_source(self, blank_db_url: str) -> None:
        """An erased history: the shared source goes to the latest recorded checkpoint."""
        engine = create_db_engine(blank_db_url)
        try:
            migrate.upgrade(engine, "0009_clocks")
            old = {"outcome_m3": "cdi", "outcome_m6": "cdi", "outcome_source": "i_milo"}
            case_id = _old_case(engine, old, [])
            migrate.upgrade(engine, "0011_followup")
            split = _data(engine, case_id)
        finally:
            engine.dispose()

        expected = {"outcome_m3": "cdi", "outcome_m6": "cdi", "outcome_m6_source": "i_milo"}
        assert expected == split
