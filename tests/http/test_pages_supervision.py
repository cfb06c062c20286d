"""Supervisors' pages: audit search, chain verification, cohorts with a dry run then apply."""

from __future__ import annotations

import re

from journey import ApiJourney
from journey.pages import Pages


class TestAudit:
    """History across cases, and the chains' verification."""

    def test_search_links_to_the_cases(self, pages: Pages, api: ApiJourney) -> None:
        """A supervisor finds the cases' entries by trigger and mission locale."""
        first = api.open_case()["id"]
        api.fire(first, "log_first_contact", {"first_contact_date": "2026-01-05"})
        other = api.open_case()["id"]
        pages.sign_in("supervisor")
        html = pages.get("/app/audit?trigger=log_first_contact&mission_locale=ml-a").text
        assert f'href="/app/cases/{first}"' in html
        assert f'href="/app/cases/{other}"' not in html
        empty = pages.get("/app/audit?mission_locale=ml-b").text
        assert f'href="/app/cases/{first}"' not in empty

    def test_verification_result(self, pages: Pages, api: ApiJourney) -> None:
        """Verifying intact chains says so, with the count of cases."""
        api.open_case()
        pages.sign_in("supervisor")
        html = pages.get("/app/audit?verify=true").text
        assert 'id="verify-result"' in html
        assert "Intactes : 1 dossiers" in html

    def test_advisors_may_not_audit(self, pages: Pages) -> None:
        """The audit right is the supervisors' (the policy): 403 page for an advisor."""
        pages.sign_in("advisor_a")
        assert pages.get("/app/audit").status_code == 403


class TestCohorts:
    """A bulk action: a dry run first, then the per-case results, once."""

    def test_dry_run_then_apply_once(self, pages: Pages, api: ApiJourney) -> None:
        """The dry run changes nothing; applying moves the cases that can; a resubmit replays."""
        ready = api.open_case()["id"]
        moved = api.open_case()["id"]
        api.fire(moved, "log_first_contact", {"first_contact_date": "2026-01-05"})
        cohort = api.ok(
            "POST",
            "/api/v1/cohorts",
            json={"code": "TEST-1", "label": "Groupe test", "workflow": "erasmus_vet_long"},
        )["id"]
        api.ok("POST", f"/api/v1/cohorts/{cohort}/members", json={"case_ids": [ready, moved]})
        token = pages.sign_in("advisor_a")
        page = pages.get(f"/app/cohorts/{cohort}?trigger=log_first_contact").text
        assert 'id="bulk-first_contact_date"' in page
        form = {
            "_csrf": token,
            "mode": "dry_run",
            "trigger": "log_first_contact",
            "in_first_contact_date": "2026-01-06",
        }
        dry = pages.post(f"/app/cohorts/{cohort}/bulk", data=form)
        assert dry.status_code == 200, dry.text
        assert "1 possible(s), 1 impossible(s)." in dry.text
        assert api.state(ready) == "REFERRED"
        key = re.search(r'name="key" value="([0-9a-f]+)"', dry.text)
        assert key is not None
        applied_form = {**form, "mode": "apply", "key": key.group(1)}
        applied = pages.post(f"/app/cohorts/{cohort}/bulk", data=applied_form)
        assert api.state(ready) == "CONTACTED"
        assert "déjà appliqué" not in applied.text
        entries = len(api.history(ready))
        again = pages.post(f"/app/cohorts/{cohort}/bulk", data=applied_form)
        assert "déjà appliqué" in again.text
        assert entries == len(api.history(ready))

    def test_roles_without_the_cohort_right_are_refused(self, pages: Pages) -> None:
        """An admin has no cohort right (the policy): 403 page."""
        pages.sign_in("admin")
        assert pages.get("/app/cohorts").status_code == 403
