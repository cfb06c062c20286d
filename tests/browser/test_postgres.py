"""The pages on PostgreSQL: the same server on its own PostgreSQL database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from browser.conftest import Visitor, WebServer

pytestmark = pytest.mark.postgres


class TestOnPostgreSQL:
    """Sign in, my cases, a case page: the pages' queries on the other database."""

    def test_my_cases_and_a_case(
        self, visit: Callable[..., Visitor], pg_web_server: WebServer
    ) -> None:
        """The advisor's cases list, due first; a case opens with its actions."""
        visitor = visit(pg_web_server)
        visitor.sign_in("demo.advisor1")
        rows = visitor.page.locator("tbody tr")
        assert rows.count() >= 1
        visitor.page.get_by_label("Nom du ou de la jeune").fill("exemple1")
        visitor.page.get_by_role("button", name="Filtrer").click()
        visitor.page.wait_for_load_state()
        assert rows.count() >= 1
        rows.first.get_by_role("link").click()
        visitor.page.wait_for_load_state()
        assert visitor.page.get_by_role("heading", name="Actions").is_visible()
        visitor.check("pg-case")
