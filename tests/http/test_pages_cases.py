"""My cases and the case page through the test client: visibility, filters, actions, conflicts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.domain.people import Person
from ipm_workflow.services.case_sheet import read_parts
from ipm_workflow.services.commands import OpenCase
from journey import ML_ACTOR, OPENING, WORKFLOW, ApiJourney
from journey.pages import Pages, csrf_of


def case_ids(html: str) -> list[int]:
    """The case ids listed on a page, in order."""
    return [int(i) for i in re.findall(r'href="/app/cases/(\d+)"', html)]


class TestMyCases:
    """The listing."""

    def test_lists_only_the_cases_the_policy_shows(self, pages: Pages, api: ApiJourney) -> None:
        """Advisor B sees none of mission locale A's cases; advisor A sees them with names."""
        case_id = api.open_case()["id"]
        pages.sign_in("advisor_b")
        assert case_ids(pages.get("/app/cases").text) == []
        pages.cookies.clear()
        pages.sign_in("advisor_a")
        html = pages.get("/app/cases").text
        assert [case_id] == case_ids(html)
        assert "Camille Exemple" in html

    def test_filters_by_name_and_unassigned(self, pages: Pages, api: ApiJourney) -> None:
        """The name search and the unassigned filter narrow the listing."""
        first = api.open_case()["id"]
        # A mission locale's referral names no advisor: nobody follows it yet (an Ipm advisor
        # opening it the same way would be given it: policy.takes_unnamed_case).
        sacha = Person(None, "Sacha", "Autre", date(2005, 6, 15))
        registered = pages.container.people.register(sacha, ML_ACTOR).person
        assert registered.id is not None
        referral = OpenCase(registered.id, WORKFLOW, "ml-a", None, OPENING)
        other = {"id": pages.container.cases.open_case(referral, ML_ACTOR).id}
        pages.sign_in("advisor_a")
        assert [other["id"]] == case_ids(pages.get("/app/cases?q=autre").text)
        assert [other["id"]] == case_ids(pages.get("/app/cases?unassigned=true").text)
        assert {first, other["id"]} == set(case_ids(pages.get("/app/cases").text))


class TestCasePage:
    """One case."""

    def test_other_mission_locale_gets_a_404_page(self, pages: Pages, api: ApiJourney) -> None:
        """Advisor B opening a case of mission locale A gets an HTML 404 page, not JSON."""
        case_id = api.open_case()["id"]
        pages.sign_in("advisor_b")
        answer = pages.get(f"/app/cases/{case_id}")
        assert answer.status_code == 404
        assert "text/html" in answer.headers["content-type"]
        assert "Page introuvable" in answer.text

    def test_fire_an_action_and_see_refusals(self, pages: Pages, api: ApiJourney) -> None:
        """An allowed action is fired from its form; a refused one shows its reasons."""
        case_id = api.open_case()["id"]
        token = pages.sign_in("advisor_a")
        html = pages.get(f"/app/cases/{case_id}").text
        assert 'id="action-log_first_contact"' in html
        version = re.search(r'name="version" value="(\d+)"', html)
        assert version is not None
        answer = pages.post(
            f"/app/cases/{case_id}/fire",
            data={
                "_csrf": token,
                "trigger": "log_first_contact",
                "version": version.group(1),
                "in_first_contact_date": "2026-01-05",
            },
        )
        assert answer.status_code == 200, answer.text
        expected = "CONTACTED"
        assert expected == api.state(case_id)
        refused = pages.post(
            f"/app/cases/{case_id}/fire",
            data={"_csrf": token, "trigger": "confirm_ready", "version": "99"},
        )
        assert refused.status_code in (409, 422)
        assert 'role="alert"' in refused.text

    def test_a_stale_version_is_a_conflict_not_a_lost_update(
        self, pages: Pages, api: ApiJourney
    ) -> None:
        """A form drawn before someone else's change is refused and the change is named."""
        case_id = api.open_case()["id"]
        token = pages.sign_in("advisor_a")
        html = pages.get(f"/app/cases/{case_id}").text
        seen = re.search(r'name="seen_seq" value="(\d+)"', html)
        version = re.search(r'name="version" value="(\d+)"', html)
        assert seen is not None
        assert version is not None
        api.fire(case_id, "log_first_contact", {"first_contact_date": "2026-01-05"})
        state = api.state(case_id)
        answer = pages.post(
            f"/app/cases/{case_id}/fire",
            data={
                "_csrf": token,
                "trigger": "log_first_contact",
                "version": version.group(1),
                "seen_seq": seen.group(1),
                "in_first_contact_date": "2026-01-06",
            },
        )
        assert answer.status_code == 409
        assert 'id="conflict"' in answer.text
        assert "log_first_contact" in answer.text
        assert state == api.state(case_id)

    def test_record_a_document(self, pages: Pages, api: ApiJourney) -> None:
        """The document form records a status at the version shown."""
        case_id = api.open_case()["id"]
        token = pages.sign_in("advisor_a")
        html = pages.get(f"/app/cases/{case_id}").text
        version = re.search(r'name="version" value="(\d+)"', html)
        assert version is not None
        pages.post(
            f"/app/cases/{case_id}/documents",
            data={
                "_csrf": token,
                "document": "identity",
                "status": "validated",
                "valid_until": "2030-01-01",
                "version": version.group(1),
            },
        )
        assert api.case(case_id)["documents"]["identity"]["status"] == "validated"
        assert csrf_of(pages.get(f"/app/cases/{case_id}").text) == token


class TestOrderAndPages:
    """Overdue first, then due; pages that neither overlap nor skip."""

    def test_due_then_overdue_first(
        self, pages: Pages, api: ApiJourney, clock: ManualClock
    ) -> None:
        """A case whose state has a time limit comes before an older one without; past the
        limit it is marked overdue and alone under the overdue filter."""
        older = api.open_case()["id"]
        api.fire(older, "log_first_contact", {"first_contact_date": "2026-01-05"})
        newer = api.open_case()["id"]
        pages.sign_in("advisor_a")
        assert [newer, older] == case_ids(pages.get("/app/cases").text)
        clock.advance(timedelta(days=60))
        pages.sign_in("advisor_a")
        html = pages.get("/app/cases").text
        assert [newer, older] == case_ids(html)
        assert 'class="overdue"' in html
        assert [newer] == case_ids(pages.get("/app/cases?overdue=true").text)

    def test_pages_neither_overlap_nor_skip(self, pages: Pages, api: ApiJourney) -> None:
        """51 cases: 50 on the first page, the last on the second, each case once."""
        person = api.person()
        opened = {api.open(person) for _ in range(51)}
        pages.sign_in("advisor_a")
        first = case_ids(pages.get("/app/cases").text)
        second_page = pages.get("/app/cases?page_number=2").text
        second = case_ids(second_page)
        assert (len(first), len(second)) == (50, 1)
        assert opened == set(first) | set(second)
        assert "page 2 sur 2" in second_page


class TestCaseParts:
    """The parts the case page fetches apart (htmx): the page's policy, a fragment for htmx and
    a page of their own without JavaScript, forms at the version the page showed."""

    PARTS = ("parts", "diagram", "timeline", "uploads", "reassignment", "data")

    def test_other_mission_locale_gets_404_for_every_part(
        self, pages: Pages, api: ApiJourney
    ) -> None:
        """Advisor B asking for any part of a case of mission locale A gets the 404 page."""
        case_id = api.open_case()["id"]
        pages.sign_in("advisor_b")
        statuses = [pages.get(f"/app/cases/{case_id}/{part}").status_code for part in self.PARTS]
        expected = [404] * len(self.PARTS)
        assert expected == statuses

    def test_parts_only_those_the_role_may_see(self, pages: Pages, api: ApiJourney) -> None:
        """The one read of the parts asks the policy as their own routes do: a mission locale's
        advisor (no platform account, so read here) may read the case and its uploads, not
        reassign it: no reassignment choices."""
        case_id = api.open_case()["id"]
        read = read_parts(pages.container.cases.store, case_id, ML_ACTOR, 30)
        expected = (case_id, [], None, True)
        case, visited = read.timeline.case, read.visited
        actual = (case.id, read.uploads, read.reassignment, "REFERRED" in visited)
        assert expected == actual

    def test_a_fragment_for_htmx_a_page_without_javascript(
        self, pages: Pages, api: ApiJourney
    ) -> None:
        """The head asks for its parts in one request; htmx gets each part swapped into its
        place, a plain request a whole page linking back to the case (and each part has a page
        of its own); the data form posts the version given by the page."""
        case_id = api.open_case()["id"]
        pages.sign_in("advisor_a")
        head = pages.get(f"/app/cases/{case_id}").text
        parts = f"/app/cases/{case_id}/parts"
        fragment = pages.get(parts, headers={"HX-Request": "true"}).text
        whole = pages.get(parts).text
        diagram = pages.get(f"/app/cases/{case_id}/diagram").text
        form = pages.get(f"/app/cases/{case_id}/data?version=1&seen_seq=1").text
        places = re.findall(r'id="part-(\w+)" hx-swap-oob="innerHTML"', fragment)
        expected = (True, ["diagram", "timeline", "uploads", "reassignment"], False, True)
        expected += (True, True, True, True)
        actual = (
            f'hx-get="{parts}?version=' in head,
            places,
            "<html" in fragment,
            'aria-current="step"' in fragment,
            "<html" in whole and f'href="/app/cases/{case_id}"' in whole,
            "hx-swap-oob" not in whole and 'id="h-timeline"' in whole,
            "<html" in diagram and 'aria-current="step"' in diagram,
            'name="version" value="1"' in form and 'name="seen_seq" value="1"' in form,
        )
        assert expected == actual
