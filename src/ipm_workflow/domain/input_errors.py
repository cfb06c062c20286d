"""The refusal of one input: the commonest InvalidInput, built in one place."""

from __future__ import annotations

from ipm_workflow.domain.errors import InvalidInput


def invalid_field(title: str, field: str, message: str) -> InvalidInput:
    """Return (not raise) the InvalidInput refusing one field: `title` sums the problem up
    (the problem's detail), `errors` holds the one `{"field": field, "message": message}` a
    form shows next to that field."""
    return InvalidInput(title, [{"field": field, "message": message}])
