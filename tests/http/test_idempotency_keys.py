"""One idempotency mechanism for every endpoint taking an Idempotency-Key, long reasons included."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from test_concurrency import kind, race

from journey import CASES, WORKFLOW, ApiJourney

CONTACT = {"first_contact_date": "2026-01-05"}
# Longer than the fingerprint column (64): the old cohort path stored the raw request there.
LONG_REASON = "premier contact pris par téléphone avec la jeune personne, " * 4


@dataclass(frozen=True)
class Keyed:
    """A keyed endpoint: where to post, and the cases whose history it writes."""

    url: str
    cases: list[int]


@pytest.fixture(params=["case-transition", "cohort-bulk"])
def keyed(request: pytest.FixtureRequest, api: ApiJourney) -> Keyed:
    """Each endpoint that takes an Idempotency-Key, on fresh cases in REFERRED."""
    if request.param == "case-transition":
        case_id = api.open_case()["id"]
        return Keyed(f"{CASES}/{case_id}/transitions", [case_id])
    cohort = api.call(
        "POST", "/api/v1/cohorts", json={"code": "K-1", "label": "L", "workflow": WORKFLOW}
    ).json()
    ids = [api.open_case()["id"] for _ in range(3)]
    added = api.call("POST", f"/api/v1/cohorts/{cohort['id']}/members", json={"case_ids": ids})
    assert added.status_code == 200, added.text
    return Keyed(f"/api/v1/cohorts/{cohort['id']}/transitions", ids)


def post(api: ApiJourney, keyed: Keyed, key: str, **body: Any) -> httpx.Response:
    """Fire log_first_contact (with a long reason) under a key."""
    payload = {"trigger": "log_first_contact", "inputs": CONTACT, "reason": LONG_REASON, **body}
    return api.call("POST", keyed.url, json=payload, headers={"Idempotency-Key": key})


def effect(api: ApiJourney, keyed: Keyed) -> list[tuple[int, str]]:
    """History length and state of each case the endpoint touches."""
    return [(len(api.history(c)), api.case(c)["state"]) for c in keyed.cases]


def contacted(before: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The effect of one log_first_contact on each case: one more entry, CONTACTED."""
    return [(n + 1, "CONTACTED") for n, _ in before]


class TestEveryKeyedEndpoint:
    """Transitions and cohort bulk actions behave alike under a key, on both databases."""

    def test_long_reason_then_replay(self, api: ApiJourney, keyed: Keyed) -> None:
        """A 240-character reason is accepted; the retry replays the answer and writes nothing."""
        before = effect(api, keyed)
        first = post(api, keyed, "long-1")
        assert first.status_code == 200, first.text
        after_first = effect(api, keyed)
        again = post(api, keyed, "long-1")
        expected = ("false", "true", first.json(), after_first)
        actual = (
            first.headers["idempotent-replayed"],
            again.headers["idempotent-replayed"],
            again.json(),
            effect(api, keyed),
        )
        assert expected == actual
        expected_effect = contacted(before)
        assert expected_effect == after_first

    def test_other_body_same_key_is_refused_and_writes_nothing(
        self, api: ApiJourney, keyed: Keyed
    ) -> None:
        """The same key with another reason is a 422; the cases stay as the first request left."""
        post(api, keyed, "reused")
        before = effect(api, keyed)
        response = post(api, keyed, "reused", reason="another reason")
        expected = (422, "idempotency-key-reused", before)
        assert expected == (response.status_code, kind(response), effect(api, keyed))

    def test_a_refused_request_moves_nothing(self, api: ApiJourney, keyed: Keyed) -> None:
        """An unknown trigger under a key: refused (or every case failed), nothing moved."""
        before = effect(api, keyed)
        refused = post(api, keyed, "first-refused", trigger="no_such_trigger")
        retried = post(api, keyed, "first-refused", trigger="no_such_trigger")
        first_body = {k: v for k, v in refused.json().items() if k != "request_id"}
        retried_body = {k: v for k, v in retried.json().items() if k != "request_id"}
        expected = (before, refused.status_code, first_body)
        assert expected == (effect(api, keyed), retried.status_code, retried_body)
        assert refused.status_code == 200 or kind(refused) == "invalid-transition"

    def test_concurrent_retries_have_one_effect(
        self, api: ApiJourney, keyed: Keyed, app: Litestar
    ) -> None:
        """Six simultaneous identical requests: one effect, one answer for all."""
        before = effect(api, keyed)
        headers = api.headers("advisor_a", **{"Idempotency-Key": "burst"})
        body = {"trigger": "log_first_contact", "inputs": CONTACT, "reason": LONG_REASON}
        responses = race(app, 6, lambda c: c.post(keyed.url, json=body, headers=headers))
        expected = ([200] * 6, 1, contacted(before))
        actual = (
            [r.status_code for r in responses],
            len({json.dumps(r.json(), sort_keys=True) for r in responses}),
            effect(api, keyed),
        )
        assert expected == actual
