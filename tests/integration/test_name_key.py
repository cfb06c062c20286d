"""The name search on the cases' key (branch namesearch, issue 16, 0024_name_key): first or last
name contains the text, any case, in one or several places; the key follows the person's names
and holds nothing identifying once they are pseudonymised; the migration backfills it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, select

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.handles import cases_t
from ipm_workflow.adapters.db.name_keys import SEPARATOR
from ipm_workflow.adapters.db.repositories import SqlCaseRepository
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.people import MissionLocale, Person, User
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.commands import Actor
from journey import Journey

# Obviously fake names: lower-case accents only (SQLite's lower() folds ASCII letters alone,
# PostgreSQL's every letter: names like these are lower-cased alike by both), and LIKE's
# wildcards, which the search matches as themselves.
SYLLABLES = ("ba", "zé", "lou", "mar", "ti", "do", "è", "ç", "ï", "%", "_", "-", "'", " ")
NEEDLE_LETTERS = "abdilmortuzéèçïÉÈ%_-' \\"
ALL = ["ml-a", "ml-b"]


def _fake(rng: random.Random) -> str:
    return ("Q" + "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(1, 5)))).strip()


def _people(journey: Journey, directory: dict[str, User], count: int) -> dict[int, str]:
    """`count` people with a case each, every other case moved to ml-b; their names by case."""
    rng = random.Random(16)
    supervisor = Actor.of(directory["supervisor"])
    names: dict[int, str] = {}
    for n in range(count):
        first, last = _fake(rng), _fake(rng)
        person = journey.container.people.register(
            Person(None, first, last, date(2004, 1, 1)), journey.advisor
        ).person
        assert person.id is not None
        case_id = journey.open(person.id)
        if n % 2:
            journey.move(case_id, "ml-b", actor=supervisor)
        names[case_id] = f"{first}\n{last}"
    return names


def _found(engine: Engine, text: str, places: list[str] | None) -> set[int]:
    with engine.connect() as conn:
        query = CaseQuery(mission_locales=places, name=text, limit=500)
        cases, total = SqlCaseRepository(conn).search(query)
    assert total == len(cases)
    return {c.id for c in cases if c.id is not None}


def _keys(engine: Engine, person_id: int) -> list[str]:
    with engine.connect() as conn:
        stmt = select(cases_t.c.name_key).where(cases_t.c.person_id == person_id)
        return list(conn.execute(stmt.order_by(cases_t.c.id)).scalars())


class TestSameAsContains:
    """The search finds what Python's `in` finds in the first or the last name, any case."""

    def test_random_texts_and_pieces_of_names(
        self, engine: Engine, journey: Journey, directory: dict[str, User]
    ) -> None:
        """Random texts, and pieces of the names in any case, in one place, two, or all."""
        names = _people(journey, directory, 12)
        place = {case_id: ALL[n % 2] for n, case_id in enumerate(names)}
        pieces = st.sampled_from(sorted(names.values())).flatmap(
            lambda name: st.tuples(st.integers(0, len(name)), st.integers(0, len(name))).map(
                lambda ends: name[min(ends) : max(ends)]
            )
        )
        texts = st.one_of(st.text(NEEDLE_LETTERS, min_size=1, max_size=4), pieces)

        @settings(max_examples=80, deadline=None, database=None)
        @given(
            text=texts,
            case=st.sampled_from([str, str.upper, lambda t: f" {t} "]),
            places=st.sampled_from([None, ["ml-a"], ALL]),
        )
        def same(text: str, case: Callable[[str], str], places: list[str] | None) -> None:
            text = case(text)
            if not text.strip() or "\n" in text:
                return  # no search, or a text across both names (a line break is no letter)
            needle = text.strip().lower()
            expected = {
                case_id
                for case_id, both in names.items()
                if any(needle in name.lower() for name in both.split("\n"))
                and (places is None or place[case_id] in places)
            }
            assert expected == _found(engine, text, places)

        same()

    def test_keyset_pages_by_name(
        self, engine: Engine, journey: Journey, directory: dict[str, User]
    ) -> None:
        """A name's page after a case (the API's `next`) continues the pages by offset."""
        names = _people(journey, directory, 6)
        with engine.connect() as conn:
            repo = SqlCaseRepository(conn)
            pages = {}
            for text in ["q", *(n.split("\n")[1][:4].upper() for n in list(names.values())[:2])]:
                query = CaseQuery(mission_locales=ALL, name=text, sort="id", descending=True)
                first = repo.search(replace(query, limit=2))[0]
                after = (first[-1].id, first[-1].id) if first else None
                later = repo.search(replace(query, after=after))[0] if first else []
                pages[text] = [c.id for c in first + later]
        expected = {
            text: sorted((c for c, n in names.items() if text.lower() in n.lower()), reverse=True)
            for text in pages
        }
        assert expected == pages


class TestKeyFollowsThePerson:
    """Every write of a person's names reaches their cases' key."""

    def test_rename_then_a_new_case(
        self, engine: Engine, container: Container, journey: Journey, person: Person
    ) -> None:
        """A renamed person is found by the new name only; a case opened after has it too."""
        assert person.id is not None
        first = journey.open(person.id)
        container.people.update(person.id, {"last_name": "Renommé"}, journey.advisor)
        second = journey.open(person.id)
        expected = ([f"camille{SEPARATOR}renommé"] * 2, {first, second}, set())
        assert expected == (
            _keys(engine, person.id),
            _found(engine, "RENOMM", ALL),
            _found(engine, "exemple", ALL),
        )

    def test_merge_keeps_each_case_s_person(
        self, engine: Engine, container: Container, journey: Journey, directory: dict[str, User]
    ) -> None:
        """After a merge each case is still found by its own person's name, as before."""
        one = container.people.register(Person(None, "Ana", "Zorglub", None), journey.advisor)
        two = container.people.register(Person(None, "Ana", "Zorglüb", None), journey.advisor)
        assert one.person.id is not None
        assert two.person.id is not None
        survivor, duplicate = journey.open(one.person.id), journey.open(two.person.id)
        container.merges.merge(survivor, duplicate, "same", Actor.of(directory["supervisor"]))
        expected = ([f"ana{SEPARATOR}zorglub"], [f"ana{SEPARATOR}zorglüb"], {duplicate})
        assert expected == (
            _keys(engine, one.person.id),
            _keys(engine, two.person.id),
            _found(engine, "glüb", ALL),
        )

    def test_pseudonymised_key_holds_the_pseudonym_only(
        self, engine: Engine, container: Container, journey: Journey, person: Person
    ) -> None:
        """Pseudonymised: nothing of the names stays in the key; the old name finds nothing."""
        assert person.id is not None
        journey.open(person.id)
        journey.open(person.id)
        container.pseudonymisation.pseudonymise(person.id, "test_rule")
        keys = _keys(engine, person.id)
        pseudo = f"pseudo-{person.id}"
        expected = ([f"{pseudo}{SEPARATOR}{pseudo}"] * 2, set(), set())
        assert expected == (
            keys,
            {k for k in keys for part in ("camille", "exemple") if part in k},
            _found(engine, "camille", None) | _found(engine, "exemple", ALL),
        )

    def test_deleted_person_leaves_no_key(
        self, engine: Engine, container: Container, journey: Journey, person: Person
    ) -> None:
        """Deleted: the cases and their keys go with the person."""
        assert person.id is not None
        journey.open(person.id)
        container.pseudonymisation.delete(person.id, "test_rule")
        expected: tuple[list[str], set[int]] = ([], set())
        assert expected == (_keys(engine, person.id), _found(engine, "exemple", None))


class TestMigration:
    """0024_name_key backfills the key from people; its downgrade drops the column."""

    def test_backfill_and_downgrade(
        self, blank_db_url: str, clock: ManualClock, shipped_registry: WorkflowRegistry
    ) -> None:
        """Cases opened at head, down to 0023_lists_1m (no column) and up again: same keys."""
        engine = create_db_engine(blank_db_url)
        read = select(cases_t.c.name_key).order_by(cases_t.c.id)
        try:
            migrate.upgrade(engine)
            container = bootstrap(
                Settings(database_url=blank_db_url), clock=clock, registry=shipped_registry
            )
            try:
                people = container.people
                people.add_mission_locale(MissionLocale("ml-a", "Mission locale A (test)", "42"))
                advisor = Actor.of(people.add_user("advisor.a", "Advisor A", "advisor", ["ml-a"]))
                journey = Journey(container, advisor, clock)
                for first_name in ("Eva", "Zoé"):
                    journey.open(journey.person(first_name=first_name))
            finally:
                container.close()
            with engine.connect() as conn:
                opened = list(conn.execute(read).scalars())
            command.downgrade(migrate.alembic_config(blank_db_url), "0023_lists_1m")
            columns = {c["name"] for c in inspect(engine).get_columns("cases")}
            migrate.upgrade(engine)
            with engine.connect() as conn:
                backfilled = list(conn.execute(read).scalars())
        finally:
            engine.dispose()
        keys = [f"eva{SEPARATOR}témoin", f"zoé{SEPARATOR}témoin"]
        expected = (keys, False, keys)
        assert expected == (opened, "name_key" in columns, backfilled)
