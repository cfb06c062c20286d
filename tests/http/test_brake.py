"""The brake on failed authentications: growing delays, then 429 — for failures only."""

from __future__ import annotations

import time

import httpx
import pytest
from litestar import Litestar

from ipm_workflow.entrypoints.http.auth import FailureBrake
from journey import ApiJourney

WORKFLOWS = "/api/v1/workflows"
BAD = {"Authorization": "Bearer ipm_wrong"}


class RecordingBrake(FailureBrake):
    """A FailureBrake that remembers each delay it imposed."""

    def __init__(self, free: int, max_delay: float, block_after: int) -> None:
        super().__init__(free=free, max_delay=max_delay, block_after=block_after)
        self.delays: list[float] = []

    def failed(self, client: str) -> float:
        """Record the delay before returning it."""
        delay = super().failed(client)
        self.delays.append(delay)
        return delay


@pytest.fixture
def brake(app: Litestar) -> RecordingBrake:
    """A quick brake: one free failure, delays up to 50 ms, blocked after five failures."""
    brake = RecordingBrake(free=1, max_delay=0.05, block_after=5)
    app.state.brake = brake
    return brake


def timed(api: ApiJourney, headers: dict[str, str]) -> tuple[httpx.Response, float]:
    """Send one request and measure how long the answer took."""
    start = time.perf_counter()
    response = api.client.get(WORKFLOWS, headers=headers)
    return response, time.perf_counter() - start


class TestFailureBrake:
    """FailureBrake on its own."""

    def test_delays_double_after_the_free_failures(self) -> None:
        """Free failures cost nothing; then the delay doubles up to the cap."""
        brake = FailureBrake(free=2, max_delay=0.3, block_after=100)
        expected = [0.0, 0.0, 0.05, 0.1, 0.2, 0.3, 0.3]
        assert expected == [brake.failed("c") for _ in range(7)]

    def test_blocks_after_too_many_failures(self) -> None:
        """A client is blocked once it reaches the limit; others are not."""
        brake = FailureBrake(block_after=3)
        for _ in range(2):
            brake.failed("c")
        assert not brake.blocked("c")
        brake.failed("c")
        expected = (True, False)
        assert expected == (brake.blocked("c"), brake.blocked("other"))

    def test_failures_age_out_of_the_window(self) -> None:
        """Failures older than the window no longer count."""
        brake = FailureBrake(window=0.05, block_after=1)
        brake.failed("c")
        assert brake.blocked("c")
        time.sleep(0.06)
        assert not brake.blocked("c")


class TestBrakeOverHttp:
    """The brake as clients meet it."""

    def test_answers_slow_down_then_stop(self, api: ApiJourney, brake: RecordingBrake) -> None:
        """Failures are held back more and more, then refused with 429 and Retry-After."""
        answers = [timed(api, BAD) for _ in range(5)]
        expected = ([401] * 5, [0.0, 0.05, 0.05, 0.05, 0.05])
        assert expected == ([r.status_code for r, _ in answers], brake.delays)
        assert all(elapsed >= 0.05 for _, elapsed in answers[1:])
        blocked = api.client.get(WORKFLOWS, headers=BAD)
        expected_blocked = (429, "300", "too-many-requests")
        assert expected_blocked == (
            blocked.status_code,
            blocked.headers["retry-after"],
            blocked.json()["type"].rsplit("/", 1)[1],
        )

    def test_missing_token_counts_as_a_failure(
        self, api: ApiJourney, brake: RecordingBrake
    ) -> None:
        """Requests without any token feed the brake too."""
        for _ in range(5):
            api.client.get(WORKFLOWS)
        expected = 429
        assert expected == api.client.get(WORKFLOWS).status_code

    def test_valid_token_is_served_while_failures_are_blocked(
        self, api: ApiJourney, brake: RecordingBrake
    ) -> None:
        """Behind a shared address, others' failures never lock out a valid token."""
        for _ in range(5):
            api.client.get(WORKFLOWS, headers=BAD)
        expected = (200, 429)
        actual = (
            api.call("GET", WORKFLOWS).status_code,
            api.client.get(WORKFLOWS, headers=BAD).status_code,
        )
        assert expected == actual

    def test_thirty_bad_tokens_then_a_good_one_is_served(
        self, api: ApiJourney, app: Litestar
    ) -> None:
        """The issue's own input, at the production limit of 30 failures."""
        app.state.brake = FailureBrake(free=1, max_delay=0.001, block_after=30)
        statuses = {api.client.get(WORKFLOWS, headers=BAD).status_code for _ in range(30)}
        expected = ({401}, 200, 200, 429)
        actual = (
            statuses,
            api.call("GET", WORKFLOWS).status_code,
            api.call("GET", WORKFLOWS, "supervisor").status_code,
            api.client.get(WORKFLOWS, headers=BAD).status_code,
        )
        assert expected == actual

    def test_success_does_not_excuse_failures(self, api: ApiJourney, brake: RecordingBrake) -> None:
        """A working client next to a failing one does not reset the failing one's delay."""
        for _ in range(3):
            api.client.get(WORKFLOWS, headers=BAD)
        expected = 200
        assert expected == api.call("GET", WORKFLOWS).status_code
        response = api.client.get(WORKFLOWS, headers=BAD)
        expected_after = (401, 0.05)
        assert expected_after == (response.status_code, brake.delays[-1])

    def test_public_endpoints_are_not_braked(self, api: ApiJourney, brake: RecordingBrake) -> None:
        """A blocked client can still reach the probes and the schema."""
        for _ in range(5):
            api.client.get(WORKFLOWS, headers=BAD)
        expected = (200, 200, 200)
        actual = tuple(
            api.client.get(path).status_code
            for path in ("/health", "/ready", "/schema/openapi.json")
        )
        assert expected == actual
