"""Follow-up after a return: checkpoints that open, outcomes recorded unknown, lost contact.

A checkpoint opens on the first due day of its survey reminder. An outcome left blank is
"not yet asked"; once the next checkpoint opens (or the follow-up ends) a blank outcome of an
opened checkpoint is recorded "unknown", which is neither blank nor a negative outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from ipm_workflow.domain.aftercare_rules import (
    CONFIDENCES,
    OUTCOME_SOURCES,
    UNKNOWN,
    Checkpoint,
    FollowUp,
    LostContact,
)
from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.contacts import ContactAttempt
from ipm_workflow.domain.definitions import SYSTEM_ROLE, Workflow
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guards import GuardBase
from ipm_workflow.domain.reminders import first_due

Path = tuple[str | int, ...]


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _day(raw: Any) -> date | None:
    return date.fromisoformat(raw) if isinstance(raw, str) and raw else None


def opens_on(workflow: Workflow, checkpoint: Checkpoint, data: Mapping[str, Any]) -> date | None:
    """Return the day a checkpoint opens for a case (its survey's first due day), if known."""
    if checkpoint.survey is None:
        return None
    rule = next((r for r in workflow.reminders if r.id == checkpoint.survey), None)
    if rule is None or rule.anchor.field is None:
        return None
    anchor = _day(data.get(rule.anchor.field))
    if anchor is None:
        return None
    # A date anchor's due day does not depend on the time zone: UTC keeps it plain.
    utc = ZoneInfo("UTC")
    return first_due(rule, datetime.combine(anchor, time(0), utc), utc).date()


def current_checkpoint(workflow: Workflow, data: Mapping[str, Any], today: date) -> str | None:
    """Return the latest checkpoint opened by today (attempts made now count for it)."""
    spec = workflow.follow_up
    found = None
    for checkpoint in spec.checkpoints if spec else ():
        day = opens_on(workflow, checkpoint, data)
        if day is not None and day <= today:
            found = checkpoint.id
    return found


def settle(
    workflow: Workflow, data: Mapping[str, Any], from_state: str, to_state: str, today: date
) -> dict[str, Any]:
    """Return the follow-up fields a transition out of a follow-up state sets besides its own.

    A blank outcome of an opened checkpoint is recorded unknown once the next checkpoint has
    opened or the follow-up ends; an outcome given without its date is dated today.
    """
    spec = workflow.follow_up
    if spec is None or from_state not in spec.states:
        return {}
    leaving = to_state not in spec.states
    opened = [opens_on(workflow, c, data) for c in spec.checkpoints]
    changes: dict[str, Any] = {}
    for i, checkpoint in enumerate(spec.checkpoints):
        day = opened[i]
        is_open = (day is not None and day <= today) or (leaving and checkpoint.survey is None)
        later = [d for d in opened[i + 1 :] if d is not None]
        passed = leaving or (bool(later) and later[0] <= today)
        if data.get(checkpoint.outcome) in (None, "") and is_open and passed:
            changes[checkpoint.outcome] = UNKNOWN
        if (changes.get(checkpoint.outcome) or data.get(checkpoint.outcome)) and not data.get(
            checkpoint.date
        ):
            changes[checkpoint.date] = today.isoformat()
    return changes


def _at_checkpoint(
    rule: LostContact, attempts: Sequence[ContactAttempt]
) -> tuple[bool, list[ContactAttempt]]:
    mine = sorted((a for a in attempts if a.checkpoint == rule.at_checkpoint), key=lambda a: a.at)
    return any(a.answered for a in mine), [a for a in mine if not a.answered]


def lost_contact_due(
    rule: LostContact, outcome: Any, attempts: Sequence[ContactAttempt]
) -> date | None:
    """Return the day the lost-contact rule is met, or None while it cannot be.

    Met once `attempts` unanswered attempts were made at the checkpoint and `unanswered_over`
    has passed since the first of them, with no answer and no outcome recorded.
    """
    answered, unanswered = _at_checkpoint(rule, attempts)
    if answered or outcome not in (None, "") or len(unanswered) < rule.attempts:
        return None
    first = unanswered[0].at.date() + rule.unanswered_over
    return max(first, unanswered[rule.attempts - 1].at.date())


class LostContactRule(GuardBase):
    """The engine's guard on the lost-contact transition: the declared rule must be met."""

    kind: Literal["lost_contact_rule"] = "lost_contact_rule"
    rule: LostContact
    outcome: str
    field_attrs: ClassVar[dict[str, str | None]] = {}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet until enough attempts went unanswered for long enough at the checkpoint."""
        rule = self.rule
        due = lost_contact_due(rule, facts.data.get(self.outcome), facts.contacts)
        if due is not None and due <= facts.today:
            return None
        answered, unanswered = _at_checkpoint(rule, facts.contacts)
        detail = {
            "checkpoint": rule.at_checkpoint,
            "unanswered": len(unanswered),
            "needed": rule.attempts,
            "over": str(rule.unanswered_over),
            "met_on": due.isoformat() if due else None,
        }
        if answered or facts.data.get(self.outcome) not in (None, ""):
            why = f"the young person answered at checkpoint {rule.at_checkpoint}"
        elif due is None:
            why = (
                f"{len(unanswered)} of {rule.attempts} unanswered attempts at checkpoint "
                f"{rule.at_checkpoint}"
            )
        else:
            why = f"attempts at checkpoint {rule.at_checkpoint} unanswered only until {due}"
        return Unmet("lost_contact_rule", f"lost contact not established: {why}", detail)


def engine_guards(workflow: Workflow, trigger: str) -> list[GuardBase]:
    """Return the guards the engine adds to a trigger (the lost-contact rule on its trigger)."""
    spec = workflow.follow_up
    if spec is None or spec.lost_contact is None or spec.lost_contact.trigger != trigger:
        return []
    at = next((c for c in spec.checkpoints if c.id == spec.lost_contact.at_checkpoint), None)
    if at is None:
        return []
    return [LostContactRule(rule=spec.lost_contact, outcome=at.outcome)]


@dataclass(frozen=True)
class CheckpointView:
    """Where one checkpoint stands for a case."""

    id: str
    opens_on: date | None
    status: Literal["not_open", "not_yet_asked", "unknown", "recorded"]
    outcome: str | None
    source: str | None
    date: str | None
    confidence: str | None
    attempts: int
    answered: int


def checkpoints_view(
    workflow: Workflow,
    data: Mapping[str, Any],
    attempts: Sequence[ContactAttempt],
    today: date,
) -> list[CheckpointView]:
    """Describe each checkpoint: opened or not, not yet asked, unknown or recorded."""
    spec = workflow.follow_up
    views = []
    for checkpoint in spec.checkpoints if spec else ():
        day = opens_on(workflow, checkpoint, data)
        outcome = data.get(checkpoint.outcome)
        mine = [a for a in attempts if a.checkpoint == checkpoint.id]
        if outcome == UNKNOWN:
            status: Literal["not_open", "not_yet_asked", "unknown", "recorded"] = "unknown"
        elif outcome:
            status = "recorded"
        elif checkpoint.survey is None or day is None or day > today:
            status = "not_open"  # the final checkpoint opens when the follow-up ends
        else:
            status = "not_yet_asked"
        views.append(
            CheckpointView(
                checkpoint.id,
                day,
                status,
                outcome,
                data.get(checkpoint.source),
                data.get(checkpoint.date),
                data.get(checkpoint.confidence),
                len(mine),
                sum(1 for a in mine if a.answered),
            )
        )
    return views


LOST_CONTACT_DUE = "lost_contact_due"


def follow_up_problems(workflow: Workflow) -> list[tuple[Path, str]]:
    """Lint the follow-up section: fields, rules, checkpoints and the lost-contact trigger."""
    spec = workflow.follow_up
    if spec is None:
        return []
    problems: list[tuple[Path, str]] = []
    for j, state in enumerate(spec.states):
        if state not in workflow.states:
            problems.append((("follow_up", "states", j), f"unknown state '{state}'"))
    ids = [c.id for c in spec.checkpoints]
    for i, c in enumerate(spec.checkpoints):
        if ids.index(c.id) != i:
            problems.append((("follow_up", "checkpoints", i, "id"), f"'{c.id}' is declared twice"))
        problems += _checkpoint_problems(workflow, ("follow_up", "checkpoints", i), c)
    if spec.lost_contact is not None:
        problems += _lost_contact_problems(workflow, spec)
    return problems


def _checkpoint_problems(workflow: Workflow, path: Path, c: Checkpoint) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    fields, rules = workflow.fields, {r.id: r for r in workflow.reminders}
    outcome = fields.get(c.outcome)
    if outcome is None:
        problems.append(((*path, "outcome"), f"unknown field '{c.outcome}'"))
    elif outcome.type != "enum" or UNKNOWN not in (outcome.values or []):
        problems.append(
            ((*path, "outcome"), f"field '{c.outcome}' must be an enum offering '{UNKNOWN}'")
        )
    for name, kind, values in (
        (c.source, "enum", OUTCOME_SOURCES),
        (c.date, "date", None),
        (c.confidence, "enum", CONFIDENCES),
    ):
        declared = fields.get(name)
        if declared is None:
            problems.append(((*path, "outcome"), f"checkpoint needs {_a(kind)} field '{name}'"))
        elif declared.type != kind or (values and set(declared.values or []) - set(values)):
            allowed = f" with values among {list(values)}" if values else ""
            problems.append(((*path, "outcome"), f"field '{name}' must be {_a(kind)}{allowed}"))
    if c.survey is not None:
        rule = rules.get(c.survey)
        if rule is None:
            problems.append(((*path, "survey"), f"unknown reminder rule '{c.survey}'"))
        elif rule.anchor.field is None:
            problems.append(((*path, "survey"), f"rule '{c.survey}' must hang on a date field"))
    return problems


def _lost_contact_problems(workflow: Workflow, spec: FollowUp) -> list[tuple[Path, str]]:
    assert spec.lost_contact is not None  # noqa: S101 - checked by the caller
    rule, path = spec.lost_contact, ("follow_up", "lost_contact")
    problems: list[tuple[Path, str]] = []
    at = next((c for c in spec.checkpoints if c.id == rule.at_checkpoint), None)
    if at is None:
        problems.append(((*path, "at_checkpoint"), f"unknown checkpoint '{rule.at_checkpoint}'"))
    elif at.survey is None:
        problems.append(
            ((*path, "at_checkpoint"), f"checkpoint '{at.id}' has no survey: nobody is tried")
        )
    matching = [t for t in workflow.transitions if t.trigger == rule.trigger]
    if not matching:
        problems.append(((*path, "trigger"), f"unknown trigger '{rule.trigger}'"))
    elif not any(SYSTEM_ROLE in t.roles for t in matching):
        problems.append(((*path, "trigger"), f"trigger '{rule.trigger}' must allow 'system'"))
    due = workflow.fields.get(LOST_CONTACT_DUE)
    if due is None or due.type != "date":
        problems.append((path, f"the rule needs a date field '{LOST_CONTACT_DUE}' (its timer)"))
    return problems
