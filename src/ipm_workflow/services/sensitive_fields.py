"""The sensitive data of a person (special-category data): its fields and their checks.

Messages name the field and the rule, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from typing import Any

from ipm_workflow.domain import text
from ipm_workflow.domain.profile import FewerOpportunityReason, Sensitive

SENSITIVE_TEXT_MAX = text.REASON_MAX
# The values of a sensitive record: every field of the domain's record but whose and when.
SENSITIVE_FIELDS = frozenset(f.name for f in fields(Sensitive)) - {
    "person_id",
    "updated_at",
    "updated_by",
}


def checked_sensitive(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values checked and typed (reason as its enumeration, amount to the cent); raises
    InvalidInput naming each wrong field (never its value: it is special-category data)."""
    errors = [
        {"field": k, "message": "unknown field"} for k in sorted(set(values) - SENSITIVE_FIELDS)
    ]
    out = dict(values)
    reason = values.get("fewer_opportunities_reason")
    if reason is not None:
        try:
            out["fewer_opportunities_reason"] = FewerOpportunityReason(reason)
        except ValueError:
            listed = ", ".join(r.value for r in FewerOpportunityReason)
            errors.append({"field": "fewer_opportunities_reason", "message": f"one of {listed}"})
    if values.get("fewer_opportunities") and reason is None:
        errors.append(
            {"field": "fewer_opportunities_reason", "message": "the flag needs its main reason"}
        )
    amount = values.get("inclusion_support_amount")
    if amount is not None:
        try:
            out["inclusion_support_amount"] = Decimal(str(amount)).quantize(Decimal("0.01"))
            if out["inclusion_support_amount"] < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors.append({"field": "inclusion_support_amount", "message": "a positive amount"})
    rules = {
        "inclusion_support_justification": text.reason,
        "health_needs": text.reason,
    }
    return out | text.check(rules, {k: values.get(k) for k in rules}, errors)
