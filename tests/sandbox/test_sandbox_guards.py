"""The training sandbox's guards: its clock, who moves it, and never mixing it with production."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sandbox_kit import (
    ADMIN,
    ADVISOR,
    CLOCK,
    MARKER,
    OUTBOX,
    SUPERVISOR,
    TRAINER,
    SandboxApi,
    parse,
)

from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.instance import WrongInstance, claim_mode
from ipm_workflow.bootstrap import bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.people import MissionLocale, Person
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.entrypoints.http.app import create_app
from ipm_workflow.services.commands import Actor, OpenCase
from journey import API, WORKFLOW
from journey.servers import IPM_WORKFLOW, free_port

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
PROBLEMS = "https://ipm-workflow.example.org/problems/"


def _minutes_apart(later: datetime, earlier: datetime) -> int:
    """Whole minutes between two moments (0: the same moment, give or take real time)."""
    return (later - earlier) // MINUTE


def _days_apart(later: datetime, earlier: datetime) -> int:
    """Days between two moments, rounded."""
    return round((later - earlier) / DAY)


def _rendered(url: str) -> str:
    """A database URL as the refusals print it (password hidden)."""
    engine = create_db_engine(url)
    try:
        return engine.url.render_as_string()
    finally:
        engine.dispose()


def _mark(url: str, *, sandbox: bool) -> None:
    """Claim a database for the sandbox or for production, as a first start would."""
    engine = create_db_engine(url)
    try:
        claim_mode(engine, sandbox)
    finally:
        engine.dispose()


def _refusal(build: Callable[[], object]) -> str:
    """Build an app that must refuse its database; return its message."""
    with pytest.raises(WrongInstance) as refused:
        build()
    return refused.value.message


def _sandbox_message(url: str) -> str:
    return (
        f"this is a training sandbox database ({_rendered(url)}): a production service refuses "
        "it; start it with `ipm-workflow serve --sandbox`"
    )


def _production_message(url: str) -> str:
    return (
        f"this is a production database ({_rendered(url)}): the training sandbox never runs on "
        "one; give it its own database (IPM_SANDBOX_DATABASE_URL)"
    )


class TestClockOnlyMovesForward:
    """The sandbox clock never goes back: 422 with a problem that says why."""

    def test_a_time_before_now_is_refused(self, api: SandboxApi) -> None:
        """Moving to a time before the sandbox's now is a 422 and leaves the clock alone."""
        api.move(advance="P10D")
        before = api.now()
        response = api.call("POST", CLOCK, TRAINER, json={"to": "2020-01-01T09:00:00Z"})
        problem = response.json()
        expected = (422, PROBLEMS + "invalid-input", "the sandbox clock only moves forward", "to")
        actual = (
            response.status_code,
            problem["type"],
            problem["detail"],
            problem["errors"][0]["field"],
        )
        assert expected == actual
        prefix = "2020-01-01T09:00:00+00:00 is before the sandbox's now "
        message = problem["errors"][0]["message"]
        expected_message = (prefix, 0)
        actual_message = (
            message[: len(prefix)],
            _minutes_apart(parse(message[len(prefix) :]), before),
        )
        assert expected_message == actual_message
        expected_moved = 0
        assert expected_moved == _minutes_apart(api.now(), before)

    def test_a_negative_duration_is_refused(self, api: SandboxApi) -> None:
        """A negative duration is refused the same way."""
        before = api.now()
        response = api.call("POST", CLOCK, TRAINER, json={"advance": "-P1D"})
        expected = (422, "the sandbox clock only moves forward")
        assert expected == (response.status_code, response.json()["detail"])
        expected_moved = 0
        assert expected_moved == _minutes_apart(api.now(), before)

    @pytest.mark.parametrize(
        "body",
        [{}, {"to": "2031-01-01T09:00:00Z", "advance": "P1D"}],
        ids=["neither", "both"],
    )
    def test_exactly_one_of_to_and_advance_is_needed(
        self, api: SandboxApi, body: dict[str, str]
    ) -> None:
        """Neither or both of `to` and `advance` is a 422 naming what is needed."""
        response = api.call("POST", CLOCK, TRAINER, json=body)
        expected = (422, "exactly one of 'to' and 'advance' is needed")
        assert expected == (response.status_code, response.json()["errors"][0]["message"])

    def test_a_time_just_passed_is_refused(self, api: SandboxApi) -> None:
        """Moving to a time is fine once; the same time again, a moment later, is the past."""
        target = api.now() + 2 * DAY
        first = api.call("POST", CLOCK, TRAINER, json={"to": target.isoformat()})
        again = api.call("POST", CLOCK, TRAINER, json={"to": target.isoformat()})
        expected = (200, 422)
        assert expected == (first.status_code, again.status_code)

    def test_a_time_without_offset_is_not_a_server_error(self, api: SandboxApi) -> None:
        """A naive ISO time is either understood or refused with a 422, never a 500."""
        response = api.call("POST", CLOCK, TRAINER, json={"to": "2031-01-01T09:00:00"})
        expected = False
        assert expected == (response.status_code >= 500), response.text


class TestWhoMovesTheClock:
    """Only admins and trainers move the clock; anyone signed in may read it."""

    @pytest.mark.parametrize(
        ("who", "status"),
        [(TRAINER, 200), (ADMIN, 200), (ADVISOR, 403), (SUPERVISOR, 403), (None, 401)],
        ids=["trainer", "admin", "advisor", "supervisor", "anonymous"],
    )
    def test_moving_the_clock_by_role(self, api: SandboxApi, who: str | None, status: int) -> None:
        """Trainers and admins move the clock; advisors and supervisors get 403."""
        before = api.now()
        response = api.call("POST", CLOCK, who, json={"advance": "P1D"})
        expected = (status, 1 if status == 200 else 0)
        assert expected == (response.status_code, _days_apart(api.now(), before))

    def test_an_advisor_is_told_who_may(self, api: SandboxApi) -> None:
        """The 403 names the roles that may move the clock."""
        response = api.call("POST", CLOCK, ADVISOR, json={"advance": "P1D"})
        expected = (
            PROBLEMS + "forbidden",
            "role 'advisor' may not use sandbox.clock; allowed: admin, trainer",
        )
        assert expected == (response.json()["type"], response.json()["detail"])

    @pytest.mark.parametrize("who", [ADVISOR, SUPERVISOR, TRAINER, ADMIN])
    def test_everyone_signed_in_reads_the_clock_and_outbox(self, api: SandboxApi, who: str) -> None:
        """GET /clock and GET /outbox answer every signed-in role."""
        expected = (200, 200)
        actual = (api.call("GET", CLOCK, who).status_code, api.call("GET", OUTBOX, who).status_code)
        assert expected == actual


class TestSandboxMarker:
    """Every answer of a sandbox says so; a production service's do not."""

    def test_answers_of_every_kind_are_marked(self, api: SandboxApi) -> None:
        """2xx and handled 4xx answers, public endpoints included, carry X-IPM-Sandbox."""
        api.markers.clear()
        calls: list[tuple[str, str, str | None, Any]] = [
            ("GET", "/health", None, None),
            ("GET", "/ready", None, None),
            ("GET", "/schema/openapi.json", None, None),
            ("GET", CLOCK, TRAINER, None),
            ("POST", CLOCK, TRAINER, {"advance": "PT1H"}),
            ("POST", CLOCK, ADVISOR, {"advance": "PT1H"}),
            ("POST", CLOCK, TRAINER, {"advance": "junk"}),
            ("GET", f"{API}/cases/999", ADVISOR, None),
            ("POST", f"{API}/people", ADVISOR, {"first_name": "Camille", "last_name": "T"}),
        ]
        statuses = [api.call(m, url, who, json=body).status_code for m, url, who, body in calls]
        expected_statuses = [200, 200, 200, 200, 200, 403, 422, 404, 201]
        assert expected_statuses == statuses
        expected = [MARKER] * len(calls)
        assert expected == api.markers

    @pytest.mark.parametrize(
        ("method", "url", "who"),
        [("GET", CLOCK, None), ("GET", "/nowhere", None), ("DELETE", CLOCK, TRAINER)],
        ids=["401", "404-unknown-path", "405"],
    )
    def test_error_answers_outside_routes_are_marked(
        self, api: SandboxApi, method: str, url: str, who: str | None
    ) -> None:
        """401, 404 for an unknown path and 405 carry X-IPM-Sandbox too."""
        response = api.call(method, url, who)
        expected = MARKER
        assert expected == response.headers.get("x-ipm-sandbox"), response.status_code

    def test_a_production_service_has_no_marker_and_no_sandbox_endpoints(
        self, instance: Instance
    ) -> None:
        """In production there is no X-IPM-Sandbox header and no /sandbox endpoints."""
        app = instance.start(sandbox=False)
        container = app.state.container
        container.people.add_user(ADMIN, "Admin", "admin", [])
        token = container.tokens.issue(ADMIN).token
        with TestClient(app) as client:
            headers = {"Authorization": f"Bearer {token}"}
            clock = client.get(CLOCK, headers=headers)
            health = client.get("/health")
        expected = (404, None, 200, None)
        actual = (
            clock.status_code,
            clock.headers.get("x-ipm-sandbox"),
            health.status_code,
            health.headers.get("x-ipm-sandbox"),
        )
        assert expected == actual


@dataclass
class Instance:
    """A sandbox (or production) instance's settings and app on the test database."""

    db_url: str
    settings_for: Callable[..., Settings]
    make_app: Callable[[Settings], Litestar]

    def settings(self, *, sandbox: bool = True) -> Settings:
        """The settings of a sandbox (or production) instance on the test database."""
        return self.settings_for(self.db_url, sandbox=sandbox)

    def start(self, *, sandbox: bool = True) -> Litestar:
        """Build a sandbox (or production) app on the test database."""
        return self.make_app(self.settings(sandbox=sandbox))


@pytest.fixture
def instance(
    db_url: str, settings_for: Callable[..., Settings], make_app: Callable[[Settings], Litestar]
) -> Instance:
    """Sandbox or production instances on the test database."""
    return Instance(db_url, settings_for, make_app)


class TestInstanceGuards:
    """A production service refuses a sandbox database, and the other way round."""

    def test_production_refuses_a_sandbox_database(self, instance: Instance) -> None:
        """create_app in production on a database a sandbox claimed raises WrongInstance."""
        instance.start()
        message = _refusal(lambda: create_app(instance.settings(sandbox=False)))
        assert _sandbox_message(instance.db_url) == message

    def test_a_sandbox_refuses_a_production_database(self, instance: Instance) -> None:
        """create_app as a sandbox on a database production claimed raises WrongInstance."""
        instance.start(sandbox=False)
        message = _refusal(lambda: create_app(instance.settings()))
        assert _production_message(instance.db_url) == message

    def test_a_sandbox_refuses_an_unmarked_database_that_holds_cases(
        self, instance: Instance, registry: WorkflowRegistry
    ) -> None:
        """Cases from before the marker mean production: the sandbox refuses, production starts."""
        container = bootstrap(instance.settings(sandbox=False), registry=registry)
        try:
            people = container.people
            people.add_mission_locale(MissionLocale("ml-a", "Mission locale A", "42"))
            advisor = Actor.of(people.add_user(ADVISOR, "Advisor", "advisor", ["ml-a"]))
            person = people.register(
                Person(None, "Camille", "T", date(2005, 6, 15)), advisor
            ).person
            assert person.id is not None
            opening = {"cv_attached": True, "privacy_notice_given": True}
            container.cases.open_case(
                OpenCase(person.id, WORKFLOW, "ml-a", advisor.user_id, opening), advisor
            )
        finally:
            container.close()
        message = _refusal(instance.start)
        assert _production_message(instance.db_url) == message
        app = instance.start(sandbox=False)
        expected = "production"
        assert expected == claim_mode(app.state.container.engine, sandbox=False)

    def test_a_fresh_database_becomes_a_sandbox_that_restarts(self, instance: Instance) -> None:
        """An empty database is claimed by the first sandbox start, and a second start is fine."""
        instance.start()
        app = instance.start()
        expected = "sandbox"
        assert expected == claim_mode(app.state.container.engine, sandbox=True)


@pytest.fixture
def cli_env(db_url: str, workflows_dir: Path) -> dict[str, str]:
    """The command line's environment: the test database, no other IPM_ setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
    return {
        **env,
        "IPM_DATABASE_URL": db_url,
        "IPM_WORKFLOWS_DIR": str(workflows_dir),
        "IPM_LOG_FORMAT": "json",
    }


def _run(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    """Run `ipm-workflow <args>`; a command that serves instead of exiting is killed at 60 s."""
    done = subprocess.run(
        [str(IPM_WORKFLOW), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stderr


class TestCommandLineGuards:
    """`ipm-workflow serve` and `worker` refuse a database of the other kind, at once."""

    @pytest.mark.parametrize(
        ("command", "running"),
        [(("serve", "--port"), "API on"), (("worker", "--once"), "reminder(s) handled")],
        ids=["serve", "worker"],
    )
    def test_production_refuses_a_sandbox_database(
        self,
        db_url: str,
        cli_env: dict[str, str],
        tmp_path: Path,
        command: tuple[str, ...],
        running: str,
    ) -> None:
        """Production `serve` or `worker --once` on a sandbox database exits 2 with 'refusing
        to start', before serving or handling anything."""
        _mark(db_url, sandbox=True)
        port = (str(free_port()),) if command[0] == "serve" else ()
        code, stderr = _run(cli_env, tmp_path, *command, *port)
        expected = (2, True, False)
        actual = (
            code,
            "refusing to start: " + _sandbox_message(db_url) in stderr,
            running in stderr,
        )
        assert expected == actual, stderr

    def test_serve_sandbox_refuses_a_production_database(
        self, db_url: str, cli_env: dict[str, str], tmp_path: Path
    ) -> None:
        """`serve --sandbox` on a production database exits 2 with 'refusing to start'."""
        _mark(db_url, sandbox=False)
        env = {**cli_env, "IPM_SANDBOX_DATABASE_URL": db_url}
        code, stderr = _run(env, tmp_path, "serve", "--sandbox", "--port", str(free_port()))
        expected = (2, True)
        assert expected == (code, "refusing to start: " + _production_message(db_url) in stderr), (
            stderr
        )


class TestSandboxClockPersists:
    """The clock's offset lives in the sandbox database."""

    def test_a_new_app_sees_the_moved_clock(
        self, sandbox_app: Litestar, tokens: dict[str, str], sandbox_settings: Settings
    ) -> None:
        """After a restart, create_app's own SandboxClock is where the trainer moved it."""
        with TestClient(sandbox_app) as client:
            first = SandboxApi(client, tokens)
            first.create_trainer(TRAINER)
            moved = parse(first.move(advance="P30D")["now"])
        with TestClient(create_app(sandbox_settings)) as client:
            clock = SandboxApi(client, first.tokens).ok("GET", CLOCK, TRAINER)
        expected = (0, 30)
        actual = (
            _minutes_apart(parse(clock["now"]), moved),
            _days_apart(parse(clock["now"]), parse(clock["real_now"])),
        )
        assert expected == actual

    def test_two_apps_on_one_sandbox_share_the_clock(
        self,
        api: SandboxApi,
        sandbox_settings: Settings,
        make_app: Callable[[Settings], Litestar],
    ) -> None:
        """A second server process on the same sandbox sees a move made through the first."""
        with TestClient(make_app(sandbox_settings)) as client:
            other = SandboxApi(client, api.tokens)
            moved = parse(api.move(advance="P30D")["now"])
            seen = other.now()
        expected = 0
        assert expected == _minutes_apart(seen, moved)


class TestTokensInTheSandbox:
    """API tokens expire in real time, whatever the sandbox clock says."""

    def test_tokens_keep_working_after_a_year(self, api: SandboxApi) -> None:
        """One-day tokens still open every door after the clock moved a year."""
        api.move(advance="P365D")
        expected = {ADVISOR: 200, SUPERVISOR: 200, TRAINER: 200, ADMIN: 200}
        actual = {
            ADVISOR: api.call("GET", f"{API}/cases").status_code,
            SUPERVISOR: api.call("GET", f"{API}/audit/verify", SUPERVISOR).status_code,
            TRAINER: api.call("POST", CLOCK, TRAINER, json={"advance": "P1D"}).status_code,
            ADMIN: api.call("GET", f"{API}/admin/users/{TRAINER}", ADMIN).status_code,
        }
        assert expected == actual

    def test_a_new_token_expires_in_real_time(self, api: SandboxApi) -> None:
        """A one-day token issued a sandbox year ahead expires one real day from now."""
        api.move(advance="P365D")
        issued = api.ok("POST", f"{API}/admin/users/{ADVISOR}/tokens", ADMIN, json={"days": 1})
        real_now = datetime.now(UTC)
        expected = (1, 365)
        actual = (
            _days_apart(parse(issued["expires_at"]), real_now),
            _days_apart(api.now(), real_now),
        )
        assert expected == actual
