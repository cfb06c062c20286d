"""The trainers' sandbox pages: the clock and the outbox; the banner on each; absent elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container, bootstrap, upgrade_database
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.people import MissionLocale, User
from ipm_workflow.domain.registry import WorkflowRegistry
from journey import ApiJourney, kept_logging
from journey.apps import serving
from journey.pages import sign_in

BANNER = 'class="sandbox-banner"'


@pytest.fixture
def sandbox(
    tmp_path: Path, registry: WorkflowRegistry
) -> Iterator[tuple[TestClient[Litestar], Container]]:
    """The application in training-sandbox mode on its own SQLite database, and its container."""
    url = f"sqlite:///{tmp_path / 'sandbox.sqlite3'}"
    settings = Settings(
        sandbox=True,
        sandbox_database_url=url,
        workflows_dir=ROOT / "workflows",
        log_format="json",
        worker_poll_seconds=3600,
    )
    upgrade_database(settings, sandbox=True)
    container = bootstrap(settings, registry=registry)
    with kept_logging(), serving(container) as app, TestClient(app) as client:
        yield client, container
    container.close()


@pytest.fixture
def people(sandbox: tuple[TestClient[Litestar], Container]) -> dict[str, User]:
    """A trainer and an advisor of mission locale A in the sandbox."""
    container = sandbox[1]
    container.people.add_mission_locale(MissionLocale("ml-a", "Mission locale A (test)", "42"))
    return {
        "trainer": container.people.add_user("trainer", "Trainer", "trainer", []),
        "advisor_a": container.people.add_user("advisor.a", "Advisor A", "advisor", ["ml-a"]),
    }


class TestSandboxPages:
    """Moving the clock and reading the outbox."""

    def test_trainer_moves_the_clock_and_reads_the_outbox(
        self, sandbox: tuple[TestClient[Litestar], Container], people: dict[str, User]
    ) -> None:
        """Two weeks on, the reminders that fell due are listed, and captured in the outbox."""
        client, container = sandbox
        tokens = {"advisor_a": container.tokens.issue("advisor.a").token}
        api = ApiJourney(client, tokens, users=people)
        case_id = api.open_case()["id"]
        token = sign_in(client, container, people["trainer"])
        page = client.get("/app/sandbox/clock")
        assert BANNER in page.text
        moved = client.post("/app/sandbox/clock", data={"_csrf": token, "by": "P14D"})
        assert moved.status_code == 200, moved.text
        assert 'id="happened"' in moved.text
        assert f'href="/app/cases/{case_id}"' in moved.text
        outbox = client.get("/app/sandbox/outbox").text
        assert BANNER in outbox
        assert f'href="/app/cases/{case_id}"' in outbox

    def test_backwards_is_refused_and_advisors_may_not_move(
        self, sandbox: tuple[TestClient[Litestar], Container], people: dict[str, User]
    ) -> None:
        """A date in the past is refused with the reason; an advisor gets a 403 page."""
        client, container = sandbox
        token = sign_in(client, container, people["trainer"])
        refused = client.post("/app/sandbox/clock", data={"_csrf": token, "to": "2000-01-01"})
        assert refused.status_code == 422
        assert "only moves forward" in refused.text
        client.cookies.clear()
        token = sign_in(client, container, people["advisor_a"])
        assert (
            client.post("/app/sandbox/clock", data={"_csrf": token, "by": "P1D"}).status_code == 403
        )
        assert BANNER in client.get("/app/sandbox/outbox").text

    def test_without_token_refused(
        self, sandbox: tuple[TestClient[Litestar], Container], people: dict[str, User]
    ) -> None:
        """Moving the clock without the form's token is refused."""
        client, container = sandbox
        sign_in(client, container, people["trainer"])
        assert client.post("/app/sandbox/clock", data={"by": "P1D"}).status_code == 403


class TestOutsideTheSandbox:
    """The sandbox pages do not exist in production."""

    def test_clock_page_is_a_404(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """Even for an admin (who may move a sandbox's clock)."""
        sign_in(client, container, users["admin"])
        assert client.get("/app/sandbox/clock").status_code == 404
