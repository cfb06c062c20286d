"""Supervision dashboards: charts and tables per dashboard, downloads, targets, populations."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import timedelta

import openpyxl
import pytest

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.beneficiary_module import COLUMNS
from ipm_workflow.entrypoints.web.dashboards import DASHBOARDS
from ipm_workflow.entrypoints.worker import worker_for
from journey import ApiJourney
from journey.pages import Pages, csrf_of

YEAR = "from=2026-01-01&to=2026-12-31"


@pytest.fixture
def referrals(api: ApiJourney, clock: ManualClock) -> list[int]:
    """Three referrals of mission locale A on 5 January 2026: two contacted at once, one not;
    then three days pass (every 48 hours are over)."""
    cases = [api.open_case()["id"] for _ in range(3)]
    for case_id in cases[:2]:
        api.fire(case_id, "log_first_contact", {"first_contact_date": "2026-01-05"})
    clock.advance(timedelta(days=3))
    return cases


def _cells(html: str, caption: str) -> list[list[str]]:
    """The body cells of the table whose caption starts with `caption`."""
    found = re.search(rf"<caption[^>]*>{re.escape(caption)}.*?</caption>(.*?)</table>", html, re.S)
    assert found is not None, caption
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in rows if "<td" in r]  # fmt: skip


class TestDashboards:
    """Each dashboard as a supervisor sees it."""

    def test_every_dashboard_draws_its_chart_and_its_table(
        self, pages: Pages, referrals: list[int]
    ) -> None:
        """Every dashboard answers with an SVG chart (its accessible name) and a table."""
        pages.sign_in("supervisor")
        for board in DASHBOARDS:
            answer = pages.get(f"/app/dashboards/{board.slug}?{YEAR}")
            assert (board.slug, 200) == (board.slug, answer.status_code)
            assert answer.text.count('<svg class="chart" role="img"') == len(board.charts)
            assert answer.text.count("<table") >= len(board.charts)

    def test_first_contact_figures(self, pages: Pages, referrals: list[int]) -> None:
        """3 referred, 2 contacted within 48 hours (2 / 3 = 66.7 %), 1 late, listed."""
        pages.sign_in("supervisor")
        html = pages.get(f"/app/dashboards/first-contact?{YEAR}").text
        [row] = _cells(html, "Premier contact")
        expected = ["erasmus_vet_long", "3", "2", "66,7"]
        assert expected == [row[0], row[1], row[2], row[3][:4]]
        assert row[-1] == "1"
        late = _cells(html, "Premiers contacts en retard")
        assert [str(referrals[2])] == [r[0] for r in late]

    def test_an_advisor_sees_only_their_missions_locales(
        self, pages: Pages, referrals: list[int]
    ) -> None:
        """Mission locale B's advisor finds none of mission locale A's referrals."""
        pages.sign_in("advisor_b")
        html = pages.get(f"/app/dashboards/first-contact?{YEAR}").text
        expected: list[list[str]] = []
        assert expected == [r for r in _cells(html, "Premier contact") if len(r) > 1]

    def test_a_bad_filter_or_dashboard(self, pages: Pages) -> None:
        """A period that ends before it starts is said on the page (422); an unknown dashboard
        is a 404 page."""
        pages.sign_in("supervisor")
        bad = pages.get("/app/dashboards/funnel?from=2026-12-31&to=2026-01-01")
        assert bad.status_code == 422
        assert 'role="alert"' in bad.text
        expected = 404
        assert expected == pages.get("/app/dashboards/nowhere").status_code


class TestDownloads:
    """A dashboard's table as files."""

    def test_xlsx_and_csv(self, pages: Pages, referrals: list[int]) -> None:
        """XLSX with the French headings and the figures; CSV with BOM and `;` (small counts
        masked: the file may leave Ipm)."""
        pages.sign_in("supervisor")
        xlsx = pages.get(f"/app/dashboards/first-contact/first_contact/xlsx?{YEAR}")
        assert xlsx.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        expected = ("Programme", "Orientés", 1)
        assert expected == (header[0], header[1], len(rows))
        csv = pages.get(f"/app/dashboards/first-contact/first_contact/csv?{YEAR}").content
        assert csv.startswith(b"\xef\xbb\xbfProgramme;")


class TestTargetsAndPopulations:
    """Supervisors set targets; admins load reference populations."""

    def test_a_supervisor_sets_a_target_shown_against_the_actual_figure(
        self, pages: Pages, referrals: list[int]
    ) -> None:
        """A target of 10 referrals for the Région in 2026, against the 3 referred."""
        pages.sign_in("supervisor")
        form = pages.get("/app/targets?year=2026").text
        answer = pages.post(
            "/app/targets",
            data={"_csrf": csrf_of(form), "year": "2026", "funder": "Région",
                  "indicator": "referred", "value": "10"},
        )  # fmt: skip
        assert answer.status_code in (200, 201)
        [line] = _cells(answer.text, "Objectifs et réalisé")
        expected = ["orientés", "Région", "2026", "10", "3"]
        assert expected == line[:5]

    def test_an_admin_may_not_set_targets_but_loads_populations(self, pages: Pages) -> None:
        """The admin's populations file replaces mission locale A's 2026 figure."""
        token = pages.sign_in("admin")
        refused = pages.post(
            "/app/targets",
            data={"_csrf": token, "year": "2026", "funder": "Région", "indicator": "referred",
                  "value": "10"},
        )  # fmt: skip
        assert refused.status_code == 403
        page = pages.get("/app/dashboards").text
        csv = b"mission_locale_id;year;population\r\nml-a;2026;1500\r\n"
        answer = pages.post(
            "/app/populations",
            data={"_csrf": csrf_of(page)},
            files={"file": ("populations.csv", csv, "text/csv")},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].endswith("/app/dashboards?loaded=1")


class TestBeneficiaryModuleDownload:
    """The Module's file from the dashboards page, for those with the need to know."""

    def test_an_advisor_downloads_it_an_admin_may_not(self, pages: Pages) -> None:
        """The form is on the dashboards page; the XLSX holds the Module's header (no mobility
        departed yet); an admin has no need to know the flag: 403."""
        pages.sign_in("advisor_a")
        assert 'action="/app/beneficiary-module"' in pages.get("/app/dashboards").text
        answer = pages.get("/app/beneficiary-module?grant=2026-1-FR01-KA121-VET-000001")
        assert answer.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
        assert sheet is not None
        [header] = [list(r) for r in sheet.iter_rows(values_only=True)]
        expected = list(COLUMNS)
        assert expected == header
        pages.cookies.clear()
        pages.sign_in("admin")
        assert pages.get("/app/beneficiary-module?grant=X").status_code == 403


class TestSnapshots:
    """Dashboards opened without filters answer from the worker's snapshots (issue 16)."""

    def _refresh(self, container: Container) -> None:
        """Run the worker's dashboards job once, as APScheduler would."""
        worker = worker_for(container)
        expected = container.settings.dashboard_refresh_minutes
        assert expected == worker.periodic["dashboards"].minutes
        asyncio.run(worker.run_periodic("dashboards"))

    def test_the_page_shows_the_snapshot_and_its_freshness(
        self, pages: Pages, api: ApiJourney, container: Container, clock: ManualClock,
        referrals: list[int],
    ) -> None:  # fmt: skip
        """Snapshot at 10:00 in Paris (9:00 UTC, 8 January) of the 3 referrals, 2 contacted in
        48 hours; a fourth referral five minutes later is not in it (the funnel's orientation
        phase still counts 3), but is in any filtered view and in a fresh computation (4)."""
        self._refresh(container)
        clock.advance(timedelta(minutes=5))
        api.open_case()
        pages.sign_in("supervisor")
        html = pages.get("/app/dashboards/first-contact").text
        assert "Chiffres à 10:00 (recalculés toutes les 15 minutes)." in html
        [row] = _cells(html, "Premier contact")
        expected = ["erasmus_vet_long", "3", "2", "66,7"]
        assert expected == [row[0], row[1], row[2], row[3][:4]]
        late = _cells(html, "Premiers contacts en retard")
        assert [str(referrals[2])] == [r[0] for r in late]
        funnel = _cells(pages.get("/app/dashboards/funnel").text, "Entonnoir")
        # The orientation phase counts the 3 referrals; the contact is in the same phase, the
        # five later phases have none.
        expected_counts = ["0", "0", "0", "0", "0", "3"]
        assert expected_counts == sorted(r[2] for r in funnel)
        for live in (f"/app/dashboards/funnel?{YEAR}", "/app/dashboards/funnel?fresh=1"):
            html = pages.get(live).text
            assert "Chiffres à" not in html
            expected_counts = ["0", "0", "0", "0", "0", "4"]
            assert expected_counts == sorted(r[2] for r in _cells(html, "Entonnoir"))

    def test_an_old_snapshot_is_not_shown(
        self, pages: Pages, container: Container, clock: ManualClock, referrals: list[int]
    ) -> None:
        """Two refresh periods later (the worker stopped), the figures are computed live."""
        self._refresh(container)
        clock.advance(timedelta(minutes=31))
        pages.sign_in("supervisor")
        html = pages.get("/app/dashboards/first-contact").text
        assert "Chiffres à" not in html
        [row] = _cells(html, "Premier contact")
        expected = ["erasmus_vet_long", "3"]
        assert expected == row[:2]

    def test_an_advisor_sees_the_snapshot_of_their_own_scope(
        self, pages: Pages, container: Container, referrals: list[int]
    ) -> None:
        """Mission locale B's advisor gets B's snapshot (none of A's referrals), A's advisor
        gets A's (the 3 referrals)."""
        self._refresh(container)
        pages.sign_in("advisor_b")
        html = pages.get("/app/dashboards/first-contact").text
        assert "Chiffres à 10:00" in html
        expected: list[list[str]] = []
        assert expected == [r for r in _cells(html, "Premier contact") if len(r) > 1]
        pages.sign_in("advisor_a")
        html = pages.get("/app/dashboards/first-contact").text
        assert "Chiffres à 10:00" in html
        [row] = _cells(html, "Premier contact")
        expected_a = ["erasmus_vet_long", "3", "2"]
        assert expected_a == row[:3]

    def test_the_job_waits_for_the_lock(
        self, pages: Pages, container: Container, referrals: list[int]
    ) -> None:
        """While another worker holds the lock, nothing is written: the page computes live."""
        with container.cluster_lock("dashboards") as held:
            assert held
            self._refresh(container)
        pages.sign_in("supervisor")
        assert "Chiffres à" not in pages.get("/app/dashboards/first-contact").text

    def test_the_api_answers_from_the_snapshot_and_says_when(
        self, api: ApiJourney, container: Container, clock: ManualClock, referrals: list[int]
    ) -> None:
        """GET /api/v1/reports/funnel without filters: the snapshot's 3 referrals and its time
        (9:00 UTC); fresh=true, or a period, computes live: 4 referrals, no time."""
        self._refresh(container)
        clock.advance(timedelta(minutes=5))
        api.open_case()
        body = api.ok("GET", "/api/v1/reports/funnel", "supervisor")
        expected = ("2026-01-08T09:00:00Z", 3)
        assert expected == (body["as_of"], max(r["cases"] for r in body["rows"]))
        for params in ({"fresh": "true"}, {"from": "2026-01-01", "to": "2026-12-31"}):
            body = api.ok("GET", "/api/v1/reports/funnel", "supervisor", params=params)
            expected_live = (None, 4)
            assert expected_live == (body["as_of"], max(r["cases"] for r in body["rows"]))


@pytest.fixture
def late_five(api: ApiJourney, clock: ManualClock, container: Container) -> list[int]:
    """Six referrals of mission locale A on 5 January 2026, the first contacted at once, the
    five others never; three days pass; the pages show 3 rows of a table (not 200), and the
    worker's dashboards job has run (snapshots at 9:00 UTC, 8 January)."""
    cases = [api.open_case()["id"] for _ in range(6)]
    api.fire(cases[0], "log_first_contact", {"first_contact_date": "2026-01-05"})
    clock.advance(timedelta(days=3))
    container.reports.page_rows = 3
    TestSnapshots()._refresh(container)
    return cases[1:]


class TestLongLists:
    """A list of cases longer than a page (issue 16): the snapshot keeps its first rows and
    their count; the page shows them and says how many there are; files and the API have all."""

    def test_the_snapshot_keeps_the_first_rows_and_the_count(
        self, container: Container, late_five: list[int]
    ) -> None:
        """5 late cases, 3 kept (the oldest referrals first: opened in this order), total 5; the
        first contacts' counts (one row) are kept whole."""
        store = container.reports.snapshots
        assert store is not None
        late = store.snapshot("first_contact_late", "all", "*")
        assert late is not None
        expected = ([str(c) for c in late_five[:3]], 5, False)
        assert expected == ([r[0] for r in late.rows], late.total, late.whole)
        counts = store.snapshot("first_contact", "all", "*")
        assert counts is not None
        expected_counts = (1, 1, True, [6, 1])  # one programme: 6 referred, 1 within 48 hours
        assert expected_counts == (
            len(counts.rows),
            counts.total,
            counts.whole,
            counts.rows[0][1:3],
        )

    def test_the_page_shows_the_first_rows_and_the_total(
        self, pages: Pages, late_five: list[int]
    ) -> None:
        """From the snapshot, and computed live (fresh=1) alike: 3 rows, "3 of 5", and links to
        the files (every row)."""
        pages.sign_in("supervisor")
        for url, ahead in (("/app/dashboards/first-contact", True),
                           ("/app/dashboards/first-contact?fresh=1", False)):  # fmt: skip
            html = pages.get(url).text
            assert (url, ahead) == (url, "Chiffres à 10:00" in html)
            late = _cells(html, "Premiers contacts en retard")
            expected = [str(c) for c in late_five[:3]]
            assert expected == [r[0] for r in late]
            assert "3 lignes affichées sur 5." in html
            assert "Toutes les lignes :" in html
            assert 'href="/app/dashboards/first-contact/first_contact_late/csv' in html
            [counts] = _cells(html, "Premier contact")
            expected_counts = ["erasmus_vet_long", "6", "1"]
            assert expected_counts == counts[:3]

    def test_the_downloads_have_every_row(self, pages: Pages, late_five: list[int]) -> None:
        """The CSV and the XLSX of the late list: a header and the 5 late cases, oldest first
        (computed live: the snapshot holds 3)."""
        pages.sign_in("supervisor")
        csv = pages.get("/app/dashboards/first-contact/first_contact_late/csv").content
        lines = csv.decode("utf-8-sig").strip().splitlines()
        expected = [str(c) for c in late_five]
        assert expected == [line.split(";")[0] for line in lines[1:]]
        xlsx = pages.get("/app/dashboards/first-contact/first_contact_late/xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        expected_lines = 6  # the header and the 5 late cases
        assert expected_lines == len(list(sheet.iter_rows(values_only=True)))

    def test_the_api_answers_every_row_unless_limited(
        self, api: ApiJourney, late_five: list[int]
    ) -> None:
        """Without a limit: the 5 rows, computed live (no as_of); limit=3: the snapshot's 3
        rows, total 5, truncated; limit=4 is more than the snapshot holds: computed live, 4 of
        5; a limit on a file is refused (a file holds every row)."""
        url = "/api/v1/reports/first_contact_late"
        whole = api.ok("GET", url, "supervisor")
        expected = ([str(c) for c in late_five], 5, False, None)
        assert expected == (
            [r["case_id"] for r in whole["rows"]], whole["total_rows"], whole["truncated"],
            whole["as_of"],
        )  # fmt: skip
        for limit, as_of in ((3, "2026-01-08T09:00:00Z"), (4, None)):
            body = api.ok("GET", url, "supervisor", params={"limit": str(limit)})
            expected = ([str(c) for c in late_five[:limit]], 5, True, as_of)
            assert expected == (
                [r["case_id"] for r in body["rows"]], body["total_rows"], body["truncated"],
                body["as_of"],
            )  # fmt: skip
        refused = api.call("GET", url, "supervisor", params={"limit": "3", "format": "csv"})
        expected_status = 422
        assert expected_status == refused.status_code

    def test_a_snapshot_stored_whole_before_still_reads(
        self, pages: Pages, api: ApiJourney, container: Container, late_five: list[int]
    ) -> None:
        """A snapshot written before the count was kept ({"rows": [...]} holding all 5): the
        page shows 3 of 5 from it, the API's whole answer comes from it too."""
        from ipm_workflow.adapters.db.report_store import snapshots_t  # noqa: PLC0415

        store = container.reports.snapshots
        assert store is not None
        every = api.ok("GET", "/api/v1/reports/first_contact_late", "supervisor")["rows"]
        with store.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(
                snapshots_t.update()
                .where(snapshots_t.c.report == "first_contact_late")
                .values(rows={"rows": [list(r.values()) for r in every]})
            )
        old = store.snapshot("first_contact_late", "all", "*")
        assert old is not None
        expected_old = (5, None, True)
        assert expected_old == (len(old.rows), old.total, old.whole)
        pages.sign_in("supervisor")
        html = pages.get("/app/dashboards/first-contact").text
        assert "Chiffres à 10:00" in html
        assert "3 lignes affichées sur 5." in html
        body = api.ok("GET", "/api/v1/reports/first_contact_late", "supervisor")
        expected = ("2026-01-08T09:00:00Z", 5, False)
        assert expected == (body["as_of"], len(body["rows"]), body["truncated"])
