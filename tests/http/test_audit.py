"""The supervisors' audit through the HTTP API: entries across cases, and chain verification."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from ipm_workflow.adapters.clock import ManualClock
from journey import CASES, ApiJourney

ENTRIES = "/api/v1/audit/entries"
VERIFY = "/api/v1/audit/verify"
CONTACT = {"first_contact_date": "2026-01-05"}


def seqs(api: ApiJourney, **params: Any) -> list[tuple[int, int]]:
    """(case id, seq) of the audit entries matching some filters, as a supervisor sees them."""
    response = api.call("GET", ENTRIES, "supervisor", params=params)
    expected = 200
    assert expected == response.status_code, response.text
    return [(e["case_id"], e["seq"]) for e in response.json()]


class TestAuditEntries:
    """GET /api/v1/audit/entries."""

    @pytest.fixture
    def story(self, api: ApiJourney, clock: ManualClock) -> dict[str, int]:
        """A case in each mission locale, a day apart, the first one contacted a day later."""
        in_a = api.open_case()["id"]
        clock.advance(timedelta(days=1))
        in_b = api.open_case(who="advisor_b", mission_locale_id="ml-b")["id"]
        clock.advance(timedelta(days=1))
        api.fire(in_a, "log_first_contact", CONTACT)
        return {"a": in_a, "b": in_b}

    def test_newest_first(self, api: ApiJourney, story: dict[str, int]) -> None:
        """Without filters every entry comes back, newest first."""
        expected = [(story["a"], 2), (story["b"], 1), (story["a"], 1)]
        assert expected == seqs(api)

    def test_filters_by_actor(self, api: ApiJourney, story: dict[str, int]) -> None:
        """`actor` keeps one user's entries."""
        expected = [(story["b"], 1)]
        assert expected == seqs(api, actor=api.users["advisor_b"].actor)

    def test_filters_by_trigger(self, api: ApiJourney, story: dict[str, int]) -> None:
        """`trigger` keeps the transitions fired by that trigger."""
        expected = [(story["a"], 2)]
        assert expected == seqs(api, trigger="log_first_contact")

    def test_filters_by_mission_locale(self, api: ApiJourney, story: dict[str, int]) -> None:
        """`mission_locale` keeps the entries of that mission locale's cases."""
        expected = ([(story["a"], 2), (story["a"], 1)], [(story["b"], 1)])
        assert expected == (seqs(api, mission_locale="ml-a"), seqs(api, mission_locale="ml-b"))

    def test_filters_by_case(self, api: ApiJourney, story: dict[str, int]) -> None:
        """`case_id` keeps one case's entries."""
        expected = [(story["a"], 2), (story["a"], 1)]
        assert expected == seqs(api, case_id=story["a"])

    def test_filters_by_period(self, api: ApiJourney, story: dict[str, int]) -> None:
        """`since` is inclusive and `until` exclusive."""
        day2 = "2026-01-06T09:00:00+00:00"
        expected = (
            [(story["a"], 2), (story["b"], 1)],
            [(story["a"], 1)],
            [(story["b"], 1)],
        )
        actual = (
            seqs(api, since=day2),
            seqs(api, until=day2),
            seqs(api, since=day2, until="2026-01-07T09:00:00+00:00"),
        )
        assert expected == actual

    def test_pages(self, api: ApiJourney, story: dict[str, int]) -> None:
        """`limit` and `offset` page through the entries."""
        expected = ([(story["a"], 2), (story["b"], 1)], [(story["a"], 1)])
        assert expected == (seqs(api, limit=2), seqs(api, limit=2, offset=2))

    def test_advisors_have_no_audit(self, api: ApiJourney, story: dict[str, int]) -> None:
        """The audit is for supervisors: advisors get 403, not a filtered view."""
        expected = (403, 403)
        actual = (
            api.call("GET", ENTRIES, "advisor_a").status_code,
            api.call("GET", ENTRIES, "advisor_b").status_code,
        )
        assert expected == actual


class TestAuditVerify:
    """GET /api/v1/audit/verify."""

    def test_intact_chains(self, api: ApiJourney) -> None:
        """Untouched histories verify."""
        first = api.open_case()["id"]
        api.fire(first, "log_first_contact", CONTACT)
        api.open_case()
        response = api.call("GET", VERIFY, "supervisor")
        expected = (200, {"cases": 2, "entries": 3, "ok": True, "broken": []})
        assert expected == (response.status_code, response.json())

    def test_tampered_row_is_named(self, api: ApiJourney, engine: Engine) -> None:
        """Changing a history row in SQL breaks the chain at that entry."""
        case_id = api.open_case()["id"]
        api.fire(case_id, "log_first_contact", CONTACT)
        api.call("PUT", f"{CASES}/{case_id}/documents/identity", json={"status": "received"})
        intact = api.open_case()["id"]
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE history_entries SET actor = 'user:999' WHERE case_id = :c AND seq = 2"
                ),
                {"c": case_id},
            )
        body = api.call("GET", VERIFY, "supervisor").json()
        expected = (
            False,
            2,
            4,
            [(case_id, 3, 2, "stored hash does not match the entry's content")],
        )
        actual = (
            body["ok"],
            body["cases"],
            body["entries"],
            [(b["case_id"], b["entries"], b["broken_seq"], b["problem"]) for b in body["broken"]],
        )
        assert expected == actual
        expected_one = (True, 1)
        one = api.call("GET", VERIFY, "supervisor", params={"case_id": intact}).json()
        assert expected_one == (one["ok"], one["cases"])

    def test_deleted_row_is_named(self, api: ApiJourney, engine: Engine) -> None:
        """A deleted entry shows up as a gap in the sequence."""
        case_id = api.open_case()["id"]
        api.fire(case_id, "log_first_contact", CONTACT)
        api.call("PUT", f"{CASES}/{case_id}/documents/identity", json={"status": "received"})
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM history_entries WHERE case_id = :c AND seq = 2"), {"c": case_id}
            )
        body = api.call("GET", VERIFY, "supervisor", params={"case_id": case_id}).json()
        expected = (False, [3])
        assert expected == (body["ok"], [b["broken_seq"] for b in body["broken"]])
