"""Browser tests of the supervision dashboards (issue 14): each page opens from the navigation,
draws its charts and tables, passes axe; screenshots go to var/artefacts/screenshots."""

from __future__ import annotations

import re

from browser.conftest import Visitor
from ipm_workflow.entrypoints.web.dashboards import DASHBOARDS


class TestDashboards:
    """The supervisor's dashboards on the demo data."""

    def test_every_dashboard_opens_accessible(self, visitor: Visitor) -> None:
        """From the navigation's link to each dashboard: its chart, its table, no serious or
        critical axe violation."""
        visitor.sign_in("demo.supervisor")
        visitor.page.get_by_role("link", name="Tableaux de bord").first.click()
        visitor.page.wait_for_load_state()
        visitor.check("dashboards")
        for board in DASHBOARDS:
            visitor.goto(f"/app/dashboards/{board.slug}?from=2025-01-01&to=2027-12-31")
            charts = visitor.page.locator("svg.chart[role='img']")
            assert charts.count() == len(board.charts), board.slug
            assert visitor.page.locator("table").count() >= len(board.charts), board.slug
            visitor.check(board.slug)

    def test_filter_then_set_a_target(self, visitor: Visitor) -> None:
        """The filter form narrows the funnel by counting rule; a target entered by the
        supervisor shows against the actual figure."""
        visitor.sign_in("demo.supervisor")
        visitor.goto("/app/dashboards/funnel")
        visitor.page.get_by_label("Règle de comptage").select_option("people")
        visitor.page.get_by_role("button", name="Afficher").click()
        visitor.page.wait_for_load_state()
        assert "counting=people" in visitor.page.url
        visitor.goto("/app/targets?year=2026")
        form = visitor.page.locator("form[action='/app/targets'][method='post']")
        form.get_by_label("Financeur").fill("Région")
        form.get_by_label("Indicateur").select_option("referred")
        form.get_by_label("Objectif").fill("500")
        form.get_by_role("button", name="Enregistrer l'objectif").click()
        visitor.page.wait_for_load_state()
        assert re.search(r"Objectif enregistré", visitor.page.content())
        visitor.check("targets")
