"""What every API route shares (routes.py); bodies copied from attributes (outputs.py)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.handlers import HTTPRouteHandler
from pydantic import BaseModel

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.outputs import batch_answer, from_attributes
from ipm_workflow.entrypoints.http.schemas import PROBLEM_RESPONSES


def _handler(decorator: Any, *, asynchronous: bool = False) -> HTTPRouteHandler:
    async def act() -> None:
        return None

    def read() -> None:
        return None

    declared: HTTPRouteHandler = decorator(act if asynchronous else read)
    return declared


def test_only_a_synchronous_handler_can_be_inline() -> None:
    """An inline handler is called on the loop as is: a coroutine would never be awaited."""
    with pytest.raises(TypeError, match="only a synchronous handler can be inline"):
        _handler(routes.get("/x", "X", inline=True), asynchronous=True)


def test_an_inline_handler_is_a_coroutine_taking_the_request() -> None:
    """Litestar awaits it (no sync_to_thread) and gives it the request it chooses by."""
    declared = _handler(routes.get("/x", "X", inline=True))
    takes = list(inspect.signature(declared.fn).parameters)
    expected = (True, ["request"], False)
    actual = (inspect.iscoroutinefunction(declared.fn), takes, bool(declared.sync_to_thread))
    assert expected == actual


def test_a_post_answers_200_unless_it_creates() -> None:
    """Litestar's default for a POST is 201; an API POST acts on something unless it says 201."""
    expected = (200, 201, 200, 204)
    actual = (
        _handler(routes.post("/x", "Act")).status_code,
        _handler(routes.post("/x", "Create", status_code=201)).status_code,
        _handler(routes.get("/x", "Read")).status_code,
        _handler(routes.delete("/x", "Remove")).status_code,
    )
    assert expected == actual


def test_a_route_has_problem_responses_a_guard_and_a_thread() -> None:
    """Summary, problem-details responses, one guard for the action, sync handlers threaded."""
    handler = _handler(routes.get("/x", "Read", Action.AUDIT))
    expected = ("Read", PROBLEM_RESPONSES, 1, True)
    actual = (handler.summary, handler.responses, len(handler.guards or []), handler.sync_to_thread)
    assert expected == actual


def test_an_async_route_is_not_sent_to_a_thread() -> None:
    """Litestar refuses sync_to_thread on a coroutine; the decorator leaves it out."""
    handler = _handler(routes.post("/x", "Act"), asynchronous=True)
    assert handler.sync_to_thread is None


@dataclass
class _Thing:
    id: int | None
    name: str
    ok: bool = True


class _ThingOut(BaseModel):
    id: int
    name: str


class _BatchOut(BaseModel):
    label: str
    succeeded: int
    failed: int
    items: list[_ThingOut]


def test_fields_are_copied_and_given_ones_win() -> None:
    """Each field from the attribute of its name, except those given."""
    expected = _ThingOut(id=0, name="a")
    assert expected == from_attributes(_ThingOut, _Thing(None, "a"), id=0)


def test_a_missing_attribute_is_an_error() -> None:
    """A field the source does not have is a bug, not a silent default."""

    class WithExtra(_ThingOut):
        extra: str = "default"

    with pytest.raises(AttributeError):
        from_attributes(WithExtra, _Thing(1, "a"))


def test_a_batch_counts_its_items_and_says_whether_it_is_a_replay() -> None:
    """Succeeded and failed from the items' `ok`; Idempotent-Replayed from `replayed`."""

    @dataclass
    class Result:
        label: str
        items: list[_Thing]
        replayed: bool

    answer = batch_answer(
        _BatchOut, _ThingOut, Result("run", [_Thing(1, "a"), _Thing(2, "b", ok=False)], True)
    )
    expected = (1, 1, ["a", "b"], "true")
    body = answer.content
    actual = (
        body.succeeded,
        body.failed,
        [i.name for i in body.items],
        answer.headers.get("Idempotent-Replayed"),
    )
    assert expected == actual
