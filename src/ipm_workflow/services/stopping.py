"""Why a claimed reminder or event message must not go out (the worker's stop rules).

Each rule answers None (it may go out) or (status, reason, whether its series goes on).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ipm_workflow.domain.cases import Case, CaseFacts
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.domain.reminders import Reminder, condition_cleared, rule_states
from ipm_workflow.services.reminders import HELP_RULE

Stop = tuple[Status, str, bool]


def reminder_stop(
    definition: Workflow,
    reminder: Reminder,
    case: Case,
    facts: CaseFacts,
    *,
    now: datetime,
    since: datetime,
) -> Stop | None:
    """Say why a reminder, escalation or timeout must not go out: its rule went from the
    workflow, the case left the rule's states, it was acknowledged, its condition cleared, or
    it is later after `since` (when it was due to go out) than the rule allows."""
    rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
    if rule is None:
        gone = f"rule '{reminder.rule_id}' is no longer in the workflow"
        return (Status.SKIPPED, gone, False)
    if case.state not in rule_states(definition, rule):
        return (Status.CANCELLED, f"case now in {case.state}", False)
    if reminder.acknowledged_at is not None:
        return (Status.ACKNOWLEDGED, "acknowledged", False)
    if condition_cleared(rule, facts):
        return (Status.SKIPPED, "nothing left to remind: the condition has cleared", False)
    # Lateness counts from when it was due to go out (later, after a late reminder).
    late = now - since
    if (
        rule.max_lateness is not None
        and reminder.kind != "timeout"
        and (now > since + rule.max_lateness)
    ):
        return (
            Status.SKIPPED,
            f"too late: {late} after due, the rule allows {rule.max_lateness}",
            True,  # a skipped occurrence never ends its series
        )
    return None


def event_stop(definition: Workflow, reminder: Reminder, late: timedelta) -> Stop | None:
    """Say why an event message must not go out: it went from the workflow, or is too late.

    Unlike a reminder, it is not cancelled when the case moves on: the event did happen.
    """
    event = next((e for e in definition.events if e.id == reminder.rule_id), None)
    if reminder.rule_id == HELP_RULE and reminder.acknowledged_at is None:
        return None  # "I need help" from the young person's pages: every workflow has it
    if event is None:
        return (Status.SKIPPED, f"event message '{reminder.rule_id}' is no longer declared", False)
    if reminder.acknowledged_at is not None:
        return (Status.ACKNOWLEDGED, "acknowledged", False)
    if event.max_lateness is not None and late > event.max_lateness:
        return (
            Status.SKIPPED,
            f"too late: {late} after due, the event allows {event.max_lateness}",
            False,
        )
    return None
