"""A download's file name is always a safe header, whatever a user typed into it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipm_workflow.entrypoints.downloads import NAME_MAX, attachment


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "beneficiary-module-2026-1-FR01-KA121-VET-000001.xlsx",
            "beneficiary-module-2026-1-FR01-KA121-VET-000001.xlsx",
        ),
        ("beneficiary-module-\U0009fe2a\u009c\U0006df01\u00df.xlsx", "beneficiary-module-_.xlsx"),
        ('a"b\r\nSet-Cookie: x=1.csv', "a_b_Set-Cookie_x_1.csv"),
        ("../../etc/passwd", "etc_passwd"),
        ("é", "download"),
    ],
)
def test_names_are_made_safe(typed: str, expected: str) -> None:
    """Quotes, line breaks, paths and non-ASCII characters never reach the header."""
    assert {"Content-Disposition": f'attachment; filename="{expected}"'} == attachment(typed)


@given(st.text(max_size=300))
def test_every_name_is_a_latin1_header_of_one_line(typed: str) -> None:
    """Any text gives a header HTTP can carry: Latin-1, one line, no quote inside the name."""
    header = attachment(typed)["Content-Disposition"]
    name = header.removeprefix('attachment; filename="').removesuffix('"')
    header.encode("latin-1")
    assert ("\r" in header, "\n" in header, '"' in name, len(name) <= NAME_MAX) == (
        False,
        False,
        False,
        True,
    )
