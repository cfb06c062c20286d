"""What text may hold: names and single lines, free text, e-mail addresses, phone numbers,
languages, time zones, INSEE commune codes and i-milo identifiers.

One rule in one place: API schemas, services, the CLI and case data fields all check text here,
so a value refused at one door is refused at every door, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from ipm_workflow.domain.errors import InvalidInput

NAME_MAX = 100  # a first name, a last name, a display name
LINE_MAX = 200  # a label, a code, a single-line text field of a case
REASON_MAX = 2_000  # why a transition, a change or a merge was made
NOTE_MAX = 10_000  # a multi-line note field of a case
EMAIL_MAX = 254  # RFC 5321's limit on a forward path
PHONE_MAX = 32
PHONE_REGION = "FR"  # numbers written without +country are French ones
LANGUAGE_LENGTH = 2  # ISO 639-1
TIMEZONE_MAX = 64
INSEE_LENGTH = 5
IMILO_MAX = 20

# Bidirectional overrides and isolates reorder what a reader sees ("Trojan Source"); the marks
# too, since nothing typed by hand needs them in a name.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters (C0, DEL, C1), lone surrogates, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_MULTI_LINE_ALLOWED = frozenset("\n\r\t")


def _forbidden(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """Describe the first character a text may not hold, or None."""
    for char in value:
        if char in allowed:
            continue
        if char == "\x00":
            return "contains a NUL character"
        if char in _BIDI:
            return f"contains a bidirectional control character (U+{ord(char):04X})"
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return f"contains a control character (U+{ord(char):04X})"
    return None


def _checked(value: str, problem: str | None, max_length: int) -> str:
    """Return the stripped text; ValueError for a forbidden character, a blank or a long text."""
    if problem:
        raise ValueError(problem)
    text = value.strip()
    if not text:
        raise ValueError("must not be empty or only spaces")
    if len(text) > max_length:
        raise ValueError(f"at most {max_length} characters, got {len(text)}")
    return text


def single_line(value: str, max_length: int = LINE_MAX) -> str:
    """Return a single-line text stripped of outer spaces; ValueError if blank, too long or holding
    a control character (CR, LF, NUL, tab, C1, bidi override…)."""
    return _checked(value, _forbidden(value), max_length)


def name(value: str) -> str:
    """Return a person's or user's name (single line, at most NAME_MAX characters)."""
    return single_line(value, NAME_MAX)


def multi_line(value: str, max_length: int = REASON_MAX) -> str:
    """Return a free text (line breaks and tabs allowed); ValueError if blank, too long or holding
    NUL or another control character."""
    return _checked(value, _forbidden(value, _MULTI_LINE_ALLOWED), max_length)


def reason(value: str) -> str:
    """Return a reason (multi-line, at most REASON_MAX characters)."""
    return multi_line(value, REASON_MAX)


def blank_is_none(value: Any) -> Any:
    """Read a blank text as no value (an empty form field); anything else is returned as is."""
    return None if isinstance(value, str) and not value.strip() else value


def email_address(value: str) -> str:
    """Return exactly one e-mail address, normalised (domain lower-cased, IDN as Unicode);
    ValueError for a list, a display name, a header, or an address that does not parse.

    No DNS look-up: the address is checked for its form only."""
    # Imported on first use: 0.1 s each at start-up, which every CLI command and server worker
    # would otherwise pay before doing anything.
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    text = single_line(value, EMAIL_MAX)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from None
    return checked.normalized


def phone_number(value: str, region: str = PHONE_REGION) -> str:
    """Return a phone number in E.164 form (+33612345678); numbers without a country code are
    read in `region`; ValueError when it does not parse or cannot be a real number."""
    import phonenumbers  # noqa: PLC0415 - on first use, as above

    text = single_line(value, PHONE_MAX)
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def language_code(value: str) -> str:
    """Return an ISO 639-1 language code in lower case ("fr", "en"); ValueError otherwise."""
    code = single_line(value, 8).lower()
    if len(code) != LANGUAGE_LENGTH or not code.isascii() or not code.isalpha():
        raise ValueError("expected a two-letter ISO 639-1 language code, such as 'fr'")
    return code


def timezone_name(value: str) -> str:
    """Return an IANA time-zone name ("Europe/Paris"); ValueError when the zone is unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415 - on first use

    key = single_line(value, TIMEZONE_MAX)
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA time zone, such as 'Europe/Paris'") from None
    return key


def insee_code(value: str) -> str:
    """Return a commune's INSEE code: five characters, digits or 2A/2B for Corsica."""
    code = single_line(value, 8).upper()
    corsica = code[:2] in ("2A", "2B") and code[2:].isdigit()
    if len(code) != INSEE_LENGTH or not (code.isdigit() or corsica) or not code.isascii():
        raise ValueError("expected a five-character INSEE commune code, such as '75056'")
    return code


def imilo_id(value: str) -> str:
    """Return an i-milo identifier (letters, digits, and - _ . between them); refuse what looks
    like a social-security number (13 or 15 digits starting with 1, 2, 7 or 8, separators
    aside): it must never be stored [DOMAIN S31]."""
    text = single_line(value, IMILO_MAX)
    if not text.isascii() or not text.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ValueError(f"expected letters, digits and - _ . only, at most {IMILO_MAX}")
    digits = text.replace("-", "").replace("_", "").replace(".", "")
    if digits.isdigit() and len(digits) in (13, 15) and digits[0] in "1278":
        raise ValueError("looks like a social-security number (NIR), which is never stored")
    return text


def check(
    rules: Mapping[str, Callable[[str], str]],
    values: Mapping[str, Any],
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Apply a rule per field to the given values (None stays None; non-text raises); return the
    cleaned values or raise InvalidInput listing every faulty field (after the given `errors`)."""
    cleaned: dict[str, Any] = {}
    errors = list(errors or [])
    for field, value in values.items():
        rule = rules.get(field)
        if rule is None or value is None:
            cleaned[field] = value
            continue
        try:
            if not isinstance(value, str):
                raise ValueError(f"expected text, got {type(value).__name__}")
            cleaned[field] = rule(value)
        except ValueError as exc:
            errors.append({"field": field, "message": str(exc)})
    if errors:
        raise InvalidInput("invalid " + ", ".join(e["field"] for e in errors), errors)
    return cleaned


# Pydantic field types carrying the same rules, with the limits the published schema shows.
Name = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(name)]
Line = Annotated[str, Field(max_length=LINE_MAX), AfterValidator(single_line)]
Reason = Annotated[str, Field(max_length=REASON_MAX), AfterValidator(reason)]
# An optional reason left blank is no reason; the workflow decides whether one is required.
OptionalReason = Annotated[Reason | None, BeforeValidator(blank_is_none)]
Email = Annotated[str, Field(max_length=EMAIL_MAX), AfterValidator(email_address)]
Phone = Annotated[str, Field(max_length=PHONE_MAX), AfterValidator(phone_number)]
Language = Annotated[str, Field(max_length=8), AfterValidator(language_code)]
TimeZone = Annotated[str, Field(max_length=TIMEZONE_MAX), AfterValidator(timezone_name)]
InseeCode = Annotated[str, Field(max_length=8), AfterValidator(insee_code)]
ImiloId = Annotated[str, Field(max_length=IMILO_MAX), AfterValidator(imilo_id)]
