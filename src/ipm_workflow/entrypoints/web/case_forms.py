"""What the case page's forms send, as the engine's values; a refused change as its reasons.

Shared by the case page's changes, the referral's opening inputs and the cohorts' bulk actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ipm_workflow.domain.actions import InputView
from ipm_workflow.domain.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    TransitionDenied,
)

# The refusals a form's change ends with, drawn on the page with their reasons.
REFUSALS = (TransitionDenied, InvalidTransition, InvalidInput, ValueError)


def widget(view: InputView) -> str:
    """The HTML input type of an action's declared input."""
    return {"date": "date", "number": "number", "email": "email", "phone": "tel"}.get(
        view.type, "text"
    )


def _value(kind: str, raw: str) -> Any:
    """A form's text as the value of a declared type (the engine checks it further)."""
    if kind == "boolean":
        return raw in ("true", "on", "yes")
    if kind == "number":
        try:
            return int(raw)
        except ValueError:
            return float(raw)
    return raw


def typed_inputs(form: Any, views: Mapping[str, str], prefix: str) -> dict[str, Any]:
    """The form's fields named `prefix` + a declared name, as values of their declared types
    (`views`: name -> type); an empty field is left out."""
    values: dict[str, Any] = {}
    for name, kind in views.items():
        raw = form.get(prefix + name)
        if kind == "boolean":
            # A ticked box sends "true" after its hidden "false" (an unticked one only "false").
            sent = form.getall(prefix + name, [])
            if sent:
                values[name] = any(_value(kind, v) for v in sent)
        elif raw not in (None, ""):
            values[name] = _value(kind, raw.strip())
    return values


def differs(current: Any, given: Any) -> bool:
    """Whether a field's posted value changes it (an unset box left unticked does not)."""
    if current is None:
        return given not in (False, "")
    return str(current) != str(given)


def refusal(exc: Exception) -> tuple[str, list[str]]:
    """A refused change as a message and its reasons (unmet guards, invalid inputs)."""
    reasons = [u["message"] for u in getattr(exc, "context", {}).get("unmet", [])]
    reasons += [f"{e.get('field', '')}: {e.get('message', '')}" for e in getattr(exc, "errors", [])]
    return (exc.message if isinstance(exc, DomainError) else str(exc)), reasons


def optional_date(raw: Any) -> date | None:
    """A date field's ISO text as a date (None when empty; ValueError when malformed)."""
    return date.fromisoformat(raw) if raw else None


def whole_number(raw: Any) -> int | None:
    """A number field's text as an int (None when empty; ValueError when malformed)."""
    return int(raw) if raw not in (None, "") else None
