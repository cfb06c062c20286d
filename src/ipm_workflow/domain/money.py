"""Money on a mobility: days done, the grant proposed after an early return, euro formatting.

Amounts are euro cents, integers: a float cannot hold 0.10 exactly, and grants are audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency

from ipm_workflow.domain.aftercare_rules import MONEY_FIELDS, GrantRule, Money
from ipm_workflow.domain.definitions import Workflow

Path = tuple[str | int, ...]


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _day(raw: Any) -> date | None:
    return date.fromisoformat(raw) if isinstance(raw, str) and raw else None


def span_days(start: date | None, end: date | None) -> int | None:
    """Return the days from start to end, both counted (None when either is unknown)."""
    if start is None or end is None or end < start:
        return None
    return (end - start).days + 1


def days_done(data: Mapping[str, Any]) -> int | None:
    """Days actually done abroad: actual end − actual start + 1."""
    return span_days(_day(data.get("actual_start")), _day(data.get("actual_end")))


def planned_days(data: Mapping[str, Any]) -> int | None:
    """Days planned abroad: planned end − planned start + 1."""
    return span_days(_day(data.get("planned_start")), _day(data.get("planned_end")))


def recompute(rule: GrantRule, agreed: int, done: int, planned: int) -> int:
    """Return the grant for the days done under a rule (pro rata rounds down to the cent)."""
    if rule == "full":
        return agreed
    if rule == "nothing":
        return 0
    return agreed * min(done, planned) // planned


@dataclass(frozen=True)
class GrantProposal:
    """The grant proposed for a case, with what it rests on; a person confirms it."""

    rule: GrantRule
    agreed: int
    days_done: int
    planned_days: int
    proposed: int
    prefinanced: int
    balance: int  # still to pay the participant (0 when a recovery is due)
    recovery: int  # to recover from the participant (0 when a balance is due)


def propose(spec: Money, data: Mapping[str, Any]) -> GrantProposal | None:
    """Propose the grant of an interrupted stay, or None when a figure it needs is missing."""
    agreed, done, planned = data.get("grant_agreed"), days_done(data), planned_days(data)
    if not isinstance(agreed, int) or done is None or planned is None:
        return None
    reason = data.get(spec.early_return.reason_field)
    rule = spec.early_return.by_reason.get(str(reason), spec.early_return.rule)
    proposed = recompute(rule, agreed, done, planned)
    paid = data.get("prefinancing_amount") if data.get("prefinancing_paid") is True else 0
    prefinanced = paid if isinstance(paid, int) else 0
    return GrantProposal(
        rule,
        agreed,
        done,
        planned,
        proposed,
        prefinanced,
        max(proposed - prefinanced, 0),
        max(prefinanced - proposed, 0),
    )


def balance_due(spec: Money, data: Mapping[str, Any]) -> date | None:
    """The day the balance (or recovery) is due: participant report submitted + the delay."""
    submitted = _day(data.get("participant_report_submitted_on"))
    return submitted + spec.balance_due_after_report if submitted else None


def format_cents(amount: int, language: str = "fr") -> str:
    """Show euro cents as people read them, by Babel's CLDR rules (the same as the templates'
    `money` filter): '1 234,56 €' (fr: narrow no-break space in groups, no-break space before
    the sign) or '€1,234.56' (en)."""
    return format_currency(Decimal(amount) / 100, "EUR", locale=language)


def money_problems(workflow: Workflow) -> list[tuple[Path, str]]:
    """Lint the money section: the money fields are declared with their types."""
    spec = workflow.money
    if spec is None:
        return []
    problems: list[tuple[Path, str]] = []
    for name, kind in MONEY_FIELDS.items():
        declared = workflow.fields.get(name)
        if declared is None:
            problems.append((("money",), f"money needs {_a(kind)} field '{name}'"))
        elif declared.type != kind:
            problems.append((("fields", name), f"field '{name}' must be {_a(kind)} for money"))
    reason = workflow.fields.get(spec.early_return.reason_field)
    path: Path = ("money", "early_return")
    if reason is None or reason.type != "enum":
        problems.append(
            ((*path, "reason_field"), f"unknown enum field '{spec.early_return.reason_field}'")
        )
    else:
        for key in spec.early_return.by_reason:
            if key not in (reason.values or []):
                problems.append(
                    ((*path, "by_reason", key), f"'{key}' is not a value of the reason field")
                )
    return problems
