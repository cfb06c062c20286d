"""Long clock moves in a row on the demo sandbox: 200 at the exact target, every time."""

from __future__ import annotations

from datetime import date, timedelta

from sandbox_kit import TRAINER, SandboxApi, parse

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.durations import Duration
from ipm_workflow.services import demo


class TestLongMovesInARow:
    """The sandbox time is held still while a move is processed, and lands on its target."""

    def test_sixteen_moves_of_45_days_each_land_on_their_target(
        self, api: SandboxApi, container: Container
    ) -> None:
        """The reported input: sixteen P45D in a row on a fresh demo sandbox (many due moments)."""
        assert demo.load(container.cases, container.people)
        before = api.now()
        previous, events = None, 0
        for _ in range(16):
            travel = api.move(advance="P45D")
            events += len(travel["happened"])
            started, now = parse(travel["started"]), parse(travel["now"])
            assert now == started + timedelta(days=45)
            if previous is not None:
                # Each move starts where the previous one stopped, give or take real time.
                assert timedelta(0) <= started - previous < timedelta(minutes=5)
            previous = now
        assert api.now() >= before + timedelta(days=16 * 45)
        assert events > 0

    def test_moves_by_a_few_milliseconds_are_not_refused(self, api: SandboxApi) -> None:
        """A variant: tiny moves, where real time passing would overtake the target."""
        for _ in range(5):
            travel = api.move(advance="PT0.001S")
            assert parse(travel["now"]) == parse(travel["started"]) + timedelta(milliseconds=1)

    def test_an_absolute_time_in_the_past_is_a_clear_422(self, api: SandboxApi) -> None:
        """Moving back stays refused, with a problem naming the field, never a 500."""
        past = api.now() - timedelta(days=1)
        answer = api.call("POST", "/api/v1/sandbox/clock", TRAINER, json={"to": past.isoformat()})
        assert answer.status_code == 422
        assert "only moves forward" in answer.json()["detail"]


class TestCalendarMonths:
    """`advance: P1M` is a calendar month, end of month clamped, like every duration."""

    def test_a_month_from_the_31st_of_january_is_the_28th_of_february(
        self, api: SandboxApi
    ) -> None:
        """31 January 2029 + P1M lands on 28 February 2029, not 2 or 3 March."""
        api.move(to="2029-01-31T10:00:00+00:00")
        travel = api.move(advance="P1M")
        started, now = parse(travel["started"]), parse(travel["now"])
        assert (date(2029, 1, 31), date(2029, 2, 28)) == (started.date(), now.date())
        assert now == started + Duration(months=1)
