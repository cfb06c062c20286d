"""The reports' SQL building blocks, the same on SQLite and PostgreSQL.

The cases a report looks at (cases, their person, the person's sensitive flags), the filters,
the two counting rules, the phase of a state, the first time a case entered a phase, and the
two functions the dialects spell differently (days between two moments, a date years before).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, and_, case, false, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from ipm_workflow.adapters.db.attribution_store import MERGED_STATE
from ipm_workflow.adapters.db.handles import cases_t, history_t, people_t
from ipm_workflow.adapters.db.people_store import sensitive_t
from ipm_workflow.domain.reports import AgeBand, Counting
from ipm_workflow.services.report_ports import ReportRequest

# The attribution rule (services/attribution.py): a person whose records were merged is one
# person; the referring mission locale is the first one, kept when a case moves.
PERSON = func.coalesce(people_t.c.merged_into_id, people_t.c.id)
REFERRING_ML = func.coalesce(cases_t.c.referring_mission_locale_id, cases_t.c.mission_locale_id)
CURRENT_ML = cases_t.c.mission_locale_id
CASES_AND_PEOPLE = cases_t.join(people_t, people_t.c.id == cases_t.c.person_id).outerjoin(
    sensitive_t, sensitive_t.c.person_id == people_t.c.id
)
FEWER_OPPORTUNITIES = func.coalesce(sensitive_t.c.fewer_opportunities, false())


class days_between(FunctionElement[float]):  # noqa: N801 - reads as SQL
    """Days (with fractions) from `earlier` to `later`."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
        f"{compiler.process(earlier, **kw)})) / 86400.0)"
    )


class years_before(FunctionElement[date]):  # noqa: N801 - reads as SQL
    """The calendar day `years` years before a moment (UTC day)."""

    type = Date()
    name = "years_before"
    inherit_cache = True


def _years(element: years_before) -> tuple[Any, int]:
    moment, years = list(element.clauses)
    return moment, int(years.value)


@compiles(years_before, "sqlite")
def _years_sqlite(element: years_before, compiler: SQLCompiler, **kw: Any) -> str:
    moment, years = _years(element)
    return f"date({compiler.process(moment, **kw)}, '-{years} years')"


@compiles(years_before, "postgresql")
def _years_pg(element: years_before, compiler: SQLCompiler, **kw: Any) -> str:
    moment, years = _years(element)
    return (
        f"CAST((({compiler.process(moment, **kw)}) AT TIME ZONE 'UTC') "
        f"- INTERVAL '{years} years' AS DATE)"
    )


def age_band() -> ColumnElement[str]:
    """The age band at referral (the case's opening) of the case's young person."""
    birth, opened = people_t.c.birth_date, cases_t.c.opened_at
    return case(
        (birth.is_(None), AgeBand.UNKNOWN.value),
        (birth > years_before(opened, literal(18)), AgeBand.UNDER_18.value),
        (birth > years_before(opened, literal(26)), AgeBand.FROM_18_TO_25.value),
        (birth > years_before(opened, literal(30)), AgeBand.FROM_26_TO_29.value),
        else_=AgeBand.FROM_30.value,
    )


def utc(moment: datetime) -> datetime:
    """A moment in UTC (SQLite compares stored timestamps as text)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of a calendar day at Ipm, in UTC."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """A half-open window of instants [since, until) (None: open on that side)."""

    since: datetime | None
    until: datetime | None

    def holds(self, column: Any) -> list[Any]:
        """The conditions that place a moment column in the window."""
        found = []
        if self.since is not None:
            found.append(column >= self.since)
        if self.until is not None:
            found.append(column < self.until)
        return found


def months_back(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - some day of every month exists


class Context:
    """One report run: its window, counting rule, filters and the workflows' phases."""

    def __init__(self, request: ReportRequest) -> None:
        self.request = request
        self.filters = request.filters
        self.tz = ZoneInfo(request.timezone)
        self.now = utc(request.now)
        f = self.filters
        self.window = Window(
            day_start(f.start, self.tz) if f.start else None,
            day_start(f.end + timedelta(days=1), self.tz) if f.end else None,
        )

    def local_day(self, moment: datetime) -> date:
        """The calendar day at Ipm of a stored moment (SQLite gives it back without a zone)."""
        return utc(moment).astimezone(self.tz).date()

    def shifted(self, months: int) -> Window:
        """The period moved `months` months back (the returns whose +months fall in it)."""
        f = self.filters
        return Window(
            day_start(months_back(f.start, months), self.tz) if f.start else None,
            day_start(months_back(f.end + timedelta(days=1), months), self.tz) if f.end else None,
        )

    def key(self) -> Any:
        """What one count counts: a young person (merged records once) or a case (a start)."""
        return PERSON if self.request.counting == Counting.PEOPLE else cases_t.c.id

    def count(self, condition: Any = None) -> Any:
        """Count distinct people or cases (those meeting a condition)."""
        key = self.key()
        if condition is None:
            return func.count(key.distinct())
        return func.count(case((condition, key)).distinct())

    def ml(self, kind: str | None = None) -> Any:
        """The mission locale a figure counts for: referring for referrals, else current."""
        return REFERRING_ML if kind == "referring" else CURRENT_ML

    def conditions(self) -> list[Any]:
        """The filters as SQL conditions on cases, people and their sensitive flags."""
        f = self.filters
        found: list[Any] = [cases_t.c.state != MERGED_STATE]
        if f.workflows:
            found.append(cases_t.c.workflow.in_(f.workflows))
        if f.mission_locales:
            found.append(self.ml(f.attribution).in_(f.mission_locales))
        if f.scope is not None:  # the reader's reach, from the access policy
            found.append(self.ml(f.attribution).in_(f.scope) if f.scope else false())
        if f.departements:
            found.append(people_t.c.departement.in_(f.departements))
        if f.qpv:
            found.append(people_t.c.qpv == f.qpv)
        if f.rural:
            found.append(people_t.c.rural == f.rural)
        if f.genders:
            found.append(func.coalesce(people_t.c.gender, "not_declared").in_(f.genders))
        if f.age_bands:
            found.append(age_band().in_(f.age_bands))
        if f.education_levels:
            level = func.coalesce(people_t.c.education_level, "not_declared")
            found.append(level.in_(f.education_levels))
        if f.fewer_opportunities is not None:
            found.append(FEWER_OPPORTUNITIES.is_(f.fewer_opportunities))
        if f.grant_project:
            found.append(cases_t.c.data["grant_project_code"].as_string() == f.grant_project)
        return found

    def phase_of(self, workflow: Any, state: Any) -> Any:
        """The phase of a (workflow, state) pair, as declared (by the state's name alone where
        every workflow gives that name the same phase)."""
        by_name: dict[str, set[str]] = {}
        for (_, s), phase in self.request.workflows.phases.items():
            by_name.setdefault(s, set()).add(phase)
        whens: list[tuple[Any, str]] = []
        for (w, s), phase in sorted(self.request.workflows.phases.items()):
            if len(by_name[s]) > 1:
                whens.append((and_(workflow == w, state == s), phase))
        whens += [(state == s, next(iter(p))) for s, p in sorted(by_name.items()) if len(p) == 1]
        return case(*whens, else_=None)

    def states_in(self, phases: Iterable[str]) -> list[tuple[str, str]]:
        """The (workflow, state) pairs of some phases."""
        wanted = set(phases)
        return sorted(k for k, p in self.request.workflows.phases.items() if p in wanted)

    def is_state(self, workflow: Any, state: Any, pairs: Iterable[tuple[str, str]]) -> Any:
        """A condition: the (workflow, state) pair is one of `pairs` (by the state's name alone
        where every workflow declaring that name is among them: an index-friendly IN)."""
        wanted = set(pairs)
        declared: dict[str, set[str]] = {}
        for w, s in self.request.workflows.phases:
            declared.setdefault(s, set()).add(w)
        everywhere = sorted({s for _, s in wanted if all((w, s) in wanted for w in declared[s])})
        options = [state.in_(everywhere)] if everywhere else []
        options += [and_(workflow == w, state == s) for w, s in sorted(wanted)
                    if s not in everywhere]  # fmt: skip
        return or_(*options) if options else false()

    def open_case(self) -> Any:
        """A condition: the case is not in a final state."""
        return ~self.is_state(cases_t.c.workflow, cases_t.c.state, self.request.workflows.terminal)

    def first_entry(self, into: Iterable[str], *, leaving: Iterable[str] | None = None) -> Any:
        """Per case, the first time it entered a state of the `into` phases (coming from a state
        of the `leaving` phases when given, else from outside `into`): (case_id, at)."""
        into = tuple(into)
        h = history_t.c
        target = self.is_state(h.workflow, h.to_state, self.states_in(into))
        origin = (
            self.is_state(h.workflow, h.from_state, self.states_in(leaving))
            if leaving is not None
            else or_(
                h.from_state.is_(None),
                ~self.is_state(h.workflow, h.from_state, self.states_in(into)),
            )
        )
        return (
            select(h.case_id.label("case_id"), func.min(h.at).label("at"))
            .where(target, origin)
            .group_by(h.case_id)
            .subquery()
        )
