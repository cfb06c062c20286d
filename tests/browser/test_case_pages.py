"""My cases and the case page in a real browser: a variant-B journey by clicking and typing,
refused actions with their reasons, two people changing one case, another mission locale's case."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from browser.conftest import Visitor


def today() -> date:
    """The server's today (it runs on the real clock, in the service's time zone)."""
    return datetime.now(ZoneInfo("Europe/Paris")).date()


def open_action(visitor: Visitor, trigger: str) -> None:
    """Unfold an allowed action's form (failing with the reasons when it is refused)."""
    refused = visitor.page.locator(f"#refused-{trigger}")
    assert refused.count() == 0, refused.all_inner_texts()
    visitor.page.locator(f"#action-{trigger} summary").click()


def confirm(visitor: Visitor, trigger: str) -> None:
    """Send an action's form and wait for the page it leads to."""
    visitor.page.locator(f"#action-{trigger} button[type=submit]").click()
    visitor.page.wait_for_load_state()


def act(visitor: Visitor, trigger: str, **typed: str | bool) -> None:
    """Open an action, type or tick its inputs, confirm; the case must say it was saved."""
    open_action(visitor, trigger)
    for field, value in typed.items():
        widget = visitor.page.locator(f"#in-{trigger}-{field}")
        if isinstance(value, bool):
            widget.check()
        elif widget.evaluate("e => e.tagName") == "SELECT":
            widget.select_option(value)
        else:
            widget.fill(value)
    confirm(visitor, trigger)
    assert visitor.page.locator("#refusal").all_inner_texts() == [], trigger
    assert visitor.page.get_by_role("status").first.inner_text() == "Enregistré."


def record(visitor: Visitor, document: str, valid_until: str | None = None) -> None:
    """Record a document as validated through the documents form."""
    visitor.page.get_by_text("Enregistrer une pièce").click()
    visitor.page.get_by_label("Pièce", exact=True).select_option(document)
    visitor.page.get_by_label("Statut").select_option("validated")
    if valid_until:
        visitor.page.get_by_label("Valable jusqu'au").fill(valid_until)
    visitor.page.get_by_role("button", name="Enregistrer la pièce").click()
    visitor.page.wait_for_load_state()


def state(visitor: Visitor) -> str:
    """The state the case page shows as current."""
    shown = visitor.page.locator('.states li[aria-current="step"]').inner_text()
    return shown.splitlines()[0].split(" (")[0].strip()


class TestMyCases:
    """The listing."""

    def test_my_cases_filters(self, visitor: Visitor) -> None:
        """An advisor's cases, filtered by phase by choosing and clicking."""
        visitor.sign_in("demo.advisor2")
        visitor.check("my-cases-advisor2")
        visitor.screenshot("window", full_page=False)  # the README's picture of my cases
        visitor.page.get_by_label("Phase").select_option("orientation")
        visitor.page.get_by_role("button", name="Filtrer").click()
        visitor.page.wait_for_load_state()
        assert "phase=orientation" in visitor.page.url
        assert visitor.page.locator("tbody tr").count() >= 1
        visitor.check("my-cases-filtered")


class TestJourney:
    """A variant-B case from opened to ready to leave, only by clicking and typing."""

    def test_variant_b_to_departure(self, visitor: Visitor) -> None:
        """Every step through the case page's forms; the state follows."""
        case_id = visitor.server.new_case()
        now = today()
        start, end = now + timedelta(days=60), now + timedelta(days=150)
        visitor.sign_in("demo.advisor1")
        visitor.goto(f"/app/cases/{case_id}")
        visitor.check("case-referred")
        assert state(visitor) == "Orienté"
        act(visitor, "log_first_contact", first_contact_date=now.isoformat())
        act(visitor, "assess", programme="erasmus_vet", eligibility_checked=True)
        act(visitor, "apply", duplicate_check_passed=True)
        act(
            visitor,
            "select",
            grant_project_code="DEMO-2026-KA121-VET-0002",
            grant_project_end=(now + timedelta(days=700)).isoformat(),
        )
        act(
            visitor,
            "match_host",
            destination_country="Malta",
            host_organisation="Demo Host Ltd",
            mentor_name="Mentor Démo",
            planned_start=start.isoformat(),
            planned_end=end.isoformat(),
        )
        record(visitor, "grant_agreement")
        record(visitor, "learning_agreement")
        act(visitor, "sign_contracts", signature_date=now.isoformat())
        act(visitor, "start_preparation")
        assert state(visitor) == "En préparation"
        refused = visitor.page.locator("#refused-confirm_ready")
        assert refused.locator("li").count() >= 1
        visitor.check("case-preparing-refused")
        valid = (end + timedelta(days=365)).isoformat()
        for document in ("identity", "insurance", "ceam"):
            record(visitor, document, valid)
        visitor.page.get_by_text("Modifier les données").click()
        for field in ("ols_assessment_1_done", "travel_booked", "emergency_contacts_filled"):
            visitor.page.locator(f"#field-{field}").check()
        visitor.page.get_by_role("button", name="Enregistrer les données").click()
        visitor.page.wait_for_load_state()
        act(visitor, "confirm_ready")
        assert state(visitor) == "Prêt au départ"
        visitor.check("case-ready")
        visitor.screenshot("window", full_page=False)  # the README's picture of a case page


class TestRefusalsAndConflicts:
    """What the page says when an action cannot be done."""

    def test_refused_action_shows_its_reasons(self, visitor: Visitor) -> None:
        """In preparation without the documents, 'ready' is greyed with the missing conditions;
        an action sent without a required input is refused with the reason."""
        server = visitor.server
        case_id = server.new_case()
        now = today()
        server.fire(case_id, "log_first_contact", first_contact_date=now.isoformat())
        server.fire(case_id, "assess", programme="erasmus_vet", eligibility_checked=True)
        server.fire(case_id, "apply", duplicate_check_passed=True)
        server.fire(
            case_id,
            "select",
            grant_project_code="DEMO-2026-KA121-VET-0003",
            grant_project_end=(now + timedelta(days=700)).isoformat(),
        )
        server.fire(
            case_id,
            "match_host",
            destination_country="Malta",
            host_organisation="Demo Host Ltd",
            mentor_name="Mentor Démo",
            planned_start=(now + timedelta(days=60)).isoformat(),
            planned_end=(now + timedelta(days=150)).isoformat(),
        )
        visitor.sign_in("demo.advisor1")
        visitor.goto(f"/app/cases/{case_id}")
        greyed = visitor.page.locator("#refused-sign_contracts")
        assert greyed.locator("button").is_disabled()
        reasons = greyed.locator("li").all_inner_texts()
        assert any("grant_agreement" in r or "learning_agreement" in r for r in reasons), reasons
        visitor.check("case-refused-greyed")
        # Sent without its required reason (the browser's own check taken off): refused.
        open_action(visitor, "cancel")
        visitor.page.evaluate(
            "document.querySelectorAll('#action-cancel [required]')"
            ".forEach(e => e.removeAttribute('required'))"
        )
        confirm(visitor, "cancel")
        assert visitor.page.locator("#refusal").is_visible()
        assert state(visitor) == "Accueil trouvé"
        visitor.check("case-refused-sent")

    def test_two_people_change_one_case(self, visit: Callable[..., Visitor]) -> None:
        """Both open the case; the first change wins, the second is told what changed."""
        case_id = visitor_case = None
        first, second = visit(), visit()
        case_id = first.server.new_case()
        visitor_case = f"/app/cases/{case_id}"
        for v in (first, second):
            v.sign_in("demo.advisor1")
            v.goto(visitor_case)
        act(first, "log_first_contact", first_contact_date=today().isoformat())
        open_action(second, "log_first_contact")
        second.page.locator("#in-log_first_contact-first_contact_date").fill(today().isoformat())
        confirm(second, "log_first_contact")
        conflict = second.page.locator("#conflict")
        assert conflict.is_visible()
        assert "Ce dossier a changé depuis que vous l'avez ouvert" in conflict.inner_text()
        assert "log_first_contact" in conflict.inner_text()
        second.check("case-conflict")
        second.page.get_by_role("link", name="Recharger le dossier").click()
        second.page.wait_for_load_state()
        assert state(second) == "Contacté"

    def test_other_mission_locale_is_a_404_page(self, visitor: Visitor) -> None:
        """An advisor of Lyon and Roanne opening a Saint-Étienne case gets the 404 page."""
        case_id = visitor.server.new_case()
        visitor.sign_in("demo.advisor2")
        answer = visitor.goto(f"/app/cases/{case_id}")
        assert answer.status == 404
        assert visitor.page.get_by_role("heading", name="Page introuvable").is_visible()
        assert re.search("Page introuvable", visitor.page.title())
        visitor.check("case-404")
