"""The funders' reports in SQL: the State/Région activity report and the ESF indicators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select, union_all

from ipm_workflow.adapters.db.handles import cases_t, history_t, people_t
from ipm_workflow.adapters.db.people_store import sensitive_t
from ipm_workflow.adapters.db.report_queries import returned
from ipm_workflow.adapters.db.report_registry import Rows, query
from ipm_workflow.adapters.db.report_sql import (
    CASES_AND_PEOPLE,
    CURRENT_ML,
    FEWER_OPPORTUNITIES,
    REFERRING_ML,
    Context,
    age_band,
)
from ipm_workflow.domain import indicators as ind

_NOT_DECLARED = "not_declared"
# The activity report's breakdowns: (name, SQL value); the mission locale is the referring one
# for referrals and the current one for everything else (the attribution rule).
_DIMENSIONS: list[tuple[str, Any]] = [
    ("total", literal("all")),
    ("mission_locale", None),
    ("departement", func.coalesce(people_t.c.departement, "-")),
    ("qpv", people_t.c.qpv),
    ("rural", people_t.c.rural),
    ("programme", cases_t.c.workflow),
    ("gender", func.coalesce(people_t.c.gender, _NOT_DECLARED)),
    ("age_band", None),
    ("education_level", func.coalesce(people_t.c.education_level, _NOT_DECLARED)),
]
DIMENSIONS = tuple(name for name, _ in _DIMENSIONS)


def _events(ctx: Context) -> Any:
    """(case_id, what) for every activity event of the period: referred, assessed, departed,
    returned (each case at most once per event)."""
    h = history_t.c
    window = ctx.window
    referred = select(cases_t.c.id.label("case_id"), literal("referred").label("what")).where(
        *window.holds(cases_t.c.opened_at)
    )
    assessed = (
        select(h.case_id.label("case_id"), literal("assessed").label("what"))
        .where(h.to_state == "ASSESSED", h.from_state != h.to_state, *window.holds(h.at))
        .group_by(h.case_id)
    )
    left = ctx.first_entry(["abroad"])
    departed = select(left.c.case_id, literal("departed").label("what")).where(
        *window.holds(left.c.at)
    )
    back = returned(ctx)
    came_back = select(back.c.case_id, literal("returned").label("what")).where(
        *window.holds(back.c.at)
    )
    return union_all(referred, assessed, departed, came_back).subquery()


@query("activity")
def activity(conn: Connection, ctx: Context) -> Rows:
    """Referred, assessed, departed, returned per breakdown, with the fewer-opportunity share.

    One statement: the period's events with every breakdown's value, computed once (a CTE),
    then counted per breakdown (a UNION ALL of small GROUP BYs over it).
    """
    events = _events(ctx)
    what = events.c.what
    progress = ctx.request.progress
    if progress is not None:
        progress(0, 1)
    values: list[Any] = []
    for name, plain in _DIMENSIONS:
        if name == "mission_locale":
            plain = case((what == "referred", REFERRING_ML), else_=CURRENT_ML)  # noqa: PLW2901
        elif name == "age_band":
            plain = age_band()  # noqa: PLW2901
        values.append(plain.label(f"d_{name}"))
    facts = (
        select(
            what.label("what"),
            ctx.key().label("key"),
            FEWER_OPPORTUNITIES.label("fewer"),
            *values,
        )
        .select_from(CASES_AND_PEOPLE.join(events, events.c.case_id == cases_t.c.id))
        .where(*ctx.conditions())
        .cte("activity_facts")
    )

    def counted(condition: Any) -> Any:
        return func.count(case((condition, facts.c.key)).distinct())

    parts = []
    for order, (name, _) in enumerate(_DIMENSIONS):
        value = facts.c[f"d_{name}"]
        parts.append(
            select(
                literal(order).label("ord"),
                literal(name).label("dimension"),
                value.label("value"),
                *[
                    counted(facts.c.what == k)
                    for k in ("referred", "assessed", "departed", "returned")
                ],
                counted(and_(facts.c.what == "referred", facts.c.fewer.is_(True))),
            ).group_by(value)
        )
    found = union_all(*parts).subquery()
    stmt = select(*list(found.c)[1:]).order_by(found.c.ord, found.c.value)
    rows: Rows = []
    for row in conn.execute(stmt).all():
        name, v, referred, assessed, departed, back, few = tuple(row)
        share = None if not referred else few / referred
        rows.append((name, str(v), referred, assessed, departed, back, few, share))
    if progress is not None:
        progress(1, 1)
    if not any(r[0] == "total" for r in rows):
        rows.insert(0, ("total", "all", 0, 0, 0, 0, 0, None))
    return rows


_SITUATION = func.coalesce(people_t.c.situation_at_entry, _NOT_DECLARED)
_LEVEL = func.coalesce(people_t.c.education_level, _NOT_DECLARED)
_BAND = age_band()
# ESF+ common output indicators at entry (Regulation (EU) 2021/1057, Annex I), as Ipm records
# them: (code, label, condition on the participant at entry).
ENTRY: list[tuple[str, str, Any]] = [
    ("participants", "Participants", literal(True)),
    ("women", "Women", people_t.c.gender == "female"),
    ("men", "Men", people_t.c.gender == "male"),
    (
        "non_binary",
        "Non-binary or not declared",
        or_(people_t.c.gender.is_(None), people_t.c.gender.in_(("other", _NOT_DECLARED))),
    ),
    (
        "unemployed",
        "Unemployed, including long-term unemployed",
        _SITUATION.in_(("job_seeker_registered", "job_seeker_not_registered")),
    ),
    ("inactive", "Inactive", _SITUATION == "inactive"),
    ("in_education", "In education or training", _SITUATION.in_(("in_training", "in_education"))),
    ("employed", "Employed, including self-employed", _SITUATION == "employed"),
    ("under_18", "Below 18 years of age", _BAND == "under_18"),
    ("age_18_29", "Between 18 and 29 years of age", _BAND.in_(("18_25", "26_29"))),
    (
        "isced_0_2",
        "With lower secondary education or less (ISCED 0-2)",
        _LEVEL.in_(("none", "lower_secondary")),
    ),
    (
        "isced_3_4",
        "With upper secondary or post-secondary education (ISCED 3-4)",
        _LEVEL.in_(("level_3", "level_4")),
    ),
    (
        "isced_5_8",
        "With tertiary education (ISCED 5-8)",
        _LEVEL.in_(("level_5", "level_6", "level_7", "level_8")),
    ),
    (
        "disability",
        "Participants with disabilities",
        func.coalesce(sensitive_t.c.rqth, False).is_(True),
    ),
    ("rural", "From rural areas", people_t.c.rural == "yes"),
    ("qpv", "From a priority neighbourhood (QPV)", people_t.c.qpv == "yes"),
    ("fewer_opportunities", "With fewer opportunities (Erasmus+)", FEWER_OPPORTUNITIES.is_(True)),
]
_M6 = cases_t.c.data["outcome_m6"].as_string()
AT_SIX_MONTHS: list[tuple[str, str, Any]] = [
    ("back_6m", "Back from their stay at least 6 months before the period's end", literal(True)),
    ("employed_6m", "In employment, including self-employment, 6 months after", _M6.in_(ind.JOB)),
    (
        "durable_job_6m",
        "In a durable job (CDI, CDD 6 months+, self-employed) 6 months after",
        _M6.in_(ind.DURABLE_JOB),
    ),
    ("education_6m", "In education or training 6 months after", _M6.in_(ind.TRAINING)),
    ("job_seeking_6m", "Job seeking 6 months after", _M6 == "job_seeking"),
    (
        "unknown_6m",
        "Situation unknown 6 months after",
        or_(_M6.is_(None), _M6 == "", _M6 == ind.UNKNOWN_OUTCOME),
    ),
]


@query("esf")
def esf(conn: Connection, ctx: Context) -> Rows:
    """ESF+ indicators at entry and at 6 months, each person once per operation (the period)."""
    entry = (
        select(*[ctx.count(cond) for _, _, cond in ENTRY])
        .select_from(CASES_AND_PEOPLE)
        .where(*ctx.conditions(), *ctx.window.holds(cases_t.c.opened_at))
    )
    back = returned(ctx)
    later = (
        select(*[ctx.count(cond) for _, _, cond in AT_SIX_MONTHS])
        .select_from(CASES_AND_PEOPLE.join(back, back.c.case_id == cases_t.c.id))
        .where(*ctx.conditions(), *ctx.shifted(ind.OUTCOME_MONTHS).holds(back.c.at))
    )
    at_entry = conn.execute(entry).one()
    at_six = conn.execute(later).one()
    return [(code, label, n) for (code, label, _), n in zip(ENTRY, at_entry, strict=True)] + [
        (code, label, n) for (code, label, _), n in zip(AT_SIX_MONTHS, at_six, strict=True)
    ]
