"""The agenda and the case lists merged per mission locale (branch lists1m, issue 16) give
the same rows, in the same order, as one filtered query, and a page not full its count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db.case_search import _count, conditions
from ipm_workflow.adapters.db.handles import cases_t
from ipm_workflow.adapters.db.reminder_reads import SqlReminderReads, reminders_t
from ipm_workflow.adapters.db.repositories import SqlCaseRepository
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.reminder_lifecycle import ACTIVE
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.commands import Actor
from journey import Journey

PLACES = ["ml-a", "ml-b"]


def _cases(journey: Journey, directory: dict[str, User], how_many: int) -> list[int]:
    """Cases at ml-a, every other one moved to ml-b, with their planned reminders."""
    supervisor = Actor.of(directory["supervisor"])
    opened = [journey.open(journey.person()) for _ in range(how_many)]
    for cid in opened[::2]:
        journey.move(cid, "ml-b", actor=supervisor)
    return opened


@pytest.fixture
def five(journey: Journey, directory: dict[str, User]) -> list[int]:
    """Five cases, three at ml-b and two at ml-a."""
    return _cases(journey, directory, 5)


class TestAgendaMerged:
    """One walk per place and status, merged: the single query's rows and order."""

    def test_every_limit_gives_the_single_query_s_rows(
        self,
        container: Container,
        journey: Journey,
        directory: dict[str, User],
        clock: ManualClock,
    ) -> None:
        """Some reminders retrying (another status), the page cut anywhere: the same rows."""
        _cases(journey, directory, 4)
        until = clock.now() + timedelta(days=400)
        with container.engine.begin() as conn:
            ids = list(conn.execute(select(reminders_t.c.id).order_by(reminders_t.c.id)).scalars())
            conn.execute(
                update(reminders_t).where(reminders_t.c.id.in_(ids[::3])).values(status="retry")
            )
        with container.engine.connect() as conn:
            single = list(
                conn.execute(
                    select(reminders_t.c.id)
                    .where(
                        reminders_t.c.status.in_(sorted(ACTIVE)),
                        reminders_t.c.due_at <= until,
                        reminders_t.c.mission_locale_id.in_(PLACES),
                    )
                    .order_by(reminders_t.c.due_at, reminders_t.c.id)
                ).scalars()
            )
            reads = SqlReminderReads(conn)
            merged = {n: [r.id for r in reads.agenda(PLACES, None, until, n)] for n in (1, 3, 7)}
            everything = [r.id for r in reads.agenda(PLACES, None, until, len(single) + 5)]
        expected = ({n: single[:n] for n in (1, 3, 7)}, single, True)
        assert expected == (merged, everything, len(single) > 7)


class TestKnownTotal:
    """A page that is not full gives the count without counting; the same count."""

    def test_pages_not_full_count_like_the_count(
        self, container: Container, five: list[int]
    ) -> None:
        """Every page size and offset, with and without a count limit: the counted total."""
        queries = [
            CaseQuery(mission_locales=PLACES, due_first=True, limit=limit, offset=offset)
            for limit in (2, 5, 9)
            for offset in (0, 2, 4, 6)
        ] + [CaseQuery(mission_locales=PLACES, limit=9, count_limit=3)]
        with container.engine.connect() as conn:
            repo = SqlCaseRepository(conn)
            found = [repo.search(q)[1] for q in queries]
            counted = [
                _count(
                    conn,
                    [*conditions(q), cases_t.c.mission_locale_id.in_(PLACES)],
                    q.count_limit,
                )
                for q in queries
            ]
        expected = counted
        assert expected == found


class TestNameSearchInOneStatement:
    """The name search's page and capped count in one statement: the two statements' answer."""

    def test_pages_and_counts_by_name(self, container: Container, five: list[int]) -> None:
        """Pages of every size and depth, by deadline or by id: the same cases and totals."""
        queries = [
            CaseQuery(mission_locales=PLACES, name="émoi", limit=limit, offset=offset, **order)
            for limit in (0, 2, 9)
            for offset in (0, 2, 7)
            for order in ({"due_first": True}, {"sort": "id", "descending": True})
        ] + [CaseQuery(name="TÉMOIN", count_limit=2), CaseQuery(name="nobody", limit=3)]
        with container.engine.connect() as conn:
            repo = SqlCaseRepository(conn)
            found = [repo.search(q) for q in queries]
            pages = [[c.id for c in cases] for cases, _total in found]
            totals = [total for _cases, total in found]
            every = [
                list(
                    conn.execute(
                        select(cases_t.c.id)
                        .where(*conditions(q))
                        .order_by(
                            *(
                                [cases_t.c.due_at, cases_t.c.id]
                                if q.due_first
                                else [cases_t.c.id.desc() if q.descending else cases_t.c.id]
                            )
                        )
                    ).scalars()
                )
                for q in queries
            ]
        expected = (
            [ids[q.offset : q.offset + q.limit] for ids, q in zip(every, queries, strict=True)],
            [
                len(ids) if q.count_limit is None else min(len(ids), q.count_limit + 1)
                for ids, q in zip(every, queries, strict=True)
            ],
        )
        assert expected == (pages, totals)
