"""domain/text.py door rules for people: phones, e-mails, languages, zones, INSEE, i-milo."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipm_workflow.domain.profile import EducationLevel, adult_born_by
from ipm_workflow.domain.text import (
    email_address,
    imilo_id,
    insee_code,
    language_code,
    phone_number,
    timezone_name,
)

# 06 12 xx xx xx: an allocated block (not every 06 number is, and phonenumbers knows which).
french_mobiles = st.integers(min_value=0, max_value=999_999).map(lambda n: f"0612{n:06d}")


class TestPhone:
    """phone_number: one E.164 form whatever the spelling."""

    @given(french_mobiles, st.sampled_from([" ", ".", "-", ""]))
    def test_any_spelling_of_a_french_mobile_gives_one_form(self, number: str, sep: str) -> None:
        """0612345678, 06 12 34 56 78, 06.12… and +33 6… all become +336…, idempotently."""
        spaced = sep.join(number[i : i + 2] for i in range(0, 10, 2))
        international = "+33 " + number[1:]
        normal = phone_number(number)
        expected = (f"+33{number[1:]}", normal, normal, normal)
        actual = (normal, phone_number(spaced), phone_number(international), phone_number(normal))
        assert expected == actual

    @given(st.text(max_size=40))
    def test_anything_else_is_refused_or_valid_e164(self, value: str) -> None:
        """Arbitrary text either raises ValueError or comes out as +digits."""
        try:
            out = phone_number(value)
        except ValueError:
            return
        assert out.startswith("+")
        assert out[1:].isdigit()


class TestEmail:
    """email_address: exactly one address."""

    @given(st.from_regex(r"[a-z]{1,10}\.[a-z]{1,10}@[a-z]{2,10}\.(org|fr)", fullmatch=True))
    def test_an_address_is_kept_and_stable(self, address: str) -> None:
        """A plain address comes back as is, and checking it again changes nothing."""
        assert (address, address) == (email_address(address), email_address(email_address(address)))

    @pytest.mark.parametrize(
        "value", ["a@example.org, b@example.org", "a@example.org;b@example.org", "A <a@x.org>", "@"]
    )
    def test_lists_and_display_names_are_refused(self, value: str) -> None:
        """A list, a display name or a bare @ is not one address."""
        with pytest.raises(ValueError, match="not a valid e-mail address"):
            email_address(value)


class TestOtherRules:
    """Language, time zone, INSEE code, i-milo identifier."""

    def test_accepted_values_are_normalised(self) -> None:
        """Codes are upper/lower-cased as their standards write them."""
        expected = ("fr", "Europe/Paris", "2A004", "ML12345")
        actual = (
            language_code(" FR "),
            timezone_name("Europe/Paris"),
            insee_code("2a004"),
            imilo_id("ML12345"),
        )
        assert expected == actual

    @pytest.mark.parametrize(
        ("rule", "value"),
        [
            (language_code, "fra"),
            (timezone_name, "Paris"),
            (insee_code, "7505A"),
            (imilo_id, "185057512345678"),  # a social-security number's shape
            (imilo_id, "2850575123456"),
        ],
    )
    def test_refused(self, rule: object, value: str) -> None:
        """Each rule refuses what its standard does not allow (and a NIR as an i-milo id)."""
        with pytest.raises(ValueError, match=r"expected|not an IANA|social-security"):
            rule(value)  # type: ignore[operator]


class TestProfile:
    """The profile's reference values."""

    def test_every_education_level_has_its_isced_level(self) -> None:
        """Only 'not declared' has no ISCED level."""
        missing = [level for level in EducationLevel if level.isced is None]
        assert missing == [EducationLevel.NOT_DECLARED]

    @pytest.mark.parametrize(
        ("on", "expected"),
        [(date(2026, 4, 6), date(2008, 4, 6)), (date(2028, 2, 29), date(2010, 2, 28))],
    )
    def test_adult_born_by(self, on: date, expected: date) -> None:
        """Born on or before this day: of age; 29 February falls back to the 28th."""
        assert expected == adult_born_by(on)
