"""follow-up: contact attempts; each checkpoint keeps its own outcome source

Revision ID: 0011_followup
Revises: 0009_clocks
Create Date: 2026-11-30 20:30:00

The one `outcome_source` field the +3, +6, +12 and final outcomes shared becomes one source per
checkpoint (`outcome_m3_source`…`final_outcome_source`): each case's history says which
outcome came with which source; without it the source goes to the latest recorded outcome.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_followup"
down_revision: str | None = "0009_clocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The trigger that records each checkpoint's outcome, and the outcome field it fills.
CHECKPOINTS = {
    "record_outcome_m3": "outcome_m3",
    "record_outcome_m6": "outcome_m6",
    "record_outcome_m12": "outcome_m12",
    "close": "final_outcome",
}
RENAMED_SOURCES = {"ml": "mission_locale"}
_cases = sa.table("cases", sa.column("id", sa.BigInteger), sa.column("data", sa.JSON))
_history = sa.table(
    "history_entries",
    sa.column("case_id", sa.BigInteger),
    sa.column("seq", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("trigger", sa.String),
    sa.column("payload", sa.JSON),
)


def _split(conn: sa.Connection, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    shared = data.pop("outcome_source")
    found = False
    rows = conn.execute(
        sa.select(_history.c.trigger, _history.c.at, _history.c.payload)
        .where(_history.c.case_id == case_id, _history.c.trigger.in_(list(CHECKPOINTS)))
        .order_by(_history.c.seq)
    )
    for trigger, at, payload in rows:
        inputs = (payload or {}).get("inputs") or {}
        outcome = CHECKPOINTS[trigger]
        if inputs.get("outcome_source"):
            source = inputs["outcome_source"]
            data[f"{outcome}_source"] = RENAMED_SOURCES.get(source, source)
            found = True
        if data.get(outcome) and not data.get(f"{outcome}_date") and at is not None:
            data[f"{outcome}_date"] = str(at)[:10]
    if not found and shared:
        latest = next((o for o in ("outcome_m12", "outcome_m6", "outcome_m3") if data.get(o)), None)
        if latest is not None:
            data[f"{latest}_source"] = RENAMED_SOURCES.get(shared, shared)
    return data


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("checkpoint", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_attempts") as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_attempts_case_id"), ["case_id"], unique=False)
    conn = op.get_bind()
    for case_id, data in conn.execute(sa.select(_cases.c.id, _cases.c.data)).all():
        if isinstance(data, dict) and "outcome_source" in data:
            new = _split(conn, case_id, dict(data))
            conn.execute(sa.update(_cases).where(_cases.c.id == case_id).values(data=new))


def downgrade() -> None:
    """Revert this revision (the latest checkpoint's source becomes the shared one again)."""
    conn = op.get_bind()
    renamed = {v: k for k, v in RENAMED_SOURCES.items()}
    for case_id, data in conn.execute(sa.select(_cases.c.id, _cases.c.data)).all():
        if not isinstance(data, dict):
            continue
        outcomes = ("final_outcome", "outcome_m12", "outcome_m6", "outcome_m3")
        keys = [f"{o}_{part}" for o in outcomes for part in ("source", "date", "confidence")]
        if not any(k in data for k in keys):
            continue
        new = {k: v for k, v in data.items() if k not in keys}
        source = next((data[f"{o}_source"] for o in outcomes if data.get(f"{o}_source")), None)
        if source is not None:
            new["outcome_source"] = renamed.get(source, source)
        conn.execute(sa.update(_cases).where(_cases.c.id == case_id).values(data=new))
    with op.batch_alter_table("contact_attempts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_attempts_case_id"))
    op.drop_table("contact_attempts")
