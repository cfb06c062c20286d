"""Programme eligibility: age bounds with extensions, once in a lifetime, stay length."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ipm_workflow.domain.eligibility import (
    OPENING,
    PastCase,
    PersonFacts,
    ProgrammeRules,
    Situation,
    check_case,
    refusals,
)

TODAY = date(2026, 1, 5)
SERVICE_CIVIQUE = ProgrammeRules.model_validate(
    {
        "programme": "service_civique",
        "source": "S27",
        "checked_on": [OPENING, "confirm"],
        "applies_when": {"field": "external_programme", "value": "service_civique"},
        "age": [
            {
                "rule": "age_at_start",
                "at": "planned_start",
                "min": 16,
                "max": 25,
                "extensions": [{"when": "recognised_disability", "max": 30}],
            }
        ],
        "stay": {"min": "P6M", "max": "P12M"},
    }
)
VIE = ProgrammeRules.model_validate(
    {
        "programme": "vie",
        "source": "S26",
        "age": [{"rule": "age_at_start", "at": "planned_start", "min": 18, "max": 28}],
        "once_in_a_lifetime": {"done_in": ["FOLLOW_UP", "CLOSED"]},
    }
)
SC_DATA = {
    "external_programme": "service_civique",
    "planned_start": "2026-09-01",
    "planned_end": "2027-05-31",
}


def rules_of(found: list[object]) -> list[tuple[str, object, object]]:
    """Return (rule, value, bound) of each refusal."""
    return [(u.detail["rule"], u.detail["value"], u.detail["bound"]) for u in found]  # type: ignore[attr-defined]


class TestAgeBounds:
    """Age on the date that matters, within bounds a recognised disability may raise."""

    def test_above_the_bound_is_refused_with_the_rule_named(self) -> None:
        """27 on the planned start of a service civique: the rule, the age and 25 are named."""
        person = PersonFacts(date(1999, 6, 1))
        found = refusals(SERVICE_CIVIQUE, "external_referral", Situation(person, SC_DATA, TODAY))
        expected = [("age_at_start", 27, 25)]
        assert expected == rules_of(found)
        assert found[0].message.startswith("service_civique: age_at_start: age on planned_start")

    def test_recognised_disability_extends_the_upper_bound(self) -> None:
        """The same young person with a recognised disability (RQTH) is within 30."""
        person = PersonFacts(date(1999, 6, 1), recognised_disability=True)
        found = refusals(SERVICE_CIVIQUE, "external_referral", Situation(person, SC_DATA, TODAY))
        assert found == []

    def test_the_extension_has_its_own_bound(self) -> None:
        """Past 30, RQTH or not, the extended bound refuses and says it was extended."""
        person = PersonFacts(date(1994, 6, 1), recognised_disability=True)
        [found] = refusals(SERVICE_CIVIQUE, "external_referral", Situation(person, SC_DATA, TODAY))
        expected = (32, 30, "recognised_disability")
        assert expected == (
            found.detail["value"],
            found.detail["bound"],
            found.detail["extended_by"],
        )

    def test_opening_waits_for_the_lower_bound(self) -> None:
        """A 15-year-old may be referred (judged later); a 31-year-old is refused at once."""
        data = {"external_programme": "service_civique"}
        young = Situation(PersonFacts(date(2010, 9, 1)), data, TODAY)
        old = Situation(PersonFacts(date(1994, 9, 1)), data, TODAY)
        expected = ([], [("age_at_start", 31, 25)])
        actual = (
            check_case([SERVICE_CIVIQUE], "external_referral", OPENING, young),
            rules_of(check_case([SERVICE_CIVIQUE], "external_referral", OPENING, old)),
        )
        assert expected == actual

    def test_other_programmes_of_the_file_are_not_judged(self) -> None:
        """Rules of the service civique do not apply to a VIE referral."""
        data = {**SC_DATA, "external_programme": "vie"}
        at = Situation(PersonFacts(date(1990, 1, 1)), data, TODAY)
        assert check_case([SERVICE_CIVIQUE], "external_referral", "confirm", at) == []

    @given(st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 1, 1)))
    def test_the_extension_never_refuses_more(self, born: date) -> None:
        """Whatever the birth date, RQTH never adds a refusal."""
        plain = Situation(PersonFacts(born), SC_DATA, TODAY)
        extended = Situation(PersonFacts(born, recognised_disability=True), SC_DATA, TODAY)
        assert len(refusals(SERVICE_CIVIQUE, "w", extended)) <= len(
            refusals(SERVICE_CIVIQUE, "w", plain)
        )


class TestOnceAndStay:
    """Once-in-a-lifetime programmes and bounds on the stay's length."""

    def test_a_programme_done_once_is_refused(self) -> None:
        """A VIE followed to FOLLOW_UP before refuses the next, naming the case."""
        past = (PastCase(7, "external_referral", "FOLLOW_UP", {}),)
        at = Situation(PersonFacts(date(2000, 1, 1)), {}, TODAY, past)
        expected = [("once_in_a_lifetime", 7, 1)]
        assert expected == rules_of(refusals(VIE, "external_referral", at))

    def test_a_withdrawn_one_does_not_count(self) -> None:
        """A VIE referral withdrawn before the placement is no VIE done."""
        past = (PastCase(7, "external_referral", "WITHDRAWN", {}),)
        at = Situation(PersonFacts(date(2000, 1, 1)), {}, TODAY, past)
        assert refusals(VIE, "external_referral", at) == []

    def test_stay_bounds(self) -> None:
        """Five months is too short for a service civique, thirteen too long."""
        person = PersonFacts(date(2004, 1, 1))
        short = {**SC_DATA, "planned_end": "2027-01-31"}
        long = {**SC_DATA, "planned_end": "2027-10-01"}
        expected = [[("stay_min", 152, "P6M")], [("stay_max", 395, "P12M")]]
        actual = [
            rules_of(refusals(SERVICE_CIVIQUE, "w", Situation(person, data, TODAY)))
            for data in (short, long)
        ]
        assert expected == actual


class TestUnknownBirthDate:
    """A referral may come before the birth date is known: judged after opening, not at it."""

    def test_waits_at_opening_and_refuses_at_the_next_check(self) -> None:
        """Opening passes; the operator's confirmation names the rule and the missing date."""
        unknown = Situation(PersonFacts(None), SC_DATA, TODAY)
        assert check_case([SERVICE_CIVIQUE], "external_referral", OPENING, unknown) == []
        refused = check_case([SERVICE_CIVIQUE], "external_referral", "confirm", unknown)
        assert rules_of(refused) == [("age_at_start", None, None)]
        assert "the birth date is not recorded" in refused[0].message
