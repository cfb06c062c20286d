"""Issue 14: every indicator on a dataset built through the service layer, both counting rules.

The story is in reports_dataset.py; each expected figure below is worked out by hand from it,
with the reasoning next to it. Reports run on Sun 1 Nov 2026 over the year 2026.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from integration.reports_dataset import WF, Dataset, build
from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import Forbidden, InvalidInput
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import Actor
from ipm_workflow.domain.reports import Counting, ReportFilters, ReportTable
from ipm_workflow.entrypoints.web.dashboards import DASHBOARDS
from ipm_workflow.services.report_ports import Population, ReportRequest, Target, WorkflowFacts

YEAR = ReportFilters(start=date(2026, 1, 1), end=date(2026, 12, 31))
PEOPLE, STARTS = Counting.PEOPLE, Counting.STARTS


@pytest.fixture
def supervisor(directory: dict[str, User]) -> Actor:
    """Ipm's supervisor."""
    return Actor.of(directory["supervisor"])


@pytest.fixture
def dataset(container: Container, clock: ManualClock, directory: dict[str, User]) -> Dataset:
    """The five cases of 2026."""
    return build(container, clock, directory)


def rows(
    container: Container,
    actor: Actor,
    name: str,
    counting: Counting,
    filters: ReportFilters = YEAR,
) -> list[tuple[Any, ...]]:
    """A report's rows."""
    return container.reports.run(name, filters, counting, actor=actor).rows


class TestDashboards:
    """The supervision figures, each person once and every start."""

    def test_funnel(self, container: Container, supervisor: Actor, dataset: Dataset) -> None:
        """Orientation: 5 referrals of 4 young people (Alix twice); c1 and c3 went through
        preparation (c3's postponement and resumption stay inside it), departure, abroad and
        return; only c1 reached the follow-up."""
        phases = ["orientation", "preparation", "departure", "abroad", "return", "follow_up"]
        expected = {
            PEOPLE: [(WF, p, n) for p, n in zip(phases, [4, 2, 2, 2, 2, 1], strict=True)],
            STARTS: [(WF, p, n) for p, n in zip(phases, [5, 2, 2, 2, 2, 1], strict=True)],
        }
        assert expected == {c: rows(container, supervisor, "funnel", c) for c in (PEOPLE, STARTS)}

    def test_first_contact(self, container: Container, supervisor: Actor, dataset: Dataset) -> None:
        """Within 48 h: c1 (24 h) and c5 (24 h); within 2 business days also c3 (Friday →
        Monday, before Tuesday's end); late: c3 (67 h), c4 (never), c2 (72 h, after Wednesday).
        People: Alix counts as contacted in time (her c1), so 4 people, 2 within 48 h, 3 within
        2 business days, 2 late (Bastien, Chloé)."""
        expected = {
            STARTS: [(WF, 5, 2, 2 / 5, 3, 3 / 5, 3)],
            PEOPLE: [(WF, 4, 2, 2 / 4, 3, 3 / 4, 2)],
        }
        actual = {c: rows(container, supervisor, "first_contact", c) for c in (STARTS, PEOPLE)}
        assert expected == actual

    def test_late_first_contacts_are_listed(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """One row per late case, oldest referral first; c4 waits since 2 Feb (272 days)."""
        d = dataset
        expected = [
            (str(d.c3), WF, "ml-b", "Advisor B", date(2026, 1, 9), date(2026, 1, 12), 2.8),
            (str(d.c4), WF, "ml-b", "Advisor B", date(2026, 2, 2), None, 272.0),
            (str(d.c2), WF, "ml-a", "Advisor A", date(2026, 6, 1), date(2026, 6, 4), 3.0),
        ]
        assert expected == rows(container, supervisor, "first_contact_late", STARTS)

    def test_time_to_departure(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """c1: 5 Jan 09:00 → 2 Mar 08:00 = 55.96 days; c3: 9 Jan 15:00 → 6 Apr 08:00 = 86.71
        days, its postponement included. Median (rank ⌈2/2⌉ = 1) 56.0, 90th percentile
        (rank ⌈1.8⌉ = 2) 86.7; two different people, so the same either way."""
        expected = [(WF, 2, 56.0, 86.7)]
        actual = [rows(container, supervisor, "time_to_departure", c) for c in (PEOPLE, STARTS)]
        assert [expected, expected] == actual

    def test_dropout_and_early_returns(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """c2 withdrew (family) from CONTACTED (orientation); c3 came back early (personal)."""
        expected = (
            [(WF, "orientation", "WITHDRAWN", "family", 1)],
            [(WF, "personal", 1)],
        )
        for counting in (PEOPLE, STARTS):
            actual = (
                rows(container, supervisor, "dropout", counting),
                rows(container, supervisor, "early_returns", counting),
            )
            assert expected == actual

    def test_outcomes_at_six_months(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Back between 1 Jul 2025 and 30 Jun 2026: c1 (30 Apr, CDI from the young person:
        durable and positive) and c3 (4 May, nothing recorded: unknown)."""
        expected = [
            (WF, "all", 2, 1, 0.5, 1, 0.5, 1, 0.5),
            (WF, "-", 1, 0, 0.0, 0, 0.0, 1, 1.0),
            (WF, "young_person", 1, 1, 1.0, 1, 1.0, 0, 0.0),
        ]
        actual = [rows(container, supervisor, "outcomes_6m", c) for c in (PEOPLE, STARTS)]
        assert [expected, expected] == actual

    def test_outcomes_need_six_months(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Over January to October 2026 only returns before 1 May 2026 count: c1 (30 April), not
        c3 (4 May)."""
        until_october = ReportFilters(start=date(2026, 1, 1), end=date(2026, 10, 31))
        expected = [
            (WF, "all", 1, 1, 1.0, 1, 1.0, 0, 0.0),
            (WF, "young_person", 1, 1, 1.0, 1, 1.0, 0, 0.0),
        ]
        assert expected == rows(container, supervisor, "outcomes_6m", STARTS, until_october)

    def test_caseload_and_overdue(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Open today: c1 (Advisor A), c3 and c4 (Advisor B), c5 (nobody). Only c4 is past its
        48-hour limit; c5's identity document expired on 30 Jun."""
        expected = (
            [("(unassigned)", 1, 0), ("Advisor A", 1, 0), ("Advisor B", 2, 1)],
            [(WF, "REFERRED", 1)],
            [(WF, "identity", "expired or refused", 1)],
        )
        actual = tuple(
            rows(container, supervisor, name, STARTS)
            for name in ("caseload", "overdue_cases", "overdue_documents")
        )
        assert expected == actual

    def test_territory_equity(
        self, container: Container, supervisor: Actor, dataset: Dataset, directory: Any
    ) -> None:
        """One departure each (c3 counts for ML B, where it moved); 1 per 2,000 young people
        is 0.5 per 1,000, 1 per 500 is 2.0."""
        admin = Actor("user:admin", "admin")
        container.reports.load_populations(
            [Population("ml-a", 2026, 2000), Population("ml-b", 2026, 500)], admin
        )
        expected = [("ml-a", 1, 2000, 0.5), ("ml-b", 1, 500, 2.0)]
        assert expected == rows(container, supervisor, "territory_equity", STARTS)


class TestAttributionAndFilters:
    """The referring or current mission locale, the profile filters, advisors' reach."""

    def test_referring_or_current_mission_locale(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """ML A referred c1, c2, c3, c5 (4); it follows c1, c2, c5 now (3): c3 moved to B."""
        referring = ReportFilters(YEAR.start, YEAR.end, mission_locales=("ml-a",),
                                  attribution="referring")  # fmt: skip
        current = ReportFilters(YEAR.start, YEAR.end, mission_locales=("ml-a",))
        expected = (4, 3)
        actual = tuple(
            rows(container, supervisor, "funnel", STARTS, f)[0][2] for f in (referring, current)
        )
        assert expected == actual

    def test_an_advisor_sees_only_their_mission_locale(
        self, container: Container, dataset: Dataset, directory: Any
    ) -> None:
        """Advisor B follows c3 and c4: 2 referred, whatever mission locale they ask for."""
        advisor_b = Actor.of(directory["advisor_b"])
        asking_for_a = ReportFilters(YEAR.start, YEAR.end, mission_locales=("ml-a",))
        expected = (2, 0)
        actual = (
            rows(container, advisor_b, "activity", STARTS)[0][2],
            rows(container, advisor_b, "activity", STARTS, asking_for_a)[0][2],
        )
        assert expected == actual

    def test_profile_filters(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Women: Alix's 2 cases and Dani's; under 18: Chloé; fewer opportunities: Alix's 2."""
        filters = {
            "women": ReportFilters(YEAR.start, YEAR.end, genders=("female",)),
            "minors": ReportFilters(YEAR.start, YEAR.end, age_bands=("under_18",)),
            "fewer": ReportFilters(YEAR.start, YEAR.end, fewer_opportunities=True),
            "rural": ReportFilters(YEAR.start, YEAR.end, rural="yes"),
            "dept 69": ReportFilters(YEAR.start, YEAR.end, departements=("69",)),
        }
        expected = {"women": 3, "minors": 1, "fewer": 2, "rural": 1, "dept 69": 2}
        actual = {
            k: rows(container, supervisor, "activity", STARTS, f)[0][2] for k, f in filters.items()
        }
        assert expected == actual

    def test_lists_refuse_the_fewer_opportunity_filter(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """The flag never shows next to a person: a list cannot be narrowed by it."""
        flagged = ReportFilters(YEAR.start, YEAR.end, fewer_opportunities=True)
        with pytest.raises(InvalidInput):
            rows(container, supervisor, "first_contact_late", STARTS, flagged)


class TestFunderReports:
    """The State/Région activity report and the ESF indicators, against targets."""

    def test_activity_report(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Starts: 5 referred, 3 assessed (c1, c3, c5), 2 departed, 2 returned, 2 with fewer
        opportunities (Alix's two). People: 4, 3, 2, 2 and Alix once. By mission locale the
        referral counts for the referring one (c3: A), the rest for the current one (c3: B)."""
        # Per breakdown: (counted in starts, counted in people), each (referred, assessed,
        # departed, returned, with fewer opportunities, their share).
        by_breakdown = {
            ("total", "all"): ((5, 3, 2, 2, 2, 2 / 5), (4, 3, 2, 2, 1, 1 / 4)),
            ("mission_locale", "ml-a"): ((4, 2, 1, 1, 2, 2 / 4), (3, 2, 1, 1, 1, 1 / 3)),
            ("mission_locale", "ml-b"): ((1, 1, 1, 1, 0, 0.0), (1, 1, 1, 1, 0, 0.0)),
            ("gender", "female"): ((3, 2, 1, 1, 2, 2 / 3), (2, 2, 1, 1, 1, 1 / 2)),
            ("gender", "male"): ((1, 1, 1, 1, 0, 0.0), (1, 1, 1, 1, 0, 0.0)),
            ("gender", "not_declared"): ((1, 0, 0, 0, 0, 0.0), (1, 0, 0, 0, 0, 0.0)),
            ("age_band", "18_25"): ((4, 3, 2, 2, 2, 2 / 4), (3, 3, 2, 2, 1, 1 / 3)),
            ("age_band", "under_18"): ((1, 0, 0, 0, 0, 0.0), (1, 0, 0, 0, 0, 0.0)),
        }
        expected = {
            counting: {key: pair[side] for key, pair in by_breakdown.items()}
            for side, counting in enumerate((STARTS, PEOPLE))
        }
        actual = {}
        for counting, wanted in expected.items():
            found = {(r[0], r[1]): r[2:] for r in rows(container, supervisor, "activity", counting)}
            actual[counting] = {k: found[k] for k in wanted}
        assert expected == actual

    def test_activity_breakdowns(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Every breakdown the State and the Région ask for is there."""
        found = {r[0] for r in rows(container, supervisor, "activity", STARTS)}
        expected = {"total", "mission_locale", "departement", "qpv", "rural", "programme",
                    "gender", "age_band", "education_level"}  # fmt: skip
        assert expected == found

    def test_targets_against_actual_figures(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """The Région expects 10 departures in 2026: 2 done, 20 %."""
        container.reports.set_target(Target(2026, "Région", "departed", 10), supervisor)
        container.reports.set_target(Target(2026, "État", "departed", 4), supervisor)
        regional = ReportFilters(YEAR.start, YEAR.end, funder="Région")
        table = container.reports.run("activity", regional, STARTS, actor=supervisor)
        expected = [("departed", "Région", 2026, 10, 2, 0.2)]
        actual = [(t.indicator, t.funder, t.year, t.target, t.actual, t.achieved)
                  for t in table.targets]  # fmt: skip
        assert expected == actual

    def test_only_supervisors_set_targets(
        self, container: Container, directory: Any, dataset: Dataset
    ) -> None:
        """An advisor may read reports but not set what funders expect."""
        with pytest.raises(Forbidden):
            container.reports.set_target(
                Target(2026, "Région", "departed", 10), Actor.of(directory["advisor_a"])
            )

    def test_esf_indicators(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Participants once per operation: Alix, Bastien, Chloé, Dani. Women: Alix, Dani;
        unemployed: Alix (registered), Dani (not); inactive: Bastien; in education: Chloé;
        under 18: Chloé; ISCED 0-2: Bastien (none), Chloé (lower secondary); ISCED 3-4: Alix;
        ISCED 5-8: Dani; disability: Dani (RQTH); rural: Bastien; QPV and fewer opportunities:
        Alix. At 6 months: c1 and c3 back; Alix in a durable job, Bastien unknown."""
        expected = {
            "participants": 4, "women": 2, "men": 1, "non_binary": 1, "unemployed": 2,
            "inactive": 1, "in_education": 1, "employed": 0, "under_18": 1, "age_18_29": 3,
            "isced_0_2": 2, "isced_3_4": 1, "isced_5_8": 1, "disability": 1, "rural": 1,
            "qpv": 1, "fewer_opportunities": 1, "back_6m": 2, "employed_6m": 1,
            "durable_job_6m": 1, "education_6m": 0, "job_seeking_6m": 0, "unknown_6m": 1,
        }  # fmt: skip
        actual = {code: n for code, _, n in rows(container, supervisor, "esf", PEOPLE)}
        assert expected == actual

    def test_esf_every_start(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Counting every start instead: Alix's two cases count twice."""
        expected = {"participants": 5, "women": 3, "unemployed": 3, "fewer_opportunities": 2}
        found = {code: n for code, _, n in rows(container, supervisor, "esf", STARTS)}
        assert expected == {k: found[k] for k in expected}

    def test_exports_mask_small_counts(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """Leaving Ipm, counts of 1 to 4 are hidden, and the share of a row that has one."""
        table = container.reports.run(
            "activity", YEAR, STARTS, actor=supervisor, masked_export=True
        )
        expected = (True, ("total", "all", 5, None, None, None, None, None))
        assert expected == (table.masked, table.rows[0])


class TestSnapshots:
    """Issue 16: the dashboards' reports computed ahead give back what a live run gives."""

    def test_every_dashboard_report_reads_back_as_computed(
        self, container: Container, supervisor: Actor, dataset: Dataset, directory: dict[str, User]
    ) -> None:
        """Refreshed for every mission locale and for advisor A's scope, each dashboard report
        read from its snapshot equals the live run (dates, shares and days included), with the
        snapshot's time; the first contact's late cases carry their referral dates."""
        names = [name for board in DASHBOARDS for name, _column in board.charts]
        advisor = Actor.of(directory["advisor_a"])
        written = container.reports.refresh(names, [supervisor, advisor])
        expected_written = 2 * len(names)  # every mission locale, then mission locale A
        assert expected_written == written
        for actor in (supervisor, advisor):
            for name in names:
                live = container.reports.run(name, ReportFilters(), actor=actor)
                ahead = container.reports.run(name, ReportFilters(), actor=actor, precomputed=True)
                assert (name, live.rows) == (name, ahead.rows)
                assert (name, container.reports.clock.now()) == (name, ahead.as_of)
        late = rows(container, supervisor, "first_contact_late", STARTS, ReportFilters())
        assert any(isinstance(v, date) for row in late for v in row)

    def test_a_filtered_or_recounted_view_is_computed_live(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """A period or the other counting rule is never answered from a snapshot."""
        container.reports.refresh(["funnel"], [supervisor])
        other = PEOPLE if container.reports.definition("funnel").counting == STARTS else STARTS
        for filters, counting in ((YEAR, None), (ReportFilters(), other)):
            table = container.reports.run(
                "funnel", filters, counting, actor=supervisor, precomputed=True
            )
            assert table.as_of is None

    def test_a_list_longer_than_a_page_is_kept_shortened(
        self, container: Container, supervisor: Actor, dataset: Dataset
    ) -> None:
        """With pages of 2 rows: the late first contacts (c3, c4, c2, oldest referral first)
        are kept as c3 and c4 with a total of 3. Asking for the first 2 answers from the
        snapshot (2 rows, total_rows 3); asking for every row, or for 3, computes live (3
        rows, no as_of): nothing is dropped silently."""
        container.reports.page_rows = 2
        container.reports.refresh(["first_contact_late", "first_contact"], [supervisor])
        d, everything = dataset, ReportFilters()
        store = container.reports.snapshots
        assert store is not None
        kept = store.snapshot("first_contact_late", "all", "*")
        assert kept is not None
        expected_kept = ([str(d.c3), str(d.c4)], 3)
        assert expected_kept == ([r[0] for r in kept.rows], kept.total)

        def run(first: int | None) -> ReportTable:
            return container.reports.run(
                "first_contact_late", everything, actor=supervisor, precomputed=True, first=first
            )

        short = run(2)
        now = container.reports.clock.now()
        expected_short = ([str(d.c3), str(d.c4)], 3, True, now)
        assert expected_short == (
            [r[0] for r in short.rows],
            short.row_count,
            short.truncated,
            short.as_of,
        )
        for first in (None, 3):
            whole = run(first)
            expected_whole = ([str(d.c3), str(d.c4), str(d.c2)], 3, False, None)
            assert expected_whole == (
                [r[0] for r in whole.rows],
                whole.row_count,
                whole.truncated,
                whole.as_of,
            )
        counts = container.reports.run("first_contact", everything, actor=supervisor,
                                        precomputed=True)  # fmt: skip
        assert (now, 1) == (counts.as_of, len(counts.rows))  # one row per programme: whole

    def test_first_rows_cut_by_the_database_are_the_whole_list_s_head(
        self, container: Container, dataset: Dataset
    ) -> None:
        """The reader's first rows of the late list (cut and counted in SQL) and of a table
        of counts (cut after): for every limit, the whole run's first rows and its length.
        The late first contacts are c3, c4, c2 (oldest referral first)."""
        service = container.reports
        reader = service.reader

        def request(name: str) -> ReportRequest:
            counting = service.definition(name).counting
            facts = WorkflowFacts.of(service.registry)
            now = service.clock.now()
            return ReportRequest(name, ReportFilters(), counting, now, service.timezone, facts)

        d = dataset
        late = request("first_contact_late")
        heads = {n: reader.first_rows(late, n) for n in range(5)}
        expected = {n: ([str(d.c3), str(d.c4), str(d.c2)][:n], 3) for n in range(5)}
        assert expected == {n: ([r[0] for r in rows], total) for n, (rows, total) in heads.items()}
        assert reader.rows(late) == reader.first_rows(late, 3)[0]
        funnel = request("funnel")
        whole = reader.rows(funnel)
        assert (whole[:2], len(whole)) == reader.first_rows(funnel, 2)
