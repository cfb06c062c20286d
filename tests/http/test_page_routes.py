"""`page_get` and `page_post`: the options every page handler shares, declared once."""

from __future__ import annotations

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.web.routes import page_get, page_post


def test_a_synchronous_page_runs_in_a_thread_behind_its_policy_guard() -> None:
    @page_get("/app/example", Action.AUDIT)
    def example() -> str:
        return "example"

    expected = ({"GET"}, False, True, 1)
    actual = (
        example.http_methods,
        example.include_in_schema,
        example.sync_to_thread,
        len(example.guards or []),
    )
    assert expected == actual


def test_an_asynchronous_form_without_an_action_has_no_guard_and_no_thread() -> None:
    @page_post("/my/example", request_max_body_size=1024)
    async def example() -> str:
        return "example"

    expected = ({"POST"}, False, None, [], 1024)
    actual = (
        example.http_methods,
        example.include_in_schema,
        example.sync_to_thread,
        list(example.guards or []),
        example.request_max_body_size,
    )
    assert expected == actual
