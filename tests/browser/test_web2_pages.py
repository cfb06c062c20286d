"""web2's pages in a real browser: referral with the duplicate warning, agenda acknowledge,
audit and cohort dry run then apply, inbox, and the trainer's sandbox clock and outbox."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime

from browser.conftest import Visitor, WebServer
from ipm_workflow.config import ROOT
from journey.servers import open_over_http

README_SHOTS = ROOT / "docs" / "screenshots"
BANNER = ".sandbox-banner"


def open_referred_case(server: WebServer, last_name: str, birth_date: str) -> int:
    """Register a person and open a variant-B case through the API as demo.advisor1."""
    person = {"first_name": "Dominique", "last_name": last_name, "birth_date": birth_date}
    with server.api("demo.advisor1") as api:
        case_id: int = open_over_http(api, "ml-saint-etienne", person).json()["id"]
        return case_id


def readme_shot(visitor: Visitor, name: str) -> None:
    """With IPM_README_SCREENSHOTS=1, a small viewport PNG for the README (docs/screenshots)."""
    if os.environ.get("IPM_README_SCREENSHOTS") != "1":
        return
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.set_viewport_size({"width": 1100, "height": 760})
    visitor.page.screenshot(path=str(README_SHOTS / f"{name}.png"))


class TestAdvisorPages:
    """An advisor's referral and agenda."""

    def test_referral_with_the_duplicate_warning(
        self, visitor: Visitor, web_server: WebServer
    ) -> None:
        """The same name and birth date warn before saving; confirming opens the case."""
        open_referred_case(web_server, "Doublon", "2005-05-05")
        visitor.sign_in("demo.advisor1")
        visitor.goto("/app/referrals/new?workflow=erasmus_vet_long")
        visitor.check("referral")
        page = visitor.page
        page.get_by_label("Prénom").fill("Dominique")
        page.get_by_label("Nom", exact=True).fill("Doublon")
        page.get_by_label("Date de naissance").fill("2005-05-05")
        page.get_by_label("CV joint").check()
        page.get_by_label("Notice RGPD remise").check()
        page.get_by_role("button", name="Inscrire et ouvrir le dossier").click()
        page.wait_for_load_state()
        assert page.locator("#duplicate-warning").is_visible()
        assert page.get_by_role("link", name="ses dossiers").count() >= 1
        visitor.check("referral-duplicate")
        page.get_by_label("CV joint").check()
        page.get_by_label("Notice RGPD remise").check()
        page.get_by_label(re.compile("J'ai vérifié")).check()
        page.get_by_role("button", name="Inscrire quand même et ouvrir le dossier").click()
        page.wait_for_url(re.compile(r"/app/cases/\d+"))
        assert page.locator("#person-name").inner_text() == "Dominique Doublon"
        readme_shot(visitor, "case-page")

    def test_acknowledge_from_the_agenda(self, visitor: Visitor) -> None:
        """A reminder acknowledged from the agenda turns acknowledged in place (htmx)."""
        visitor.sign_in("demo.advisor1")
        readme_shot(visitor, "my-cases")
        visitor.goto("/app/agenda?days=30")
        visitor.check("agenda")
        readme_shot(visitor, "agenda")
        row = visitor.page.locator("tr[id^=reminder-]").first
        row_id = row.get_attribute("id")
        row.get_by_role("button", name=re.compile("Prendre en compte")).click()
        done = visitor.page.locator(f"#{row_id}")
        done.get_by_text("traitée").first.wait_for()
        assert done.get_by_role("button").count() == 0
        visitor.goto("/app/inbox")
        visitor.check("inbox")


class TestSupervisorPages:
    """Audit, chain verification and a cohort's bulk action."""

    def test_audit_and_verification(self, visitor: Visitor) -> None:
        """The supervisor searches the history and verifies every chain."""
        visitor.sign_in("demo.supervisor")
        visitor.goto("/app/audit?trigger=log_first_contact")
        assert visitor.page.locator("a[href^='/app/cases/']").count() >= 1
        visitor.page.get_by_role("button", name="Vérifier les chaînes d'historique").click()
        visitor.page.wait_for_load_state()
        assert "Intactes" in visitor.page.locator("#verify-result").inner_text()
        visitor.check("audit")
        visitor.goto("/app/cohorts")
        visitor.check("cohorts")

    def test_cohort_dry_run_then_apply(self, visitor: Visitor, web_server: WebServer) -> None:
        """A dry run lists what would happen and changes nothing; applying moves the cases."""
        cases = [open_referred_case(web_server, f"Groupe{i}", "2004-04-0" + str(i)) for i in (1, 2)]
        with web_server.api("demo.advisor1") as api:
            cohort = api.post(
                "/api/v1/cohorts",
                json={"code": "DEMO-NAV-1", "label": "Groupe démo", "workflow": "erasmus_vet_long"},
            ).json()["id"]
            added = api.post(f"/api/v1/cohorts/{cohort}/members", json={"case_ids": cases})
            assert added.status_code == 200, added.text
        visitor.sign_in("demo.advisor1")
        visitor.goto(f"/app/cohorts/{cohort}?trigger=log_first_contact")
        visitor.check("cohort")
        page = visitor.page
        page.get_by_label("Date du premier contact").fill(datetime.now(UTC).date().isoformat())
        page.get_by_role("button", name=re.compile("Simuler")).click()
        page.wait_for_load_state()
        assert "2 possible(s), 0 impossible(s)." in page.locator("#bulk-summary").inner_text()
        visitor.check("cohort-dry-run")
        with web_server.api("demo.advisor1") as api:
            assert [api.get(f"/api/v1/cases/{c}").json()["state"] for c in cases] == [
                "REFERRED"
            ] * 2
        page.get_by_role("button", name="Appliquer aux dossiers qui le peuvent").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Appliqué").is_visible()
        visitor.check("cohort-applied")
        with web_server.api("demo.advisor1") as api:
            assert [api.get(f"/api/v1/cases/{c}").json()["state"] for c in cases] == [
                "CONTACTED"
            ] * 2


class TestTrainerSandbox:
    """The trainer in the training sandbox."""

    def test_move_the_clock_and_see_the_outbox(self, sandbox_visit: Callable[[], Visitor]) -> None:
        """Two weeks on: what happened is listed, the outbox shows the messages; a banner on
        every page."""
        visitor = sandbox_visit()
        visitor.sign_in("demo.trainer")
        assert visitor.page.locator(BANNER).is_visible()
        visitor.goto("/app/sandbox/clock")
        assert visitor.page.locator(BANNER).is_visible()
        visitor.check("sandbox-clock")
        visitor.page.get_by_label(re.compile("Durée")).fill("P14D")
        visitor.page.get_by_role("button", name="Avancer l'horloge", exact=True).click()
        visitor.page.wait_for_load_state()
        assert visitor.page.locator("#happened tbody tr a").count() >= 1
        visitor.check("sandbox-moved")
        visitor.page.get_by_role("link", name="Voir la boîte d'envoi").click()
        visitor.page.wait_for_load_state()
        assert visitor.page.locator(BANNER).is_visible()
        assert visitor.page.locator("#outbox tbody tr td a").count() >= 1
        visitor.check("sandbox-outbox")
