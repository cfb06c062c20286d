"""Guard kinds: when each holds, what it reports as missing, and when it does not apply."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

import pytest
from pydantic import TypeAdapter, ValidationError

from ipm_workflow.domain.cases import CaseFacts, Document
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guards import GUARD_KINDS, Guard, GuardBase, unmet_guards

TODAY = date(2025, 3, 10)
_GUARD = TypeAdapter(Guard)


def guard(**raw: Any) -> GuardBase:
    """Build a guard the way a workflow file declares it (through the `kind` discriminator)."""
    return _GUARD.validate_python(raw)


def facts(
    data: Mapping[str, Any] | None = None,
    documents: Mapping[str, Document] | None = None,
    birth_date: date | None = None,
    today: date = TODAY,
) -> CaseFacts:
    """Build what a guard sees of a case."""
    return CaseFacts("ANY", dict(data or {}), dict(documents or {}), birth_date, today)


def docs(*items: Document) -> dict[str, Document]:
    """Index documents by type, as a case stores them."""
    return {d.type: d for d in items}


class TestRegistry:
    def test_every_kind_is_registered(self) -> None:
        """The registry holds exactly the nine documented guard kinds."""
        expected = {
            "field_set",
            "field_equals",
            "field_in",
            "date_in_future",
            "date_days_away",
            "date_order",
            "age_between",
            "documents_present",
            "minor_has_guardian",
        }
        assert expected == set(GUARD_KINDS)

    def test_unknown_option_is_refused(self) -> None:
        """A misspelt option of a guard is an error, not a silently ignored key."""
        with pytest.raises(ValidationError, match="feild"):
            guard(kind="field_set", field="x", feild="y")

    def test_unknown_kind_is_refused(self) -> None:
        """A kind outside the registry does not validate."""
        with pytest.raises(ValidationError, match="field_sett"):
            guard(kind="field_sett", field="x")

    def test_field_refs_name_the_fields_read_and_their_types(self) -> None:
        """field_refs lists every field a guard reads with the type it needs, skipping 'today'."""
        g = guard(
            kind="documents_present",
            documents=["identity"],
            valid_through="planned_end",
            only_if_minor_at="planned_start",
        )
        expected = [
            ("valid_through", "planned_end", "date"),
            ("only_if_minor_at", "planned_start", "date"),
        ]
        assert expected == g.field_refs()
        assert not guard(kind="age_between", at="today", min=16).field_refs()
        assert not guard(kind="documents_present", documents=["identity"]).field_refs()
        expected = [("field", "note", None)]
        assert expected == guard(kind="field_set", field="note").field_refs()


class TestFieldSet:
    def test_met_when_the_field_has_a_value(self) -> None:
        """A field holding text satisfies the guard."""
        assert None is guard(kind="field_set", field="note").check(facts({"note": "hello"}))

    def test_false_and_zero_count_as_set(self) -> None:
        """A boolean false or a number zero is a value, not an absence."""
        g = guard(kind="field_set", field="flag")
        assert None is g.check(facts({"flag": False}))
        assert None is g.check(facts({"flag": 0}))

    def test_unmet_when_the_field_is_absent(self) -> None:
        """An absent field is reported with its name."""
        expected = Unmet("field_missing", "note is not set", {"field": "note"})
        assert expected == guard(kind="field_set", field="note").check(facts())

    @pytest.mark.parametrize("value", [None, ""])
    def test_unmet_when_the_field_is_empty(self, value: Any) -> None:
        """None or an empty string counts as not set."""
        unmet = guard(kind="field_set", field="note").check(facts({"note": value}))
        assert unmet is not None
        expected = "field_missing"
        assert expected == unmet.code

    def test_custom_message_replaces_the_wording_but_keeps_code_and_detail(self) -> None:
        """The declared message is shown, while code and detail still say what is missing."""
        g = guard(kind="field_set", field="note", message="write a note first")
        expected = Unmet("field_missing", "write a note first", {"field": "note"})
        assert expected == g.check(facts())


class TestFieldEquals:
    def test_met_when_the_field_equals_the_value(self) -> None:
        """The exact value satisfies the guard."""
        g = guard(kind="field_equals", field="cv_attached", value=True)
        assert None is g.check(facts({"cv_attached": True}))

    def test_unmet_names_expected_and_actual(self) -> None:
        """Another value is reported with what was expected and what the case holds."""
        g = guard(kind="field_equals", field="programme", value="erasmus_vet")
        unmet = g.check(facts({"programme": "erasmus_pro"}))
        expected = Unmet(
            "field_mismatch",
            "programme must be 'erasmus_vet' (is 'erasmus_pro')",
            {"field": "programme", "expected": "erasmus_vet", "actual": "erasmus_pro"},
        )
        assert expected == unmet

    def test_unmet_when_the_field_is_absent(self) -> None:
        """An absent field is reported with actual None."""
        unmet = guard(kind="field_equals", field="cv_attached", value=True).check(facts())
        assert unmet is not None
        expected = {"field": "cv_attached", "expected": True, "actual": None}
        assert expected == unmet.detail

    def test_false_does_not_equal_true(self) -> None:
        """A boolean field set to false fails a guard requiring true."""
        g = guard(kind="field_equals", field="travel_booked", value=True)
        unmet = g.check(facts({"travel_booked": False}))
        assert unmet is not None
        expected = "travel_booked must be True (is False)"
        assert expected == unmet.message


class TestFieldIn:
    def test_met_when_the_value_is_listed(self) -> None:
        """Any of the listed values satisfies the guard."""
        g = guard(kind="field_in", field="status", values=["requested", "submitted"])
        assert None is g.check(facts({"status": "submitted"}))
        assert None is g.check(facts({"status": "requested"}))

    def test_unmet_lists_the_allowed_values_and_actual(self) -> None:
        """A value outside the list is reported with the allowed values."""
        g = guard(kind="field_in", field="status", values=["requested", "submitted"])
        expected = Unmet(
            "field_mismatch",
            "status must be one of ['requested', 'submitted'] (is 'undelivered')",
            {"field": "status", "expected": ["requested", "submitted"], "actual": "undelivered"},
        )
        assert expected == g.check(facts({"status": "undelivered"}))

    def test_unmet_when_the_field_is_absent(self) -> None:
        """An absent field is never one of the values."""
        unmet = guard(kind="field_in", field="status", values=["requested"]).check(facts())
        assert unmet is not None
        assert None is unmet.detail["actual"]


class TestDateInFuture:
    def test_met_when_the_date_is_after_today(self) -> None:
        """Tomorrow is in the future."""
        g = guard(kind="date_in_future", field="planned_start")
        assert None is g.check(facts({"planned_start": "2025-03-11"}))

    def test_unmet_when_the_date_is_today(self) -> None:
        """Today is not strictly in the future; the detail gives both dates."""
        g = guard(kind="date_in_future", field="planned_start")
        expected = Unmet(
            "date_not_in_future",
            "planned_start (2025-03-10) must be after today (2025-03-10)",
            {"field": "planned_start", "value": "2025-03-10", "today": "2025-03-10"},
        )
        assert expected == g.check(facts({"planned_start": "2025-03-10"}))

    def test_unmet_when_the_date_is_past(self) -> None:
        """A past date is refused."""
        unmet = guard(kind="date_in_future", field="d").check(facts({"d": "2024-12-31"}))
        assert unmet is not None
        expected = "date_not_in_future"
        assert expected == unmet.code

    def test_unmet_when_the_date_is_missing(self) -> None:
        """A missing date is reported as not set."""
        expected = Unmet("field_missing", "d is not set", {"field": "d"})
        assert expected == guard(kind="date_in_future", field="d").check(facts())

    def test_today_is_the_case_facts_day_not_the_clock(self) -> None:
        """The guard compares with the day it is given, so a date long past can still qualify."""
        g = guard(kind="date_in_future", field="d")
        assert None is g.check(facts({"d": "2001-01-02"}, today=date(2001, 1, 1)))


class TestDateDaysAway:
    def test_met_when_exactly_n_days_away(self) -> None:
        """A date exactly min_days after today qualifies (inclusive)."""
        g = guard(kind="date_days_away", field="d", min_days=7)
        assert None is g.check(facts({"d": "2025-03-17"}))

    def test_unmet_one_day_short_gives_the_earliest_date(self) -> None:
        """A date one day too close is reported with the earliest acceptable date."""
        g = guard(kind="date_days_away", field="d", min_days=7)
        expected = Unmet(
            "date_too_close",
            "d (2025-03-16) must be at least 7 days away (on or after 2025-03-17)",
            {"field": "d", "value": "2025-03-16", "earliest": "2025-03-17"},
        )
        assert expected == g.check(facts({"d": "2025-03-16"}))

    def test_zero_days_accepts_today(self) -> None:
        """With min_days 0, today itself qualifies."""
        assert None is guard(kind="date_days_away", field="d", min_days=0).check(
            facts({"d": "2025-03-10"})
        )

    def test_unmet_when_the_date_is_missing(self) -> None:
        """A missing date is reported as not set."""
        unmet = guard(kind="date_days_away", field="d", min_days=1).check(facts())
        assert unmet is not None
        expected = ("field_missing", {"field": "d"})
        assert expected == (unmet.code, unmet.detail)

    def test_negative_days_are_refused(self) -> None:
        """min_days cannot be negative."""
        with pytest.raises(ValidationError):
            guard(kind="date_days_away", field="d", min_days=-1)


class TestDateOrder:
    def test_met_when_first_is_before_second(self) -> None:
        """An earlier first date qualifies."""
        g = guard(kind="date_order", first="a", second="b")
        assert None is g.check(facts({"a": "2025-01-01", "b": "2025-01-02"}))

    def test_equal_dates_qualify_unless_strict(self) -> None:
        """Equal dates pass by default and fail when strict."""
        same = facts({"a": "2025-01-01", "b": "2025-01-01"})
        assert None is guard(kind="date_order", first="a", second="b").check(same)
        expected = Unmet(
            "dates_out_of_order",
            "a (2025-01-01) must be before b (2025-01-01)",
            {"first": "2025-01-01", "second": "2025-01-01"},
        )
        assert expected == guard(kind="date_order", first="a", second="b", strict=True).check(same)

    def test_unmet_when_out_of_order(self) -> None:
        """A later first date is reported with both dates."""
        g = guard(kind="date_order", first="planned_end", second="grant_project_end")
        unmet = g.check(facts({"planned_end": "2025-09-01", "grant_project_end": "2025-08-31"}))
        expected = Unmet(
            "dates_out_of_order",
            "planned_end (2025-09-01) must be on or before grant_project_end (2025-08-31)",
            {"first": "2025-09-01", "second": "2025-08-31"},
        )
        assert expected == unmet

    def test_unmet_names_the_missing_date(self) -> None:
        """Only the missing one of the two dates is listed."""
        unmet = guard(kind="date_order", first="a", second="b").check(facts({"a": "2025-01-01"}))
        assert Unmet("field_missing", "b not set", {"fields": ["b"]}) == unmet

    def test_unmet_names_both_missing_dates(self) -> None:
        """Both dates are listed when neither is set."""
        unmet = guard(kind="date_order", first="a", second="b").check(facts())
        assert Unmet("field_missing", "a, b not set", {"fields": ["a", "b"]}) == unmet

    def test_today_may_be_one_side(self) -> None:
        """'today' can stand for either date."""
        g = guard(kind="date_order", first="today", second="deadline")
        assert None is g.check(facts({"deadline": "2025-03-10"}))
        assert g.check(facts({"deadline": "2025-03-09"})) is not None


class TestAgeBetween:
    BIRTH = date(2007, 6, 15)  # 17 on TODAY, 18 on 2025-06-15

    def test_met_inside_the_bounds(self) -> None:
        """An age within min and max qualifies."""
        g = guard(kind="age_between", min=16, max=25)
        assert None is g.check(facts(birth_date=self.BIRTH))

    def test_bounds_are_inclusive(self) -> None:
        """Exactly min and exactly max both qualify."""
        assert None is guard(kind="age_between", min=17).check(facts(birth_date=self.BIRTH))
        assert None is guard(kind="age_between", max=17).check(facts(birth_date=self.BIRTH))

    def test_unmet_below_min_gives_the_age(self) -> None:
        """A too-young person is reported with the age, the day and the bounds."""
        unmet = guard(kind="age_between", min=18, max=30).check(facts(birth_date=self.BIRTH))
        expected = Unmet(
            "age_out_of_range",
            "age on today (2025-03-10) is 17, outside 18–30",
            {"age": 17, "on": "2025-03-10", "min": 18, "max": 30},
        )
        assert expected == unmet

    def test_unmet_above_max(self) -> None:
        """A too-old person is refused; an open lower bound shows as an ellipsis."""
        unmet = guard(kind="age_between", max=16).check(facts(birth_date=self.BIRTH))
        assert unmet is not None
        expected = "age on today (2025-03-10) is 17, outside …–16"
        assert expected == unmet.message

    def test_open_upper_bound_shows_as_ellipsis(self) -> None:
        """An age below min with no max names the open bound."""
        unmet = guard(kind="age_between", min=18).check(facts(birth_date=self.BIRTH))
        assert unmet is not None
        expected = "age on today (2025-03-10) is 17, outside 18–…"
        assert expected == unmet.message

    def test_birthday_counts_on_the_day(self) -> None:
        """The person is 18 on the 18th birthday and 17 the day before."""
        g = guard(kind="age_between", min=18)
        assert None is g.check(facts(birth_date=self.BIRTH, today=date(2025, 6, 15)))
        assert g.check(facts(birth_date=self.BIRTH, today=date(2025, 6, 14))) is not None

    def test_age_is_taken_on_the_named_date_field(self) -> None:
        """With `at`, the age is computed on that date, not today."""
        g = guard(kind="age_between", at="planned_start", min=18)
        assert None is g.check(facts({"planned_start": "2025-07-01"}, birth_date=self.BIRTH))
        unmet = g.check(facts({"planned_start": "2025-06-01"}, birth_date=self.BIRTH))
        assert unmet is not None
        expected = {"age": 17, "on": "2025-06-01", "min": 18, "max": None}
        assert expected == unmet.detail

    def test_unmet_when_the_birth_date_is_unknown(self) -> None:
        """Without a birth date the age cannot be judged, so the guard is unmet."""
        unmet = guard(kind="age_between", min=16).check(facts())
        assert Unmet("birth_date_missing", "the young person's birth date is not recorded") == unmet

    def test_unmet_when_the_reference_date_is_missing(self) -> None:
        """An unset `at` field is reported as not set."""
        unmet = guard(kind="age_between", at="planned_start", min=16).check(
            facts(birth_date=self.BIRTH)
        )
        assert Unmet("field_missing", "planned_start is not set", {"field": "planned_start"}) == (
            unmet
        )


def identity(status: str = "received", **dates: date) -> Document:
    """An identity document with a status and optional validity dates."""
    return Document("identity", status=status, **dates)  # type: ignore[arg-type]


class TestDocumentsPresent:
    STAY: ClassVar = {"planned_start": "2025-04-01", "planned_end": "2025-06-30"}

    def test_met_when_received_or_validated(self) -> None:
        """Received and validated documents both count as present."""
        g = guard(kind="documents_present", documents=["identity", "insurance"])
        found = docs(identity("received"), Document("insurance", status="validated"))
        assert None is g.check(facts(documents=found))

    def test_unmet_lists_every_missing_document(self) -> None:
        """Each absent or unusable document is named with its status."""
        g = guard(kind="documents_present", documents=["identity", "insurance", "ceam", "ast"])
        found = docs(
            identity("received"),
            Document("ceam", status="refused"),
            Document("ast", status="missing"),
        )
        expected = Unmet(
            "documents_missing",
            "documents not in order: insurance (missing), ceam (refused), ast (missing)",
            {"insurance": "missing", "ceam": "refused", "ast": "missing"},
        )
        assert expected == g.check(facts(documents=found))

    def test_status_expired_is_reported(self) -> None:
        """A document marked expired is not present."""
        g = guard(kind="documents_present", documents=["identity"])
        unmet = g.check(facts(documents=docs(identity("expired"))))
        assert unmet is not None
        expected = {"identity": "expired"}
        assert expected == unmet.detail

    def test_validated_true_refuses_a_merely_received_document(self) -> None:
        """With validated: true, a received document is reported as not validated."""
        g = guard(kind="documents_present", documents=["identity"], validated=True)
        unmet = g.check(facts(documents=docs(identity("received"))))
        assert unmet is not None
        expected = {"identity": "not validated"}
        assert expected == unmet.detail
        assert None is g.check(facts(documents=docs(identity("validated"))))

    def test_a_document_past_its_validity_is_expired(self) -> None:
        """A received document whose valid_until is before today is reported expired."""
        g = guard(kind="documents_present", documents=["identity"])
        found = docs(identity(valid_until=date(2025, 3, 9)))
        unmet = g.check(facts(documents=found))
        assert unmet is not None
        expected = {"identity": "expired"}
        assert expected == unmet.detail

    def test_a_document_valid_from_a_later_day_is_not_yet_valid(self) -> None:
        """A document whose validity starts after today is not yet valid, even with an end date."""
        g = guard(kind="documents_present", documents=["identity"])
        found = docs(identity(valid_from=date(2025, 3, 20), valid_until=date(2030, 1, 1)))
        unmet = g.check(facts(documents=found))
        assert unmet is not None
        expected = {"identity": "not yet valid"}
        assert expected == unmet.detail

    def test_identity_expiring_during_the_stay_is_reported(self) -> None:
        """With valid_through, a document valid today but expiring before that date is named."""
        g = guard(kind="documents_present", documents=["identity"], valid_through="planned_end")
        found = docs(identity(valid_until=date(2025, 5, 1)))
        expected = Unmet(
            "documents_missing",
            "documents not in order: identity (expires 2025-05-01 before planned_end 2025-06-30)",
            {"identity": "expires 2025-05-01 before planned_end 2025-06-30"},
        )
        assert expected == g.check(facts(self.STAY, documents=found))

    def test_valid_through_is_inclusive(self) -> None:
        """A document valid until exactly the end date qualifies."""
        g = guard(kind="documents_present", documents=["identity"], valid_through="planned_end")
        found = docs(identity(valid_until=date(2025, 6, 30)))
        assert None is g.check(facts(self.STAY, documents=found))

    def test_document_without_end_date_is_valid_through_any_date(self) -> None:
        """A document that does not expire satisfies valid_through."""
        g = guard(kind="documents_present", documents=["identity"], valid_through="planned_end")
        assert None is g.check(facts(self.STAY, documents=docs(identity())))

    def test_only_the_expiring_document_is_named(self) -> None:
        """Among several documents, only those failing valid_through are listed."""
        g = guard(
            kind="documents_present",
            documents=["identity", "insurance"],
            valid_through="planned_end",
        )
        found = docs(
            identity(valid_until=date(2027, 1, 1)),
            Document("insurance", status="validated", valid_until=date(2025, 6, 29)),
        )
        unmet = g.check(facts(self.STAY, documents=found))
        assert unmet is not None
        expected = ["insurance"]
        assert expected == list(unmet.detail)

    def test_at_least_one_document_is_required(self) -> None:
        """An empty documents list is refused at declaration."""
        with pytest.raises(ValidationError):
            guard(kind="documents_present", documents=[])


class TestOnlyIfMinorAt:
    """`only_if_minor_at` on any guard kind: the guard applies only to a minor on that date."""

    NEEDS_CONSENT: ClassVar = {
        "kind": "documents_present",
        "documents": ["guardian_consent"],
        "only_if_minor_at": "planned_start",
        "message": "a minor's guardian must sign the agreements",
    }

    def test_applies_to_a_minor_on_the_reference_date(self) -> None:
        """A person still 17 on planned_start needs the guard; the custom message is shown."""
        unmet = guard(**self.NEEDS_CONSENT).check(
            facts({"planned_start": "2025-06-14"}, birth_date=date(2007, 6, 15))
        )
        expected = Unmet(
            "documents_missing",
            "a minor's guardian must sign the agreements",
            {"guardian_consent": "missing"},
        )
        assert expected == unmet

    def test_skipped_for_an_adult(self) -> None:
        """An adult on the reference date does not need the guard."""
        assert None is guard(**self.NEEDS_CONSENT).check(
            facts({"planned_start": "2025-06-14"}, birth_date=date(2000, 1, 1))
        )

    def test_minor_today_turning_18_before_the_date_no_longer_needs_it(self) -> None:
        """The age is computed on the reference date, not today: 17 now, 18 at departure."""
        birth = date(2007, 6, 15)
        assert facts(birth_date=birth).today < date(2025, 6, 15)
        assert None is guard(**self.NEEDS_CONSENT).check(
            facts({"planned_start": "2025-06-15"}, birth_date=birth)
        )

    def test_adult_on_the_18th_birthday_itself(self) -> None:
        """On the 18th birthday the person is no longer a minor; the day before they are."""
        birth = date(2007, 6, 15)
        g = guard(**self.NEEDS_CONSENT)
        assert None is g.check(facts({"planned_start": "2025-06-15"}, birth_date=birth))
        assert g.check(facts({"planned_start": "2025-06-14"}, birth_date=birth)) is not None

    def test_unknown_birth_date_keeps_the_guard(self) -> None:
        """Without a birth date the person may be a minor, so the guard stays in force."""
        unmet = guard(**self.NEEDS_CONSENT).check(facts({"planned_start": "2025-06-15"}))
        assert unmet is not None
        expected = {"guardian_consent": "missing"}
        assert expected == unmet.detail

    def test_unset_reference_date_keeps_the_guard(self) -> None:
        """When the reference date field is empty, the guard stays in force."""
        unmet = guard(**self.NEEDS_CONSENT).check(facts(birth_date=date(2000, 1, 1)))
        assert unmet is not None

    def test_today_as_reference(self) -> None:
        """only_if_minor_at: today judges the age on the facts' day."""
        g = guard(kind="field_equals", field="ast", value=True, only_if_minor_at="today")
        birth = date(2007, 3, 10)
        assert None is g.check(facts(birth_date=birth))
        minor = facts(birth_date=birth, today=date(2025, 3, 9))
        assert g.check(minor) is not None

    def test_a_minor_who_meets_the_guard_passes(self) -> None:
        """The guard applying does not mean it fails: a signed consent satisfies it."""
        signed = docs(Document("guardian_consent", status="received"))
        assert None is guard(**self.NEEDS_CONSENT).check(
            facts({"planned_start": "2025-06-14"}, signed, birth_date=date(2007, 6, 15))
        )


class TestUnmetGuards:
    def test_returns_every_unmet_guard_in_declaration_order(self) -> None:
        """All failing guards are reported, not just the first; met ones are left out."""
        guards = [
            guard(kind="field_set", field="a"),
            guard(kind="field_set", field="b"),
            guard(kind="field_equals", field="c", value=True),
        ]
        unmet = unmet_guards(guards, facts({"b": "x"}))
        expected = [
            ("field_missing", "a is not set"),
            ("field_mismatch", "c must be True (is None)"),
        ]
        assert expected == [(u.code, u.message) for u in unmet]

    def test_empty_when_all_hold(self) -> None:
        """No guard, or only met guards, gives an empty list."""
        assert not unmet_guards([], facts())
        assert not unmet_guards([guard(kind="field_set", field="a")], facts({"a": 1}))
