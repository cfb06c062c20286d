"""Money in cents: the grant recomputed for the days done, and amounts as people read them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ipm_workflow.domain.aftercare_rules import Money
from ipm_workflow.domain.durations import parse_duration
from ipm_workflow.domain.money import format_cents, propose, recompute
from ipm_workflow.domain.values import cents

CENTS = st.integers(min_value=0, max_value=10**8)
MONEY = Money(balance_due_after_report=parse_duration("P45D"))


class TestRecompute:
    """Pro rata of the days done, never more than agreed, exact in cents."""

    @given(agreed=CENTS, planned=st.integers(1, 400), done=st.integers(1, 400))
    def test_pro_rata_is_bounded_and_grows_with_the_days(
        self, agreed: int, planned: int, done: int
    ) -> None:
        """0 ≤ grant ≤ agreed; one more day never lowers it; all days give the whole grant."""
        grant = recompute("pro_rata_days", agreed, done, planned)
        assert 0 <= grant <= agreed
        assert grant <= recompute("pro_rata_days", agreed, done + 1, planned)
        assert agreed == recompute("pro_rata_days", agreed, planned, planned)

    @given(agreed=CENTS, prefinanced=CENTS, done=st.integers(1, 91))
    def test_balance_and_recovery_settle_the_difference(
        self, agreed: int, prefinanced: int, done: int
    ) -> None:
        """What was paid, plus the balance, minus the recovery, is the proposed grant."""
        data = {
            "grant_agreed": agreed,
            "prefinancing_amount": prefinanced,
            "prefinancing_paid": True,
            "planned_start": "2027-03-01",
            "planned_end": "2027-05-30",
            "actual_start": "2027-03-01",
            "actual_end": f"2027-03-{min(done, 31):02d}" if done <= 31 else "2027-04-30",
        }
        p = propose(MONEY, data)
        assert p is not None
        assert p.proposed == p.prefinanced + p.balance - p.recovery
        assert 0 in (p.balance, p.recovery)


class TestCents:
    """Amounts are integers in, formatted text out."""

    def test_formatting_per_language(self) -> None:
        """French groups with a narrow no-break space and a comma; English with commas."""
        expected = ["0,05\xa0€", "1\u202f234\u202f567,89\xa0€", "-12,00\xa0€", "€1,234,567.89"]
        actual = [
            format_cents(5, "fr"),
            format_cents(123_456_789, "fr"),
            format_cents(-1_200, "fr"),
            format_cents(123_456_789, "en"),
        ]
        assert expected == actual

    def test_a_float_is_no_amount(self) -> None:
        """12.5 or True are refused; "1250" and 1250 are 1250 cents."""
        refused = []
        for raw in (12.5, True, "12,50", "1e3"):
            try:
                cents(raw)
            except ValueError:
                refused.append(raw)
        assert refused == [12.5, True, "12,50", "1e3"]
        assert (cents("1250"), cents(1250)) == (1250, 1250)
