"""domain/text.py: the rules every door applies to names, texts, addresses and phone numbers."""

from __future__ import annotations

import pytest

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.text import (
    LINE_MAX,
    check,
    email_address,
    multi_line,
    name,
    phone_number,
    single_line,
)


class TestSingleLine:
    """single_line and name."""

    @pytest.mark.parametrize(
        "value",
        [
            "a\rb",
            "a\nb",
            "a\x00b",
            "a\tb",
            "a\x1fb",
            "a\x7fb",
            "a\x9fb",
            "a\u202db",
            "a\u2069b",
            "a\u200fb",
            "a\u2029b",
            "a\ud800b",
        ],
    )
    def test_control_characters_are_refused(self, value: str) -> None:
        """C0, DEL, C1, bidi controls, separators and lone surrogates never pass."""
        with pytest.raises(ValueError, match="character"):
            single_line(value)

    def test_outer_spaces_go_and_inner_text_stays(self) -> None:
        """Stripped, otherwise untouched (accents, apostrophes, other scripts)."""
        expected = "Zoé N'Diaye 李"
        assert expected == name("  Zoé N'Diaye 李 ")

    @pytest.mark.parametrize("value", ["", " ", "\u3000\u00a0"])
    def test_blank_is_refused(self, value: str) -> None:
        """Only spaces is no value."""
        with pytest.raises(ValueError, match="empty"):
            single_line(value)

    def test_limit_is_counted_after_stripping(self) -> None:
        """The limit applies to the text kept."""
        assert single_line(" " + "x" * LINE_MAX + " ") == "x" * LINE_MAX
        with pytest.raises(ValueError, match="at most"):
            single_line("x" * (LINE_MAX + 1))


class TestMultiLine:
    """multi_line (reasons, notes)."""

    def test_line_breaks_and_tabs_are_kept(self) -> None:
        """Inner line breaks and tabs belong to free text."""
        expected = "one\r\n\ttwo"
        assert expected == multi_line(" one\r\n\ttwo\n")

    @pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "a\u202eb"])
    def test_other_controls_are_refused(self, value: str) -> None:
        """NUL, escape and bidi overrides are refused even in free text."""
        with pytest.raises(ValueError, match="character"):
            multi_line(value)


class TestContacts:
    """email_address and phone_number."""

    @pytest.mark.parametrize(
        "value",
        [
            "a@example.org, b@example.org",
            "a@example.org\r\nBcc: b@example.org",
            "Eve <e@example.org>",
            "e@localhost",
            "e@example..org",
            "@example.org",
            "e@",
            "a b@example.org",
        ],
    )
    def test_not_exactly_one_address_is_refused(self, value: str) -> None:
        """Lists, headers, display names and malformed addresses are refused."""
        with pytest.raises(ValueError, match=r"e-mail|character"):
            email_address(value)

    def test_address_is_normalised_without_dns(self) -> None:
        """The domain is lower-cased; an unregistered domain is fine (no DNS look-up)."""
        expected = "Eve@no-such-domain-ipm.example"
        assert expected == email_address("Eve@No-Such-Domain-IPM.example")

    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("06 12 34 56 78", "+33612345678"),
            ("+33 (0)6 12 34 56 78", "+33612345678"),
            ("+1 650 253 0000", "+16502530000"),
        ],
    )
    def test_phone_in_e164(self, given: str, expected: str) -> None:
        """French numbers without country code, foreign ones with it."""
        assert expected == phone_number(given)

    @pytest.mark.parametrize("value", ["12", "06 12 34", "phone", "+99 123 456 789"])
    def test_phone_that_cannot_exist_is_refused(self, value: str) -> None:
        """Too short, letters, or an unknown country code."""
        with pytest.raises(ValueError, match="phone"):
            phone_number(value)


class TestCheck:
    """check: one rule per field, every faulty field reported at once."""

    def test_every_faulty_field_is_named(self) -> None:
        """Both faults are reported, in one InvalidInput."""
        with pytest.raises(InvalidInput) as caught:
            check({"a": name, "b": email_address}, {"a": " ", "b": "x", "c": "\x00"})
        expected = ["a", "b"]
        assert expected == [e["field"] for e in caught.value.errors]

    def test_none_and_unruled_fields_pass(self) -> None:
        """None stays None; fields without a rule are returned as given."""
        expected = {"a": None, "c": 3, "b": "+33612345678"}
        assert expected == check(
            {"a": name, "b": phone_number}, {"a": None, "c": 3, "b": "0612345678"}
        )
