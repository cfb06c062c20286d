"""One tree of domain errors; the HTTP edge translates each kind into a problem detail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Unmet:
    """One condition that stops a transition, with what is missing."""

    code: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready view of this condition."""
        return {"code": self.code, "message": self.message, "detail": self.detail}


class DomainError(Exception):
    """Base of every error the engine raises on purpose."""

    kind = "domain-error"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class NotFound(DomainError):
    """A case, person, workflow or user does not exist (or is not visible)."""

    kind = "not-found"


class InvalidInput(DomainError):
    """Inputs of a command do not match what the workflow declares."""

    kind = "invalid-input"

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message, errors=errors)
        self.errors = errors


class _TriggerRefused(DomainError):
    """A trigger refused from a state; `allowed` lists what the caller may fire instead."""

    def __init__(
        self, message: str, trigger: str, state: str, allowed: list[str], **context: Any
    ) -> None:
        super().__init__(message, trigger=trigger, state=state, **context, allowed=allowed)
        self.trigger = trigger
        self.state = state
        self.allowed = allowed


class InvalidTransition(_TriggerRefused):
    """The trigger does not leave the case's current state."""

    kind = "invalid-transition"

    def __init__(self, trigger: str, state: str, allowed: list[str]) -> None:
        listed = ", ".join(allowed) or "none"
        message = f"'{trigger}' is not a way out of state {state}; triggers from {state}: {listed}"
        super().__init__(message, trigger, state, allowed)


class TransitionDenied(_TriggerRefused):
    """The trigger exists from this state but the actor or the case does not qualify."""

    kind = "transition-denied"

    def __init__(self, trigger: str, state: str, unmet: list[Unmet], allowed: list[str]) -> None:
        reasons = "; ".join(u.message for u in unmet)
        message = f"'{trigger}' from {state} is not allowed: {reasons}"
        super().__init__(message, trigger, state, allowed, unmet=[u.as_dict() for u in unmet])
        self.unmet = unmet


class GuardFailed(TransitionDenied):
    """One or more guards of the transition are unmet."""

    kind = "guard-failed"


class RoleNotAllowed(TransitionDenied):
    """The actor's role may not fire this trigger."""

    kind = "role-not-allowed"


class VersionConflict(DomainError):
    """The case changed since the caller read it (optimistic concurrency)."""

    kind = "version-conflict"

    def __init__(self, case_id: int, expected: int, current: int) -> None:
        super().__init__(
            f"case {case_id} is at version {current}, not {expected}: reload it and try again",
            case_id=case_id,
            expected=expected,
            current=current,
        )
        self.case_id = case_id
        self.expected = expected
        self.current = current


class Forbidden(DomainError):
    """The actor may not perform this command at all."""

    kind = "forbidden"


class _ProblemsFound(DomainError):
    """A file failed validation; the message lists every problem (its `title` first)."""

    title = "invalid"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join([f"{self.title}:", *problems]), problems=problems)
        self.problems = problems


class WorkflowInvalid(_ProblemsFound):
    """A workflow file failed validation; the message lists every problem with its place."""

    kind = "workflow-invalid"
    title = "invalid workflow definitions"


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key already served a different request."""

    kind = "idempotency-key-reused"


class MigrationRefused(DomainError):
    """A workflow migration would leave cases in states the new version does not have."""

    kind = "migration-refused"


class AlreadyExists(DomainError):
    """Something with this unique name exists already."""

    kind = "already-exists"


class SuspensionRefused(DomainError):
    """A suspend or resume that does not apply to the case as it is (terminal, already so)."""

    kind = "suspension-refused"


class RetentionConfigInvalid(_ProblemsFound):
    """The retention rules file failed validation; each problem names the file and place."""

    kind = "retention-config-invalid"
    title = "invalid retention rules"
