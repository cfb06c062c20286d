"""The new referral page: duplicates warned before saving, opening inputs, one transaction."""

from __future__ import annotations

from typing import Any

from journey import ApiJourney
from journey.pages import Pages

WORKFLOW = "erasmus_vet_long"


def referral(token: str, **changes: Any) -> dict[str, Any]:
    """A complete referral form for mission locale A."""
    return {
        "_csrf": token,
        "workflow": WORKFLOW,
        "first_name": "Alex",
        "last_name": "Fictif",
        "birth_date": "2006-02-03",
        "mission_locale": "ml-a",
        "advisor": "",
        "in_cv_attached": "true",
        "in_privacy_notice_given": "true",
        **changes,
    }


def case_count(api: ApiJourney) -> int:
    """How many cases the advisor of mission locale A sees."""
    total: int = api.ok("GET", "/api/v1/cases")["total"]
    return total


class TestReferralPage:
    """Register a young person and open their case from one form."""

    def test_form_shows_the_opening_inputs(self, pages: Pages) -> None:
        """The workflow's declared opening inputs are fields of the form."""
        pages.sign_in("advisor_a")
        html = pages.get(f"/app/referrals/new?workflow={WORKFLOW}").text
        assert 'id="open-cv_attached"' in html
        assert 'id="open-privacy_notice_given"' in html

    def test_only_roles_that_open_cases(self, pages: Pages) -> None:
        """A supervisor may not open cases (the policy): 403 page."""
        pages.sign_in("supervisor")
        assert pages.get("/app/referrals/new").status_code == 403

    def test_opens_the_case(self, pages: Pages, api: ApiJourney) -> None:
        """Without a probable duplicate the person is registered and the case opened."""
        token = pages.sign_in("advisor_a")
        answer = pages.post("/app/referrals", data=referral(token), follow_redirects=False)
        assert answer.status_code == 303, answer.text
        case_id = int(answer.headers["location"].split("/")[-1].split("?")[0])
        assert api.state(case_id) == "REFERRED"

    def test_duplicate_warned_before_saving_then_saved_anyway(
        self, pages: Pages, api: ApiJourney
    ) -> None:
        """A probable duplicate stops the first submit (nothing saved); a confirmed one saves."""
        api.open_case(api.person(first_name="Alex", last_name="Fictif", birth_date="2006-02-03"))
        before = case_count(api)
        token = pages.sign_in("advisor_a")
        warned = pages.post("/app/referrals", data=referral(token))
        assert warned.status_code == 409
        assert 'id="duplicate-warning"' in warned.text
        assert "/app/cases?q=Fictif" in warned.text
        assert before == case_count(api)
        saved = pages.post(
            "/app/referrals", data=referral(token, confirmed="true"), follow_redirects=False
        )
        assert saved.status_code == 303
        assert before + 1 == case_count(api)

    def test_duplicates_partial_for_htmx(self, pages: Pages, api: ApiJourney) -> None:
        """The htmx check answers the warning fragment while typing; nothing is saved."""
        api.open_case(api.person(first_name="Alex", last_name="Fictif", birth_date="2006-02-03"))
        token = pages.sign_in("advisor_a")
        fields = {"first_name": "Alex", "last_name": "Fictif", "birth_date": "2006-02-03"}
        answer = pages.post(
            "/app/referrals/duplicates", data=fields, headers={"X-CSRF-Token": token}
        )
        assert answer.status_code == 200
        assert 'id="duplicate-warning"' in answer.text

    def test_unmet_opening_guard_saves_nobody(self, pages: Pages, api: ApiJourney) -> None:
        """Without the CV the opening is refused with the reason, and no person is left."""
        token = pages.sign_in("advisor_a")
        form = referral(token)
        del form["in_cv_attached"]
        answer = pages.post("/app/referrals", data=form)
        assert answer.status_code == 422
        assert 'id="refusal"' in answer.text
        assert "inputs.cv_attached: required" in answer.text
        again = pages.post("/app/referrals/duplicates", data=form, headers={"X-CSRF-Token": token})
        assert 'id="duplicate-warning"' not in again.text

    def test_without_csrf_token_refused(self, pages: Pages, api: ApiJourney) -> None:
        """A post without the form's token is refused and opens nothing."""
        token = pages.sign_in("advisor_a")
        form = referral(token)
        del form["_csrf"]
        assert pages.post("/app/referrals", data=form).status_code == 403
        assert case_count(api) == 0
