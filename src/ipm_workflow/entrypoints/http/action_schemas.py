"""HTTP shapes of a case's actions: what may be fired, firing a trigger, and its answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ipm_workflow.domain.definitions import Labels
from ipm_workflow.domain.engine import Action
from ipm_workflow.domain.text import OptionalReason
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.schemas import Body, CaseOut, HistoryEntryOut, Ident, Int


class UnmetOut(BaseModel):
    """A condition that stops a transition."""

    code: str
    message: str
    detail: dict[str, Any]


class InputOut(BaseModel):
    """A value a trigger asks for."""

    field: str
    type: str
    required: bool
    values: list[str] | None
    label: Labels


class ActionOut(BaseModel):
    """A trigger out of the current state, allowed or denied with reasons."""

    trigger: str
    label: Labels | None
    dest: str
    allowed: bool
    roles: list[str]
    unmet: list[UnmetOut]
    inputs: list[InputOut]
    reason_required: bool
    depends_on: list[UnmetOut] = Field(
        default_factory=list,
        description="Conditions that read an input not given yet: judged when firing with it.",
    )

    @classmethod
    def of(cls, action: Action) -> ActionOut:
        """Render an action."""
        return from_attributes(
            cls,
            action,
            unmet=[UnmetOut(**u.as_dict()) for u in action.unmet],
            inputs=[from_attributes(InputOut, i) for i in action.inputs],
            depends_on=[UnmetOut(**u.as_dict()) for u in action.depends_on],
        )


class ActionsOut(BaseModel):
    """Every trigger out of the case's state for the caller."""

    case_id: int
    state: str
    version: int
    actions: list[ActionOut]


class TransitionIn(Body):
    """Fire a trigger."""

    trigger: Ident = Field(examples=["log_first_contact"])
    inputs: dict[str, Any] = Field(
        default_factory=dict, examples=[{"first_contact_date": "2026-01-06"}]
    )
    reason: OptionalReason = None
    version: Int | None = Field(
        default=None, description="Expected case version (or send If-Match)."
    )


class TransitionOut(BaseModel):
    """The case after a transition, and the history entry it wrote."""

    case: CaseOut
    entry: HistoryEntryOut
