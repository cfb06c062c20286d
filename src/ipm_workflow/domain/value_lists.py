"""Named lists of values a guard may test a field against (`values: eu_eea`), shipped as data.

Each list in data/value_lists.json carries its description and sources; codes are upper case
(ISO 3166-1 alpha-2 for countries), and a case's value is compared in upper case too.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def value_lists() -> dict[str, frozenset[str]]:
    """Return every shipped list by name."""
    raw = json.loads(
        resources.files("ipm_workflow.domain").joinpath("data/value_lists.json").read_text()
    )
    return {name: frozenset(str(v).upper() for v in item["values"]) for name, item in raw.items()}


def in_list(list_name: str, value: object) -> bool:
    """Tell whether a value (compared in upper case) belongs to a shipped list."""
    return isinstance(value, str) and value.strip().upper() in value_lists().get(list_name, ())
