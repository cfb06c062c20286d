"""The supervision reports in SQL: caseload, overdue cases and documents, territory equity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from ipm_workflow.adapters.db.handles import cases_t, users_t
from ipm_workflow.adapters.db.report_registry import Rows, query
from ipm_workflow.adapters.db.report_sql import CASES_AND_PEOPLE, CURRENT_ML, Context


@query("caseload")
def caseload(conn: Connection, ctx: Context) -> Rows:
    """Open cases per advisor (and unassigned) today, with the overdue ones."""
    overdue = cases_t.c.due_at < ctx.now
    name = func.coalesce(users_t.c.display_name, "(unassigned)")
    stmt = (
        select(name, ctx.count(), ctx.count(overdue))
        .select_from(CASES_AND_PEOPLE.outerjoin(users_t, users_t.c.id == cases_t.c.advisor_id))
        .where(*ctx.conditions(), ctx.open_case())
        .group_by(name)
        .order_by(name)
    )
    return [tuple(r) for r in conn.execute(stmt)]


@query("overdue_cases")
def overdue_cases(conn: Connection, ctx: Context) -> Rows:
    """Open cases past their state's time limit today."""
    stmt = (
        select(cases_t.c.workflow, cases_t.c.state, ctx.count())
        .select_from(CASES_AND_PEOPLE)
        .where(*ctx.conditions(), ctx.open_case(), cases_t.c.due_at < ctx.now)
        .group_by(cases_t.c.workflow, cases_t.c.state)
        .order_by(cases_t.c.workflow, cases_t.c.state)
    )
    return [tuple(r) for r in conn.execute(stmt)]


@query("overdue_documents")
def overdue_documents(conn: Connection, ctx: Context) -> Rows:
    """Expired or refused documents of open cases, and checklists reminded past due."""
    from ipm_workflow.adapters.db.reminder_reads import reminders_t  # noqa: PLC0415

    today = ctx.now.astimezone(ctx.tz).date().isoformat()
    names = sorted({d for docs in ctx.request.workflows.documents.values() for d in docs})
    bad = []
    for name in names:
        doc = cases_t.c.documents[name]
        bad.append(
            ctx.count(
                or_(
                    doc["status"].as_string().in_(("expired", "refused")),
                    doc["valid_until"].as_string() < today,
                )
            )
        )
    per_document = (
        select(cases_t.c.workflow, *bad)
        .select_from(CASES_AND_PEOPLE)
        .where(*ctx.conditions(), ctx.open_case())
        .group_by(cases_t.c.workflow)
    )
    found: list[tuple[Any, ...]] = []
    for row in conn.execute(per_document).all():
        found += [
            (row[0], n, "expired or refused", c) for n, c in zip(names, row[1:], strict=True) if c
        ]
    r = reminders_t.c
    reminded = (
        select(cases_t.c.workflow, ctx.count())
        .select_from(CASES_AND_PEOPLE.join(reminders_t, r.case_id == cases_t.c.id))
        .where(*ctx.conditions(), ctx.open_case(), r.template == "documents_missing",
               r.kind == "reminder", r.due_at < ctx.now,
               r.status.in_(("sending", "retry", "sent", "acknowledged", "dead")))
        .group_by(cases_t.c.workflow)
    )  # fmt: skip
    found += [(w, "checklist", "missing after deadline", n) for w, n in conn.execute(reminded)]
    return sorted(found, key=lambda x: (x[0], x[1], x[2]))


@query("territory_equity")
def territory_equity(conn: Connection, ctx: Context) -> Rows:
    """Departures per current mission locale, and per 1,000 young people of its area."""
    from ipm_workflow.adapters.db.report_store import populations_t  # noqa: PLC0415

    left = ctx.first_entry(["abroad"])
    stmt = (
        select(CURRENT_ML, ctx.count())
        .select_from(CASES_AND_PEOPLE.join(left, left.c.case_id == cases_t.c.id))
        .where(*ctx.conditions(), *ctx.window.holds(left.c.at))
        .group_by(CURRENT_ML)
    )
    departures: dict[str, int] = {str(r[0]): int(r[1]) for r in conn.execute(stmt)}
    year = ctx.filters.year or ctx.now.astimezone(ctx.tz).year
    pops: dict[str, int] = dict(
        conn.execute(
            select(populations_t.c.mission_locale_id, populations_t.c.population).where(
                populations_t.c.year == year
            )
        ).all()
    )
    for allowed in (ctx.filters.mission_locales or None, ctx.filters.scope):
        if allowed is not None:
            pops = {k: v for k, v in pops.items() if k in allowed}
    return [
        (
            ml,
            departures.get(ml, 0),
            pops.get(ml),
            None if not pops.get(ml) else round(departures.get(ml, 0) * 1000 / pops[ml], 2),
        )
        for ml in sorted(set(departures) | set(pops))
    ]
