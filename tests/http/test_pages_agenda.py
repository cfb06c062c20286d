"""The agenda page and acknowledging from it; the in-app inbox."""

from __future__ import annotations

import re

from sqlalchemy import update

from journey import ApiJourney
from journey.pages import Pages


def reminder_ids(html: str) -> list[int]:
    """The reminders listed on a page."""
    return [int(i) for i in re.findall(r'id="reminder-(\d+)"', html)]


class TestAgenda:
    """What falls due across the user's cases, grouped by day."""

    def test_lists_what_falls_due_by_day(self, pages: Pages, api: ApiJourney) -> None:
        """The advisor's agenda lists the case's planned reminders under a day heading."""
        case_id = api.open_case()["id"]
        planned = [r["id"] for r in api.reminders(case_id) if r["status"] == "planned"]
        pages.sign_in("advisor_a")
        html = pages.get("/app/agenda?days=30").text
        assert set(planned) == set(reminder_ids(html))
        assert '<h2 id="day-' in html
        assert f'href="/app/cases/{case_id}"' in html

    def test_other_mission_locale_sees_nothing(self, pages: Pages, api: ApiJourney) -> None:
        """Advisor B's agenda does not list mission locale A's reminders."""
        api.open_case()
        pages.sign_in("advisor_b")
        assert reminder_ids(pages.get("/app/agenda?days=30").text) == []

    def test_acknowledge_with_htmx(self, pages: Pages, api: ApiJourney) -> None:
        """An htmx acknowledge answers the updated row; the API's service recorded it."""
        case_id = api.open_case()["id"]
        reminder = api.reminders(case_id)[0]["id"]
        token = pages.sign_in("advisor_a")
        answer = pages.post(
            f"/app/agenda/{case_id}/{reminder}/acknowledge",
            data={"_csrf": token},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.text.lstrip().startswith(f'<tr id="reminder-{reminder}">')
        status = {r["id"]: r["status"] for r in api.reminders(case_id)}[reminder]
        expected = "acknowledged"
        assert expected == status
        assert "reminder_acknowledged" in [e["kind"] for e in api.history(case_id)]

    def test_acknowledge_needs_the_right_and_the_token(self, pages: Pages, api: ApiJourney) -> None:
        """Supervisors may not acknowledge (the policy); a post without a token is refused."""
        case_id = api.open_case()["id"]
        reminder = api.reminders(case_id)[0]["id"]
        token = pages.sign_in("supervisor")
        html = pages.get("/app/agenda?days=30").text
        assert reminder in reminder_ids(html)
        assert "/acknowledge" not in html
        url = f"/app/agenda/{case_id}/{reminder}/acknowledge"
        assert pages.post(url, data={"_csrf": token}).status_code == 403
        pages.cookies.clear()
        pages.sign_in("advisor_a")
        assert pages.post(url, data={}).status_code == 403
        expected = "planned"
        assert expected == api.reminders(case_id)[0]["status"]


class TestInbox:
    """Messages the engine addressed to staff in-app."""

    def test_advisor_sees_in_app_messages_of_their_cases(
        self, pages: Pages, api: ApiJourney
    ) -> None:
        """A reminder delivered in-app to the case's advisor is in their inbox, not in B's."""
        from ipm_workflow.adapters.db.reminder_reads import reminders_t  # noqa: PLC0415

        case_id = api.open_case()["id"]
        mine = next(r for r in api.reminders(case_id) if r["recipient"] == "advisor")
        with pages.container.engine.begin() as conn:  # as the worker records an in-app delivery
            conn.execute(
                update(reminders_t)
                .where(reminders_t.c.id == mine["id"])
                .values(
                    status="sent",
                    channel="in_app",
                    sent_at=pages.container.clock.now(),
                    outcome="delivered by in_app",
                )
            )
        pages.sign_in("advisor_a")
        html = pages.get("/app/inbox").text
        assert f'href="/app/cases/{case_id}"' in html
        assert mine["rule_id"] in html
        pages.cookies.clear()
        pages.sign_in("advisor_b")
        assert f'href="/app/cases/{case_id}"' not in pages.get("/app/inbox").text
