"""Retention on a real database: who is past their rules, and what pseudonymisation leaves.

After the run, the whole database (SQLite's file and log bytes, PostgreSQL's pg_dump) holds
none of the seeded personal values, the chains still verify and the counts are unchanged.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import Result

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person, User
from ipm_workflow.domain.reports import Counting, ReportFilters
from ipm_workflow.domain.retention import Action
from ipm_workflow.entrypoints.worker import worker_for
from ipm_workflow.services.commands import Actor, FireTrigger
from journey import Journey
from journey.service import assert_chains_ok

TODAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# Distinctive, obviously fake personal values: none may survive a pseudonymisation.
SECRETS = {
    "first name": "Philibertine",
    "last name": "Zorglubescu",
    "email": "philibertine.zorglubescu@example.org",
    "phone": "+33611223344",
    "birth date": "1996-03-17",
    "i-milo id": "IMILO424242",
    "guardian name": "Gontran Vermicellot",
    "guardian email": "gontran.vermicellot@example.org",
    "guardian phone": "+33655667788",
    "health needs": "allergie aux arachides Zorglub",
    "justification": "fauteuil Vermicellot (exemple)",
    "ml contact": "Ermengarde Quintalou",
    "ml contact email": "ermengarde.quintalou@ml-a.example",
    "mentor": "Barnabé Frangipanier",
    "host email": "frangipanier@host.example",
    "suspension reason": "hospitalisation Pistachon",
    "move reason": "déménagement chez Tante Pistachon",
    "contact note": "rappelée depuis Lisbonne par Pistachon",
    "withdrawal text": "part travailler chez Frangipanier",
    "consent method": "au téléphone avec Tante Pistachon",
}
# A person still in their journey: their values stay (and prove the search finds values).
KEPT = {"first name": "Anatolie", "last name": "Gardeboisson"}


@pytest.fixture
def clock() -> ManualClock:
    """A clock that starts in 2020: the journeys happen years before the retention run."""
    return ManualClock(datetime(2020, 1, 6, 9, 0, tzinfo=UTC))


def _register(container: Container, actor: Actor, first: str, last: str, **values: object) -> int:
    person = Person(None, first, last, gender="female", **values)  # type: ignore[arg-type]
    registered = container.people.register(person, actor).person
    assert registered.id is not None
    return registered.id


def _seed_leaver(
    journey: Journey, container: Container, advisor: Actor, supervisor: Actor
) -> tuple[int, int]:
    """A person whose Erasmus+ case ended in 2022, with every kind of personal value."""
    s = SECRETS
    journey.move_to(date(2022, 2, 1))
    pid = _register(
        container,
        advisor,
        s["first name"],
        s["last name"],
        birth_date=date.fromisoformat(s["birth date"]),
        email=s["email"],
        phone=s["phone"],
        imilo_id=s["i-milo id"],
    )
    journey.guardian(
        pid, name=s["guardian name"], email=s["guardian email"], phone=s["guardian phone"]
    )
    sensitive = {
        "rqth": True,
        "fewer_opportunities": True,
        "fewer_opportunities_reason": "health",
        "inclusion_support_amount": "987.65",
        "inclusion_support_justification": s["justification"],
        "health_needs": s["health needs"],
    }
    container.person_records.put_sensitive(pid, sensitive, advisor)
    container.person_records.sensitive(pid, advisor)
    container.privacy.record_consent(
        pid, "photos_testimonials", True, advisor, method=s["consent method"]
    )
    case_id = journey.open(pid)
    journey.select(case_id)
    extra = {"mentor_name": s["mentor"], "host_email": s["host email"]}
    journey.match(case_id, date(2022, 5, 2), date(2022, 8, 26), **extra)
    journey.suspend(case_id, s["suspension reason"])
    journey.resume(case_id)
    journey.attempt(case_id, "call", note=s["contact note"])
    journey.advance(3)
    journey.run_reminders()
    # Withdrawn with an Idempotency-Key: the answer kept for retries echoes the case's data.
    withdraw = FireTrigger(
        case_id, "withdraw", {"withdrawal_reason": "other"}, s["withdrawal text"]
    )
    container.cases.fire_once(
        withdraw, advisor, "key-1", "fingerprint", lambda fired: {"data": fired.case.data}
    )
    journey.move(
        case_id,
        "ml-b",
        reason=s["move reason"],
        actor=supervisor,
        ml_contact_name=s["ml contact"],
        ml_contact_email=s["ml contact email"],
    )
    return pid, case_id


def _counts(container: Container) -> list[tuple[object, ...]]:
    """Cases by gender, birth year band, territory, mission locale and state: what reports use."""
    sql = text(
        "SELECT p.gender, p.departement, p.qpv, p.education_level, c.mission_locale_id, "
        "c.state, c.workflow, COUNT(*) FROM cases c JOIN people p ON p.id = c.person_id "
        "GROUP BY p.gender, p.departement, p.qpv, p.education_level, c.mission_locale_id, "
        "c.state, c.workflow ORDER BY 1, 2, 3, 4, 5, 6, 7"
    )
    with container.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sql)]


def _reports(container: Container, supervisor: Actor) -> dict[str, list[tuple[object, ...]]]:
    """The funder reports and the dashboards' tables over every year of the seeded journeys,
    both counting rules: aggregates keep their value after pseudonymisation."""
    period = ReportFilters(start=date(2020, 1, 1), end=TODAY)
    names = ("activity", "esf", "funnel", "dropout", "caseload")
    return {
        f"{name}/{counting.value}": list(
            container.reports.run(name, period, counting, actor=supervisor).rows
        )
        for name in names
        for counting in Counting
    }


def _database_text(container: Container) -> str:
    """Everything the database holds: SQLite's file and log bytes, or PostgreSQL's dump."""
    url = container.engine.url
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        files = [Path(url.database), Path(url.database + "-wal")]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        return raw.decode("utf-8", "replace") + raw.decode("latin-1")
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed for the PostgreSQL variant"
    plain = make_url(url.render_as_string(hide_password=False)).set(drivername="postgresql")
    dump = subprocess.run(
        [pg_dump, "--data-only", "--inserts", plain.render_as_string(hide_password=False)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dump.stdout


def _found(haystack: str, values: dict[str, str]) -> list[str]:
    # JSON columns may escape non-ASCII characters: look for both spellings.
    escaped = {
        k: v.encode("ascii", "backslashreplace").decode().replace("\\x", "\\u00")
        for k, v in values.items()
    }
    return [k for k, v in values.items() if v in haystack or escaped[k] in haystack]


@pytest.fixture
def seeded(
    container: Container, clock: ManualClock, advisor: Actor, directory: dict[str, User]
) -> tuple[Journey, int, int, int]:
    journey = Journey(container, advisor, clock)
    supervisor = Actor.of(directory["supervisor"])
    pid, case_id = _seed_leaver(journey, container, advisor, supervisor)
    journey.move_to(date(2025, 11, 3))
    kept = _register(
        container, advisor, KEPT["first name"], KEPT["last name"], birth_date=date(2006, 2, 1)
    )
    journey.open(kept)
    clock.set(TODAY)
    return journey, pid, case_id, kept


def test_pseudonymisation_leaves_no_personal_value(
    container: Container, seeded: tuple[Journey, int, int, int], directory: dict[str, User]
) -> None:
    """The run pseudonymises the leaver: no seeded value anywhere in the database, the chains
    verify, the counts by gender, territory, mission locale and state are the same."""
    _, pid, case_id, kept = seeded
    supervisor = Actor.of(directory["supervisor"])
    before = _counts(container)
    reports_before = _reports(container, supervisor)
    assert sorted(set(SECRETS) - set(_found(_database_text(container), SECRETS))) == []

    run = container.retention.run()

    assert [(pid, Action.PSEUDONYMISE)] == [(v.person_id, v.action) for v in run.done]
    everything = _database_text(container)
    assert _found(everything, SECRETS) == []
    assert list(KEPT) == _found(everything, KEPT)
    assert before == _counts(container)
    assert reports_before == _reports(container, supervisor)
    assert_chains_ok(container, cases=2)
    person = container.people.get(pid)
    assert (f"PSEUDO-{pid}", date(1996, 7, 1), TODAY) == (
        person.last_name,
        person.birth_date,
        person.pseudonymised_at,
    )
    assert container.person_records.guardians(pid, supervisor) == []
    sensitive = container.person_records.sensitive(pid, supervisor)
    assert (
        sensitive.fewer_opportunities,
        sensitive.fewer_opportunities_reason,
        sensitive.health_needs,
        sensitive.inclusion_support_justification,
        sensitive.inclusion_support_amount,
    ) == (True, "health", None, None, None)
    case = container.cases.get(case_id, supervisor)
    assert (
        case.state,
        case.data["host_organisation"],
        case.data["destination_country"],
    ) == ("WITHDRAWN", "Host Ltd", "MT")
    assert "mentor_name" not in case.data
    # A second run finds nobody new: the pseudonymised person waits for the audit period.
    assert container.retention.due() == []
    assert kept not in [v.person_id for v in run.due]


def test_dry_run_lists_exactly_the_people_past_their_rules(
    container: Container,
    clock: ManualClock,
    advisor: Actor,
    directory: object,
) -> None:
    """People on each side of each boundary: the dry run names those past, and changes nothing;
    the run then deletes those past every rule and pseudonymises those past the personal one."""
    journey = Journey(container, advisor, clock)

    def closed_on(day: date, born: date = date(1996, 6, 1), workflow: str = "erasmus") -> int:
        journey.move_to(day, hour=8)
        pid = _register(container, advisor, "Dora", "Bornes", birth_date=born)
        case_id = journey.open(pid)
        journey.fire(case_id, "log_first_contact", {"first_contact_date": day})
        journey.fire(case_id, "withdraw", {"withdrawal_reason": "family"})
        return pid

    expected = {
        # No case: the 27th birthday is the boundary.
        _register(container, advisor, "Aa", "Bornes", birth_date=date(1999, 1, 5)): Action.DELETE,
        _register(container, advisor, "Ab", "Bornes", birth_date=date(1999, 1, 6)): None,
        # Erasmus+: pseudonymised once the case ended, deleted five years after its end.
        closed_on(date(2021, 1, 5)): Action.DELETE,
        closed_on(date(2021, 1, 6)): Action.PSEUDONYMISE,
        # Under 27 with a closed case: kept until the 27th birthday.
        closed_on(date(2021, 1, 6), born=date(2000, 1, 1)): None,
    }
    # Past 27 but their programme still runs: kept.
    running = _register(container, advisor, "Dora", "Encours", birth_date=date(1996, 6, 1))
    journey.open(running)
    expected[running] = None
    clock.set(TODAY)
    before = _counts(container)

    dry = container.retention.run(dry_run=True)

    past = {p: a for p, a in expected.items() if a is not None}
    assert past == {v.person_id: v.action for v in dry.due}
    assert dry.done == []
    assert before == _counts(container)
    reasons = {v.person_id: v.reasons() for v in dry.due}
    assert reasons[min(past)] == "ml_practice: aged 27 on 2026-01-05"

    done = container.retention.run()
    assert past == {v.person_id: v.action for v in done.done}
    with container.engine.connect() as conn:
        left = set(conn.execute(text("SELECT id FROM people")).scalars())
    deleted = {p for p, a in past.items() if a is Action.DELETE}
    assert set(expected) - deleted == left
    assert_chains_ok(container, cases=3)
    assert container.retention.due() == []


def test_cli_run(
    container: Container, advisor: Actor, directory: object, cli: Callable[..., Result]
) -> None:
    """`retention run --dry-run` lists who is past their rules (on the real clock) and why;
    `retention run` carries it out. Born in 1950 and 2015, far from any boundary."""
    old = _register(container, advisor, "Vieux", "Bornes", birth_date=date(1950, 5, 1))
    young = _register(container, advisor, "Jeune", "Bornes", birth_date=date(2015, 5, 1))

    dry = cli("retention", "run", "--dry-run")

    assert dry.exit_code == 0, dry.output
    listed = [line for line in dry.output.splitlines() if line.startswith("person ")]
    assert [f"person {old:<7} delete        ml_practice: aged 27 on 1977-05-01"] == listed
    assert "1 person(s) past their rules would be handled" in dry.output
    done = cli("retention", "run")
    assert done.exit_code == 0, done.output
    assert "1 done, 0 failed" in done.output
    with container.engine.connect() as conn:
        assert [young] == list(conn.execute(text("SELECT id FROM people")).scalars())


def test_worker_daily_job_takes_the_cluster_lock(
    container: Container, clock: ManualClock, advisor: Actor, directory: object
) -> None:
    """The worker schedules the run daily; while another process holds the lock it does
    nothing, once free it runs on the injected clock's day."""
    old = _register(container, advisor, "Vieux", "Bornes", birth_date=date(1950, 5, 1))
    worker = worker_for(container)
    job = worker.daily["retention"]
    assert (container.settings.retention_hour, "Europe/Paris") == (job.hour, job.timezone)

    with container.cluster_lock("retention") as held:
        assert held
        asyncio.run(worker.run_daily("retention"))
        with container.engine.connect() as conn:
            assert [old] == list(conn.execute(text("SELECT id FROM people")).scalars())
        with container.cluster_lock("retention") as again:
            assert not again

    asyncio.run(worker.run_daily("retention"))
    with container.engine.connect() as conn:
        assert list(conn.execute(text("SELECT id FROM people")).scalars()) == []


def test_cli_refuses_an_invalid_rules_file(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """A mistake in the rules file stops the run (exit 2) naming the file, line and place."""
    bad = tmp_path / "retention.yaml"
    shipped = (Path(__file__).parents[2] / "config" / "retention.yaml").read_text()
    bad.write_text(shipped.replace("age: 27", "age: old"), encoding="utf-8")
    # The rules are read before the database is touched: any database will do.
    env = {
        "IPM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "IPM_RETENTION_FILE": str(bad),
    }

    result = run_cli("retention", "run", "--dry-run", env=env)

    assert result.exit_code == 2, result.output
    line = next(i for i, ln in enumerate(shipped.splitlines(), 1) if "age: 27" in ln)
    assert f"{bad}:{line}:" in result.output
    assert "rules[0].until.age: Input should be a valid integer" in result.output


def test_accepted_erasure_requests_are_carried_out(
    container: Container,
    clock: ManualClock,
    advisor: Actor,
    directory: dict[str, User],
    cli: Callable[..., Result],
) -> None:
    """A run carries out the erasure requests a supervisor accepted (pseudonymisation or
    deletion), once; a refused one changes nothing; the dry run only names them."""
    supervisor = Actor.of(directory["supervisor"])
    journey = Journey(container, advisor, clock)
    people = {}
    for name in ("Pseudo", "Efface", "Refuse"):
        pid = _register(container, advisor, name, "Demandeur", birth_date=date(2003, 1, 1))
        journey.open(pid)
        people[name] = pid
    privacy = container.privacy
    decisions = {"Pseudo": "pseudonymisation", "Efface": "deletion", "Refuse": "refused"}
    requests = {}
    for name, decision in decisions.items():
        asked = privacy.record_erasure(people[name], date(2020, 1, 6), "young_person", supervisor)
        assert asked.id is not None
        privacy.decide_erasure(asked.id, decision, "motif communiqué", supervisor)
        requests[name] = asked.id

    dry = container.retention.run(dry_run=True)

    assert [requests["Pseudo"], requests["Efface"]] == sorted(r.id for r in dry.erasures)
    assert dry.erased == []
    assert dry.due == []

    done = cli("retention", "run")
    assert done.exit_code == 0, done.output
    assert f"erasure request {requests['Efface']} (person {people['Efface']}): deletion " in (
        done.output
    )
    with container.engine.connect() as conn:
        left = dict(conn.execute(text("SELECT id, last_name FROM people")).all())
        cases = dict(conn.execute(text("SELECT person_id, COUNT(*) FROM cases GROUP BY 1")).all())
    assert {
        people["Pseudo"]: f"PSEUDO-{people['Pseudo']}",
        people["Refuse"]: "Demandeur",
    } == left
    assert {people["Pseudo"]: 1, people["Refuse"]: 1} == cases
    carried = {r.id: r.carried_out_at is not None for r in privacy.erasures(supervisor)}
    assert {requests["Pseudo"]: True, requests["Efface"]: True, requests["Refuse"]: False} == (
        carried
    )
    assert container.retention.run().erasures == []
    assert_chains_ok(container, cases=2)


def test_serve_refuses_an_invalid_rules_file(
    run_cli: Callable[..., Result], db_url: str, tmp_path: Path
) -> None:
    """`serve` (whose embedded worker runs the daily job) refuses to start on a broken file."""
    bad = tmp_path / "retention.yaml"
    bad.write_text("rules: []\n", encoding="utf-8")
    env = {"IPM_DATABASE_URL": db_url, "IPM_RETENTION_FILE": str(bad)}

    result = run_cli("serve", "--port", "1", env=env)

    assert result.exit_code == 2, result.output
    assert f"{bad}:" in result.output
    assert "rules: List should have at least 1 item" in result.output
