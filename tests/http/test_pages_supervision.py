"""Supervisors' pages: audit search, chain verification, cohorts with a dry run then apply."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from journey import ApiJourney
from journey.pages import sign_in


class TestAudit:
    """History across cases, and the chains' verification."""

    def test_search_links_to_the_cases(
        self,
        client: TestClient[Litestar],
        container: Container,
        users: dict[str, User],
        api: ApiJourney,
    ) -> None:
        """A supervisor finds the cases' entries by trigger and mission locale."""
        first = api.open_case()["id"]
        api.fire(first, "log_first_contact", {"first_contact_date": "2026-01-05"})
        other = api.open_case()["id"]
        sign_in(client, container, users["supervisor"])
        html = client.get("/app/audit?trigger=log_first_contact&mission_locale=ml-a").text
        assert f'href="/app/cases/{first}"' in html
        assert f'href="/app/cases/{other}"' not in html
        empty = client.get("/app/audit?mission_locale=ml-b").text
        assert f'href="/app/cases/{first}"' not in empty

    def test_verification_result(
        self,
        client: TestClient[Litestar],
        container: Container,
        users: dict[str, User],
        api: ApiJourney,
    ) -> None:
        """Verifying intact chains says so, with the count of cases."""
        api.open_case()
        sign_in(client, container, users["supervisor"])
        html = client.get("/app/audit?verify=true").text
        assert 'id="verify-result"' in html
        assert "Intactes : 1 dossiers" in html

    def test_advisors_may_not_audit(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """The audit right is the supervisors' (the policy): 403 page for an advisor."""
        sign_in(client, container, users["advisor_a"])
        assert client.get("/app/audit").status_code == 403


class TestCohorts:
    """A bulk action: a dry run first, then the per-case results, once."""

    def test_dry_run_then_apply_once(
        self,
        client: TestClient[Litestar],
        container: Container,
        users: dict[str, User],
        api: ApiJourney,
    ) -> None:
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
        token = sign_in(client, container, users["advisor_a"])
        page = client.get(f"/app/cohorts/{cohort}?trigger=log_first_contact").text
        assert 'id="bulk-first_contact_date"' in page
        form = {
            "_csrf": token,
            "mode": "dry_run",
            "trigger": "log_first_contact",
            "in_first_contact_date": "2026-01-06",
        }
        dry = client.post(f"/app/cohorts/{cohort}/bulk", data=form)
        assert dry.status_code == 200, dry.text
        assert "1 possible(s), 1 impossible(s)." in dry.text
        assert api.state(ready) == "REFERRED"
        key = re.search(r'name="key" value="([0-9a-f]+)"', dry.text)
        assert key is not None
        applied_form = {**form, "mode": "apply", "key": key.group(1)}
        applied = client.post(f"/app/cohorts/{cohort}/bulk", data=applied_form)
        assert api.state(ready) == "CONTACTED"
        assert "déjà appliqué" not in applied.text
        entries = len(api.history(ready))
        again = client.post(f"/app/cohorts/{cohort}/bulk", data=applied_form)
        assert "déjà appliqué" in again.text
        assert entries == len(api.history(ready))

    def test_roles_without_the_cohort_right_are_refused(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """An admin has no cohort right (the policy): 403 page."""
        sign_in(client, container, users["admin"])
        assert client.get("/app/cohorts").status_code == 403
