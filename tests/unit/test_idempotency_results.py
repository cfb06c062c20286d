"""A per-case result (cohort bulk action, handover) goes into an idempotent answer and comes
back from it unchanged, marked as a replay when it is one."""

from __future__ import annotations

from dataclasses import dataclass

from ipm_workflow.services.idempotency import Answer, answer_of, result_of, tally


@dataclass(frozen=True)
class Item:
    case_id: int
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class Result:
    batch: int
    items: list[Item]
    replayed: bool = False


RESULT = Result(7, [Item(1, True), Item(2, False, "refused")])


class TestAnswers:
    """The JSON form kept for replays, and the result rebuilt from it."""

    def test_the_answer_keeps_every_field_but_replayed(self) -> None:
        """Items become objects; whether it was replayed is never stored."""
        expected = Answer(
            200,
            {
                "batch": 7,
                "items": [
                    {"case_id": 1, "ok": True, "error": None},
                    {"case_id": 2, "ok": False, "error": "refused"},
                ],
            },
        )
        assert expected == answer_of(RESULT)

    def test_a_replayed_answer_gives_the_same_result_marked_replayed(self) -> None:
        """The stored body rebuilds the same items; the replay flag comes from the answer."""
        stored = answer_of(RESULT)
        replay = Answer(stored.status_code, stored.body, replayed=True)

        expected = Result(7, RESULT.items, replayed=True)
        assert expected == result_of(Result, Item, replay)

    def test_tally_counts_what_went_well_and_not(self) -> None:
        """The log fields of a result."""
        expected = {"ok": 1, "failed": 1, "replayed": False}
        assert expected == tally(RESULT)
