"""The journeys' reports in SQL (one or a few aggregate statements each), under their names.

The definitions in words are in domain/indicators.py and the README; the building blocks in
report_sql.py. No statement loops over cases in Python: rows come back already counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from ipm_workflow.adapters.db.handles import cases_t, history_t, users_t
from ipm_workflow.adapters.db.report_registry import Rows, listing, query, share
from ipm_workflow.adapters.db.report_sql import (
    CASES_AND_PEOPLE,
    CURRENT_ML,
    PERSON,
    Context,
    day_start,
    days_between,
)
from ipm_workflow.domain import indicators as ind
from ipm_workflow.domain.durations import add_business_days


@query("funnel")
def funnel(conn: Connection, ctx: Context) -> Rows:
    """Cases that entered each phase in the period, per programme."""
    h = history_t.c
    phase = ctx.phase_of(h.workflow, h.to_state)
    entered = (
        select(h.case_id.label("case_id"), phase.label("phase"))
        .where(
            *ctx.window.holds(h.at),
            or_(h.from_state.is_(None), h.from_state != h.to_state),
            phase.in_(ind.FUNNEL_PHASES),
        )
        .distinct()
        .subquery()
    )
    stmt = (
        select(cases_t.c.workflow, entered.c.phase, ctx.count())
        .select_from(CASES_AND_PEOPLE.join(entered, entered.c.case_id == cases_t.c.id))
        .where(*ctx.conditions())
        .group_by(cases_t.c.workflow, entered.c.phase)
    )
    found = {(w, p): n for w, p, n in conn.execute(stmt)}
    workflows = sorted({w for w, _ in found})
    return [(w, p, found.get((w, p), 0)) for w in workflows for p in ind.FUNNEL_PHASES]


def _first_contact(ctx: Context) -> Any:
    """Per case opened in the period: opened_at, first contact (leaving the initial state)."""
    h = history_t.c
    initial = ctx.is_state(h.workflow, h.from_state, ctx.request.workflows.initial.items())
    referred = select(cases_t.c.id).where(*ctx.window.holds(cases_t.c.opened_at))
    return (
        select(h.case_id.label("case_id"), func.min(h.at).label("at"))
        .where(
            initial, h.to_state.is_not(None), h.to_state != h.from_state, h.case_id.in_(referred)
        )
        .group_by(h.case_id)
        .subquery()
    )


def _deadline(ctx: Context, opened: Any) -> Any:
    """The end of the 2nd business day after the referral's day: a CASE over the period's days,
    nested by halves (about log2(days) comparisons per case)."""
    f = ctx.filters
    first = f.start or (ctx.now - timedelta(days=366)).astimezone(ctx.tz).date()
    last = f.end or ctx.now.astimezone(ctx.tz).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def due(day: date) -> datetime:
        ends = add_business_days(day, ind.FIRST_CONTACT_BUSINESS_DAYS) + timedelta(days=1)
        return day_start(ends, ctx.tz)

    def halves(part: list[date]) -> Any:
        if len(part) <= 4:
            whens = [(opened < day_start(d + timedelta(days=1), ctx.tz), due(d)) for d in part]
            return case(*whens, else_=None)
        mid = len(part) // 2
        return case((opened < day_start(part[mid], ctx.tz), halves(part[:mid])),
                    else_=halves(part[mid:]))  # fmt: skip

    if not days:
        return literal(None)
    return case((opened < day_start(first, ctx.tz), None), else_=halves(days))


def _first_contact_rows(ctx: Context) -> Any:
    contact = _first_contact(ctx)
    opened = cases_t.c.opened_at
    hours = days_between(contact.c.at, opened)
    on_time = and_(contact.c.at.is_not(None), hours <= ind.FIRST_CONTACT_HOURS / 24)
    by_days = and_(contact.c.at.is_not(None), contact.c.at < _deadline(ctx, opened))
    due = or_(
        contact.c.at.is_not(None),
        days_between(literal(ctx.now), opened) >= ind.FIRST_CONTACT_HOURS / 24,
    )
    source = CASES_AND_PEOPLE.outerjoin(contact, contact.c.case_id == cases_t.c.id)
    return contact, source, on_time, by_days, due


@query("first_contact")
def first_contact(conn: Connection, ctx: Context) -> Rows:
    """Referrals whose 48 h passed, contacted within 48 h and within 2 business days."""
    _, source, on_time, by_days, due = _first_contact_rows(ctx)
    stmt = (
        select(cases_t.c.workflow, ctx.count(), ctx.count(on_time), ctx.count(by_days))
        .select_from(source)
        .where(*ctx.conditions(), *ctx.window.holds(cases_t.c.opened_at), due)
        .group_by(cases_t.c.workflow)
        .order_by(cases_t.c.workflow)
    )
    return [
        (w, n, fast, share(fast, n), days, share(days, n), n - fast)
        for w, n, fast, days in conn.execute(stmt)
    ]


@listing("first_contact_late")
def first_contact_late(ctx: Context) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """One row per referral not contacted within 48 hours, oldest referral first."""
    contact, source, on_time, _, due = _first_contact_rows(ctx)
    source = source.outerjoin(users_t, users_t.c.id == cases_t.c.advisor_id)
    stmt = (
        select(
            cases_t.c.id,
            cases_t.c.workflow,
            CURRENT_ML,
            users_t.c.display_name,
            cases_t.c.opened_at,
            contact.c.at,
            days_between(func.coalesce(contact.c.at, literal(ctx.now)), cases_t.c.opened_at),
        )
        .select_from(source)
        .where(*ctx.conditions(), *ctx.window.holds(cases_t.c.opened_at), due, ~on_time)
        .order_by(cases_t.c.opened_at, cases_t.c.id)
    )

    def row_of(row: Any) -> tuple[Any, ...]:
        cid, w, ml, advisor, opened, at, days = row
        contacted = None if at is None else ctx.local_day(at)
        return (str(cid), w, ml, advisor, ctx.local_day(opened), contacted, round(float(days), 1))

    return stmt, row_of


@query("time_to_departure")
def time_to_departure(conn: Connection, ctx: Context) -> Rows:
    """Median and 90th percentile of referral-to-departure days, per programme."""
    left = ctx.first_entry(["abroad"])
    days = days_between(left.c.at, cases_t.c.opened_at)
    first_per_person = func.row_number().over(
        partition_by=PERSON, order_by=(left.c.at, cases_t.c.id)
    )
    inner = (
        select(
            cases_t.c.workflow.label("workflow"), days.label("days"), first_per_person.label("nth")
        )
        .select_from(CASES_AND_PEOPLE.join(left, left.c.case_id == cases_t.c.id))
        .where(*ctx.conditions(), *ctx.window.holds(left.c.at))
        .subquery()
    )
    kept = select(inner.c.workflow, inner.c.days)
    if ctx.request.counting.value == "people":
        kept = kept.where(inner.c.nth == 1)
    kept_q = kept.subquery()
    ranked = select(
        kept_q.c.workflow,
        kept_q.c.days,
        func.row_number().over(partition_by=kept_q.c.workflow, order_by=kept_q.c.days).label("rn"),
        func.count().over(partition_by=kept_q.c.workflow).label("n"),
    ).subquery()
    stmt = (
        select(
            ranked.c.workflow,
            func.max(ranked.c.n),
            func.max(case((ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.days))),
            func.max(case((ranked.c.rn == (ranked.c.n * 9 + 9) // 10, ranked.c.days))),
        )
        .group_by(ranked.c.workflow)
        .order_by(ranked.c.workflow)
    )
    return [
        (w, n, round(float(med), 1), round(float(p90), 1)) for w, n, med, p90 in conn.execute(stmt)
    ]


@query("dropout")
def dropout(conn: Connection, ctx: Context) -> Rows:
    """Cases that ended early in the period, by the phase they left and their reason."""
    h = history_t.c
    ended = h.to_state.in_(list(ind.DROP_OUT_REASONS))
    reason_whens = [
        (h.to_state == state, cases_t.c.data[field].as_string())
        for state, field in ind.DROP_OUT_REASONS.items()
        if field
    ]
    reason = func.coalesce(case(*reason_whens, else_=None), "-")
    phase = ctx.phase_of(h.workflow, h.from_state)
    stmt = (
        select(cases_t.c.workflow, phase, h.to_state, reason, ctx.count())
        .select_from(CASES_AND_PEOPLE.join(history_t, h.case_id == cases_t.c.id))
        .where(*ctx.conditions(), *ctx.window.holds(h.at), ended, h.from_state != h.to_state)
        .group_by(cases_t.c.workflow, phase, h.to_state, reason)
        .order_by(cases_t.c.workflow, phase, h.to_state, reason)
    )
    return [tuple(r) for r in conn.execute(stmt)]


@query("early_returns")
def early_returns(conn: Connection, ctx: Context) -> Rows:
    """Early returns in the period, by reason category."""
    h = history_t.c
    reason = func.coalesce(cases_t.c.data["early_return_reason"].as_string(), "-")
    stmt = (
        select(cases_t.c.workflow, reason, ctx.count())
        .select_from(CASES_AND_PEOPLE.join(history_t, h.case_id == cases_t.c.id))
        .where(
            *ctx.conditions(),
            *ctx.window.holds(h.at),
            h.to_state == "EARLY_RETURN",
            h.from_state != h.to_state,
        )
        .group_by(cases_t.c.workflow, reason)
        .order_by(cases_t.c.workflow, reason)
    )
    return [tuple(r) for r in conn.execute(stmt)]


def returned(ctx: Context) -> Any:
    """Per case, the first time it came back from abroad (entered the return phase)."""
    return ctx.first_entry(["return"], leaving=["abroad"])


@query("outcomes_6m")
def outcomes_6m(conn: Connection, ctx: Context) -> Rows:
    """Situation at +6 months of those back at least 6 months before the period's end."""
    back = returned(ctx)
    outcome = cases_t.c.data["outcome_m6"].as_string()
    source = func.coalesce(cases_t.c.data["outcome_m6_source"].as_string(), "-")
    unknown = or_(outcome.is_(None), outcome == "", outcome == ind.UNKNOWN_OUTCOME)
    figures = (
        ctx.count(),
        ctx.count(outcome.in_(ind.DURABLE_JOB)),
        ctx.count(outcome.in_(ind.POSITIVE_EXIT)),
        ctx.count(unknown),
    )
    base = (
        select(cases_t.c.workflow, *figures)
        .select_from(CASES_AND_PEOPLE.join(back, back.c.case_id == cases_t.c.id))
        .where(*ctx.conditions(), *ctx.shifted(ind.OUTCOME_MONTHS).holds(back.c.at))
    )
    rows: Rows = []
    totals = conn.execute(base.group_by(cases_t.c.workflow)).all()
    by_source = conn.execute(base.add_columns(source).group_by(cases_t.c.workflow, source)).all()
    for w, n, durable, positive, unknown_n in totals:
        mine = sorted((r for r in by_source if r[0] == w), key=lambda r: r[-1])
        for label, (n_, d_, p_, u_) in [("all", (n, durable, positive, unknown_n))] + [
            (r[-1], tuple(r[1:5])) for r in mine
        ]:
            rows.append((w, label, n_, d_, share(d_, n_), p_, share(p_, n_), u_, share(u_, n_)))
    return rows
