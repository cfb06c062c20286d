"""Typed values of case data fields: what a workflow declares and what a case stores (JSON)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ipm_workflow.domain import text
from ipm_workflow.domain.definitions import FieldSpec, TransitionSpec, Workflow
from ipm_workflow.domain.errors import InvalidInput

_TRUE = {"true", "yes", "1", "oui"}
_FALSE = {"false", "no", "0", "non"}
_TEXT_RULES: dict[str, Callable[[str], str]] = {
    "email": text.email_address,
    "phone": text.phone_number,
    "note": lambda raw: text.multi_line(raw, text.NOTE_MAX),
}


def coerce(spec: FieldSpec, raw: Any) -> Any:
    """Return the stored (JSON) form of a value for a field, or raise ValueError saying why."""
    # A blank form field means "no value" for every type; text keeps its blank as None too.
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.type == "date":
        return _date(raw)
    if spec.type == "boolean":
        return _boolean(raw)
    if spec.type == "number":
        return _number(raw)
    if spec.type == "money":
        return cents(raw)
    if not isinstance(raw, str):
        raise ValueError(f"expected text, got {raw!r}")
    # Text kinds share the door's rules: no control characters, declared limits, one address.
    checked = _TEXT_RULES.get(spec.type, text.single_line)(raw)
    if spec.type == "enum" and spec.values is not None and checked not in spec.values:
        raise ValueError(f"expected one of {spec.values}, got {checked!r}")
    return checked


# Dates a journey can hold: reminders and limits are computed from them up to ten years on, so
# a date near the calendar's end (9999-12-31) would overflow instead of being refused here.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def _date(raw: Any) -> str:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, got {raw!r}") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"expected a date between {EARLIEST} and {LATEST}, got {day}")
    return day.isoformat()


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(f"expected true or false, got {raw!r}")


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float | str):
        try:
            number = float(raw.strip()) if isinstance(raw, str) else raw
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
        # NaN and infinity are not valid JSON: PostgreSQL JSON columns refuse them.
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {raw!r}")
        return int(number) if isinstance(raw, str) and number.is_integer() else number
    raise ValueError(f"expected a number, got {raw!r}")


# Euro cents a case may hold: ten million euros either way is far beyond any mobility grant.
MAX_CENTS = 10**9


def cents(raw: Any) -> int:
    """Return an amount in euro cents: an integer, never a float (0.1 + 0.2 is not 0.3)."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError(f"expected an amount in euro cents (an integer), got {raw!r}")
    text_form = raw.strip() if isinstance(raw, str) else str(raw)
    if not text_form.lstrip("-").isdigit():
        raise ValueError(f"expected an amount in euro cents (an integer), got {raw!r}")
    amount = int(text_form)
    if abs(amount) > MAX_CENTS:
        raise ValueError(f"{amount} cents is beyond the limit of {MAX_CENTS} either way")
    return amount


def coerce_inputs(
    definition: Workflow, spec: TransitionSpec, inputs: Mapping[str, Any], reason: str | None
) -> dict[str, Any]:
    """Return a trigger's inputs in their stored form, or raise InvalidInput naming each fault."""
    declared = {i.field: i for i in spec.inputs}
    errors: list[dict[str, Any]] = []
    given: dict[str, Any] = {}
    for name, raw in inputs.items():
        if name not in declared:
            errors.append(
                {
                    "field": f"inputs.{name}",
                    "message": f"'{spec.trigger}' takes no input '{name}'; it takes: "
                    f"{', '.join(declared) or 'none'}",
                }
            )
            continue
        try:
            given[name] = coerce(definition.fields[name], raw)
        except ValueError as exc:
            errors.append({"field": f"inputs.{name}", "message": str(exc)})
    for name, item in declared.items():
        if (
            item.required
            and given.get(name) in (None, "")
            and name not in {e["field"].removeprefix("inputs.") for e in errors}
        ):
            errors.append({"field": f"inputs.{name}", "message": "required"})
    if spec.reason_required and not (reason or "").strip():
        errors.append({"field": "reason", "message": f"'{spec.trigger}' requires a reason"})
    if errors:
        raise InvalidInput(f"invalid inputs for '{spec.trigger}'", errors)
    return given
