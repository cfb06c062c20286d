"""Browser tests: a real `ipm-workflow serve` process with demo data, driven by Debian's Chromium.

One server and one browser per test session; a fresh browser context (cookies) per test. Without
/usr/bin/chromium the tests are skipped with a message, unless CI=true where they fail.
Playwright's own browser download is never used (it cannot work here).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from ipm_workflow.config import ROOT
from journey.fixtures import IN_CI, throwaway_postgresql
from journey.servers import free_port, ipm, launch, open_over_http, stop, wait_ready

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "artefacts" / "screenshots"
DEMO_PASSWORD = "demo-password"  # services/demo.py's fake password of the demo accounts
SERIOUS = ("serious", "critical")

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} not found (apt-get install chromium)"
    if IN_CI:
        pytest.fail(f"{message}: browser tests are mandatory with CI=true")
    pytest.skip(f"{message}: browser tests skipped (they run, mandatory, with CI=true)")


@dataclass
class WebServer:
    """A running server with the demo data, and how to reach and drive it."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def cli(self, *args: str) -> str:
        """Run `ipm-workflow <args>` on the server's database; return its output."""
        return ipm(*args, env=self.env).stdout

    def api(self, username: str) -> httpx.Client:
        """An API client with a fresh token of a demo user (to look behind the pages)."""
        token = self.cli("tokens", "create", username, "--days", "1").strip()
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def new_case(
        self, username: str = "demo.advisor1", mission_locale: str = "ml-saint-etienne"
    ) -> int:
        """Register a fictitious young person and open an unassigned variant-B case for them."""
        lou = {"first_name": "Lou", "last_name": "Navigateur", "birth_date": "2005-06-15"}
        with self.api(username) as api:
            case_id: int = open_over_http(api, mission_locale, lou, advisor_id=None).json()["id"]
            return case_id

    def fire(
        self, case_id: int, trigger: str, username: str = "demo.advisor1", **inputs: Any
    ) -> None:
        """Fire a trigger through the API (to set a case up, never to test the pages)."""
        with self.api(username) as api:
            answer = api.post(
                f"/api/v1/cases/{case_id}/transitions", json={"trigger": trigger, "inputs": inputs}
            )
            assert answer.status_code == 200, answer.text


@contextmanager
def _serving(
    folder: Path, env: dict[str, str], *args: str, cwd: Path | None = None
) -> Iterator[WebServer]:
    """`ipm-workflow serve <args>` on a free port, ready; stopped afterwards."""
    port = free_port()
    env = {**env, "IPM_LOG_FORMAT": "json", "IPM_HOST": "127.0.0.1", "IPM_PORT": str(port)}
    log = folder / "server.log"
    process = launch("serve", "--port", str(port), *args, env=env, log=log, cwd=cwd)
    server = WebServer(f"http://127.0.0.1:{port}", env, process, log)
    try:
        wait_ready(server.url, process, log)
        yield server
    finally:
        stop(process)


@contextmanager
def _demo_serving(folder: Path, database_url: str) -> Iterator[WebServer]:
    """Load the demo data into a database, serve it (no reminder worker: its timeouts, e.g. the
    preparation that opens itself, would race the clicks; the tests fire those triggers as the
    advisor may)."""
    env = {
        **os.environ,
        "IPM_DATABASE_URL": database_url,
        "IPM_LOG_FORMAT": "json",
        "IPM_UPLOADS_DIR": str(folder / "uploads"),
    }
    ipm("demo", env=env)  # migrates, loads the demo data, sets the demo passwords
    with _serving(folder, env, "--no-worker") as server:
        yield server


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """`ipm-workflow serve` on a free port and its own SQLite database with the demo data."""
    _need_chromium()
    folder = tmp_path_factory.mktemp("web")
    with _demo_serving(folder, f"sqlite:///{folder / 'web.sqlite3'}") as server:
        yield server


@pytest.fixture(scope="session")
def pg_web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """The same server on its own PostgreSQL database (skipped when none is reachable, as the
    other PostgreSQL tests; mandatory with CI=true)."""
    _need_chromium()
    with (
        throwaway_postgresql("ipm_web") as url,
        _demo_serving(tmp_path_factory.mktemp("pgweb"), url) as server,
    ):
        yield server


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it lives, and the async fixtures of later test folders (anyio) could not start
# theirs. One Chromium start per browser test module.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (one per test module)."""
    _need_chromium()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only browser tests need it

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@dataclass
class Visitor:
    """One browser context (its own cookies) with its page, screenshots and accessibility checks."""

    page: Any
    server: WebServer
    name: str
    shots: list[Path] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        """Open a path of the server; return the response."""
        return self.page.goto(self.server.url + path)

    def screenshot(self, label: str, *, full_page: bool = True) -> Path:
        """Write a screenshot (the full page, or what the window shows) to the artefacts."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.name}-{len(self.shots):02d}-{label}")
        path = SCREENSHOTS / f"{slug}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        self.shots.append(path)
        return path

    def check(self, label: str) -> None:
        """Screenshot the current page and assert axe finds no serious or critical violation."""
        from axe_playwright_python.sync_playwright import Axe  # noqa: PLC0415

        self.screenshot(label)
        results = Axe().run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v.get("impact") in SERIOUS
        ]
        assert serious == [], f"axe on {self.page.url}"

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the form, by typing and clicking."""
        self.goto("/")
        self.page.get_by_label(re.compile("Identifiant|Username")).fill(username)
        self.page.get_by_label(re.compile("Mot de passe|Password")).fill(password)
        self.page.get_by_role("button", name=re.compile("Connexion|Sign in")).click()
        self.page.wait_for_load_state()


@pytest.fixture
def visit(
    browser: Any, web_server: WebServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Visitor]]:
    """Make visitors: each a new browser context (its own session) on the SQLite server or the
    one given; screenshots named by test."""
    yield from _visitors(browser, web_server, request)


def _visitors(
    browser: Any, web_server: WebServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Visitor]]:
    contexts: list[Any] = []
    visitors: list[Visitor] = []

    def make(server: WebServer | None = None) -> Visitor:
        context = browser.new_context(locale="fr-FR")
        context.set_default_timeout(60_000)  # a loaded machine; never an assertion on time
        contexts.append(context)
        name = f"{request.node.name}-{len(contexts)}"
        visitor = Visitor(context.new_page(), server or web_server, name)
        visitors.append(visitor)
        return visitor

    yield make
    for visitor in visitors:  # the last state of every page, for the record
        if not visitor.page.is_closed():
            visitor.screenshot("end")
    for context in contexts:
        context.close()


@pytest.fixture
def visitor(visit: Callable[..., Visitor]) -> Visitor:
    """One browser context."""
    return visit()


# web2: the training sandbox's server (`serve --sandbox`: its own database, demo data, movable
# clock), and visitors of it.
@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """`ipm-workflow serve --sandbox` on a free port and its own SQLite database (demo data)."""
    _need_chromium()
    folder = tmp_path_factory.mktemp("sandbox")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
    env |= {
        "IPM_SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        # Only clock moves make the worker run (its first tick is at start-up).
        "IPM_WORKER_POLL_SECONDS": "3600",
    }
    with _serving(folder, env, "--sandbox", cwd=folder) as server:
        yield server


@pytest.fixture
def sandbox_visit(
    browser: Any, sandbox_server: WebServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Visitor]]:
    """Make visitors of the sandbox server."""
    yield from _visitors(browser, sandbox_server, request)
