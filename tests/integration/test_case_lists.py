"""Case listings at scale (issue 16): a capped count, and a few missions locales read one index
walk each then merged, in the same order and pages as one query over all of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from ipm_workflow.adapters.db.handles import cases_t
from ipm_workflow.adapters.db.repositories import SqlCaseRepository
from ipm_workflow.bootstrap import Container
from ipm_workflow.services.case_ports import CaseQuery, capped_total
from journey import Journey

PLACES = ["ml-a", "ml-b"]
BASE = datetime(2031, 3, 1, 9, tzinfo=UTC)


def _spread(container: Container, journey: Journey, count: int) -> list[int]:
    """`count` cases over two missions locales, with tied last changes and missing deadlines."""
    ids = [journey.open(journey.person()) for _ in range(count)]
    with container.engine.begin() as conn:
        for n, cid in enumerate(ids):
            due = None if n % 3 == 0 else BASE + timedelta(days=n % 4)
            values = {
                "mission_locale_id": PLACES[n % 2],
                "updated_at": BASE + timedelta(hours=n % 3),
                "due_at": due,
            }
            conn.execute(update(cases_t).where(cases_t.c.id == cid).values(**values))
    return ids


def _pages(container: Container, **criteria: Any) -> list[int]:
    """Every case id of a listing, read two by two."""
    found: list[int] = []
    with container.engine.connect() as conn:
        repo = SqlCaseRepository(conn)
        while True:
            query = CaseQuery(limit=2, offset=len(found), **criteria)
            page = [c.id or 0 for c in repo.search(query)[0]]
            found += page
            if len(page) < 2:
                return found


class TestMergedPlaces:
    """Two missions locales: the merged walks give the pages of the plain order."""

    def test_by_last_change_newest_first(self, container: Container, journey: Journey) -> None:
        """Sorted by last change, newest first, ties by id: the same as one sort of all."""
        ids = _spread(container, journey, 7)
        merged = _pages(container, mission_locales=PLACES, sort="updated_at", descending=True)
        single = _pages(container, mission_locales=None, sort="updated_at", descending=True)
        assert sorted(ids) == sorted(merged)
        assert single == merged

    def test_deadline_first(self, container: Container, journey: Journey) -> None:
        """The My cases order: soonest deadline first, cases without one last, ties by id."""
        _spread(container, journey, 7)
        with container.engine.connect() as conn:
            rows = SqlCaseRepository(conn).search(CaseQuery(limit=100))[0]
        far = datetime.max.replace(tzinfo=UTC)
        expected = [
            c.id for c in sorted(rows, key=lambda c: (c.due_at or far, c.due_at is None, c.id))
        ]
        assert expected == _pages(container, mission_locales=PLACES, due_first=True)

    def test_keyset_after_a_case(self, container: Container, journey: Journey) -> None:
        """A page after a case's (sort value, id): the rest of the merged listing."""
        _spread(container, journey, 6)
        everything = _pages(container, mission_locales=PLACES, sort="id")
        with container.engine.connect() as conn:
            after = SqlCaseRepository(conn).search(
                CaseQuery(mission_locales=PLACES, sort="id", after=(everything[2], everything[2]))
            )[0]
        assert everything[3:] == [c.id for c in after]


class TestCappedCount:
    """The count stops past `count_limit`: the total then says "more than"."""

    def test_more_than_the_limit(self, container: Container, journey: Journey) -> None:
        """Five matches, a limit of 2: counted 3, shown as more than 2; exact without a limit."""
        _spread(container, journey, 5)
        with container.engine.connect() as conn:
            repo = SqlCaseRepository(conn)
            capped = CaseQuery(mission_locales=PLACES, limit=1, count_limit=2)
            exact = CaseQuery(mission_locales=PLACES, limit=1, count_limit=None)
            counted = repo.search(capped)[1]
            expected = (3, (2, True), 5, (5, False))
            assert expected == (
                counted,
                capped_total(capped, counted),
                repo.search(exact)[1],
                capped_total(exact, repo.search(exact)[1]),
            )

    def test_within_the_limit_the_total_is_exact(
        self, container: Container, journey: Journey
    ) -> None:
        """Under the limit, the count is the number of matches, flagged exact."""
        _spread(container, journey, 3)
        with container.engine.connect() as conn:
            query = CaseQuery(mission_locales=["ml-a"], count_limit=5)
            counted = SqlCaseRepository(conn).search(query)[1]
        expected = (2, False)
        assert expected == capped_total(query, counted)
