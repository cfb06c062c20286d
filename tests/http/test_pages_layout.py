"""The pages' layout: landmarks, the sandbox banner, vendored assets, complete catalogues."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.entrypoints.web import app as web_app
from ipm_workflow.entrypoints.web.i18n import LOCALE_DIR
from journey import kept_logging
from journey.apps import serving

WEB = Path(web_app.__file__).parent


def used_messages() -> set[str]:
    """Every message id of the pages' templates and Python modules."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, options):
        found.update([message] if isinstance(message, str) else [message[0]])
    return found


class TestLayout:
    """What every page carries."""

    def test_sign_in_page_has_landmarks_and_a_skip_link(self, client: TestClient[Litestar]) -> None:
        """Title, skip link to main, header and main landmarks; htmx from our static route."""
        html = client.get("/app/sign-in").text
        assert "<title>Connexion · ipm-workflow</title>" in html
        assert 'href="#main"' in html
        assert '<main id="main"' in html
        assert "<header" in html
        assert '<script src="/static/vendor/htmx/htmx.min.js"' in html
        assert "Bac à sable" not in html

    def test_htmx_and_its_licence_are_served(self, client: TestClient[Litestar]) -> None:
        """The pinned htmx and its licence are served by the application (no CDN)."""
        script = client.get("/static/vendor/htmx/htmx.min.js")
        licence = client.get("/static/vendor/htmx/LICENSE")
        assert [script.status_code, licence.status_code] == [200, 200]
        assert "htmx" in script.text
        assert "Zero-Clause BSD" in licence.text

    def test_english_on_request(self, client: TestClient[Litestar]) -> None:
        """`?lang=en` on the sign-in page speaks English and remembers it in a cookie."""
        assert "Username" in client.get("/app/sign-in?lang=en").text
        assert '<html lang="en">' in client.get("/app/sign-in").text


class TestCatalogues:
    """The message catalogues."""

    def test_every_message_has_a_french_translation(self) -> None:
        """Each message id of the templates and modules is translated in locale/fr."""
        with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogue = read_po(po)
        translated = {
            m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id and m.string
        }
        missing = sorted(used_messages() - translated)
        assert missing == []


@pytest.fixture
def sandbox_client(
    tmp_path: Path, clock: ManualClock, registry: WorkflowRegistry
) -> Iterator[TestClient[Litestar]]:
    """The application in training-sandbox mode, on its own SQLite database."""
    from ipm_workflow.config import Settings  # noqa: PLC0415

    url = f"sqlite:///{tmp_path / 'sandbox.sqlite3'}"
    settings = Settings(
        sandbox=True, sandbox_database_url=url, workflows_dir=ROOT / "workflows", log_format="json"
    )
    from ipm_workflow.bootstrap import upgrade_database  # noqa: PLC0415

    upgrade_database(settings, sandbox=True)
    container: Container = bootstrap(settings, registry=registry)
    with kept_logging(), serving(container) as app, TestClient(app) as client:
        yield client


class TestSandboxBanner:
    """The training sandbox says so on every page."""

    def test_banner_on_the_sign_in_page(self, sandbox_client: TestClient[Litestar]) -> None:
        """A visible banner and the page title name the training sandbox."""
        html = sandbox_client.get("/app/sign-in").text
        assert 'class="sandbox-banner"' in html
        assert "Bac à sable de formation" in html
