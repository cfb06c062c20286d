"""Racing requests and retries: one transition wins, and an Idempotency-Key replays its answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from journey import CASES, ApiJourney

CONTACT = {"first_contact_date": "2026-01-05"}
FIRE = {"trigger": "log_first_contact", "inputs": CONTACT}


def race(
    app: Litestar, count: int, send: Callable[[TestClient[Litestar]], httpx.Response]
) -> list[httpx.Response]:
    """Send `count` requests at once, each from its own thread and test client."""
    barrier = threading.Barrier(count)

    def one(_: int) -> httpx.Response:
        # Not entered as a context manager: the lifespan (and its shutdown) belongs to `client`.
        client = TestClient(app)
        barrier.wait(timeout=30)
        return send(client)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def kind(response: httpx.Response) -> str:
    """The last segment of a problem's type."""
    kind_: str = response.json()["type"].rsplit("/", 1)[1]
    return kind_


class TestConcurrentTransitions:
    """Twenty advisors' requests fire the same trigger on one case at once."""

    def test_exactly_one_wins(self, api: ApiJourney, app: Litestar) -> None:
        """One request gets 200, the nineteen others a 409 version conflict; one entry is added."""
        case_id = api.open_case()["id"]
        headers = api.headers("advisor_a")
        url = f"{CASES}/{case_id}/transitions"
        responses = race(
            app, 20, lambda c: c.post(url, json={**FIRE, "version": 1}, headers=headers)
        )
        statuses = sorted(r.status_code for r in responses)
        expected = [200] + [409] * 19
        assert expected == statuses
        expected_kinds = {"version-conflict"}
        assert expected_kinds == {kind(r) for r in responses if r.status_code == 409}
        history = api.history(case_id)
        expected_history = (2, "log_first_contact", 2, "CONTACTED")
        actual = (
            len(history),
            history[-1]["trigger"],
            *(api.case(case_id)[k] for k in ("version", "state")),
        )
        assert expected_history == actual

    def test_same_version_through_if_match(self, api: ApiJourney, app: Litestar) -> None:
        """The same race with If-Match has the same single winner."""
        case_id = api.open_case()["id"]
        headers = api.headers("advisor_a", **{"If-Match": '"1"'})
        url = f"{CASES}/{case_id}/transitions"
        responses = race(app, 20, lambda c: c.post(url, json=FIRE, headers=headers))
        expected = (1, 19, 2)
        actual = (
            sum(r.status_code == 200 for r in responses),
            sum(r.status_code == 409 for r in responses),
            len(api.history(case_id)),
        )
        assert expected == actual


class TestIdempotencyKey:
    """The Idempotency-Key header on transitions."""

    def _fire(self, api: ApiJourney, case_id: int, key: str, **body: Any) -> httpx.Response:
        return api.call(
            "POST",
            f"{CASES}/{case_id}/transitions",
            json={**FIRE, **body},
            headers={"Idempotency-Key": key},
        )

    def test_retry_replays_the_first_answer(self, api: ApiJourney) -> None:
        """A retry with the same key and body gets the same body, marked as replayed."""
        case_id = api.open_case()["id"]
        first = self._fire(api, case_id, "retry-1")
        second = self._fire(api, case_id, "retry-1")
        expected = (200, "false", 200, "true", first.json(), '"2"')
        actual = (
            first.status_code,
            first.headers["idempotent-replayed"],
            second.status_code,
            second.headers["idempotent-replayed"],
            second.json(),
            second.headers["etag"],
        )
        assert expected == actual

    def test_retry_writes_nothing(self, api: ApiJourney) -> None:
        """A replay leaves the history and the case version as they were."""
        case_id = api.open_case()["id"]
        self._fire(api, case_id, "retry-2")
        before = (len(api.history(case_id)), api.case(case_id)["version"])
        self._fire(api, case_id, "retry-2")
        self._fire(api, case_id, "retry-2")
        expected = before
        assert expected == (len(api.history(case_id)), api.case(case_id)["version"])
        expected = (2, 2)
        assert expected == before

    def test_same_key_other_body_is_422(self, api: ApiJourney) -> None:
        """A key reused for another request is refused and writes nothing."""
        case_id = api.open_case()["id"]
        self._fire(api, case_id, "reused")
        response = self._fire(api, case_id, "reused", inputs={"first_contact_date": "2026-01-06"})
        expected = (422, "idempotency-key-reused", "reused", 2)
        actual = (
            response.status_code,
            kind(response),
            response.json()["key"],
            len(api.history(case_id)),
        )
        assert expected == actual

    def test_same_key_with_another_if_match_is_422(self, api: ApiJourney) -> None:
        """The expected version belongs to the request: another If-Match is another request."""
        case_id = api.open_case()["id"]
        self._fire(api, case_id, "if-match")
        response = api.call(
            "POST",
            f"{CASES}/{case_id}/transitions",
            json=FIRE,
            headers={"Idempotency-Key": "if-match", "If-Match": '"1"'},
        )
        expected = (422, "idempotency-key-reused")
        assert expected == (response.status_code, kind(response))

    def test_refused_request_does_not_use_up_its_key(self, api: ApiJourney) -> None:
        """A request that failed (here a stale version) leaves its key free for a corrected one."""
        case_id = api.open_case()["id"]
        refused = self._fire(api, case_id, "after-conflict", version=9)
        accepted = self._fire(api, case_id, "after-conflict", version=1)
        expected = (409, 200, "false")
        actual = (
            refused.status_code,
            accepted.status_code,
            accepted.headers["idempotent-replayed"],
        )
        assert expected == actual

    def test_keys_belong_to_their_user(self, api: ApiJourney) -> None:
        """Another user's identical key is not a replay of this user's answer."""
        case_id = api.open_case()["id"]
        self._fire(api, case_id, "shared-key")
        response = api.call(
            "POST",
            f"{CASES}/{case_id}/transitions",
            "supervisor",
            json=FIRE,
            headers={"Idempotency-Key": "shared-key"},
        )
        expected = (409, "invalid-transition")
        assert expected == (response.status_code, kind(response))

    def test_concurrent_retries_have_one_effect(self, api: ApiJourney, app: Litestar) -> None:
        """Ten simultaneous requests with one key: all 200 with one body, one history entry."""
        case_id = api.open_case()["id"]
        headers = api.headers("advisor_a", **{"Idempotency-Key": "burst"})
        url = f"{CASES}/{case_id}/transitions"
        responses = race(app, 10, lambda c: c.post(url, json=FIRE, headers=headers))
        expected = ([200] * 10, 1, ["false"] + ["true"] * 9)
        actual = (
            [r.status_code for r in responses],
            # Equal JSON, not equal text: PostgreSQL's JSONB stores the answer in its own key order.
            len({json.dumps(r.json(), sort_keys=True) for r in responses}),
            sorted(r.headers["idempotent-replayed"] for r in responses),
        )
        assert expected == actual
        expected_effect = (2, 2, "CONTACTED")
        case = api.case(case_id)
        assert expected_effect == (len(api.history(case_id)), case["version"], case["state"])
