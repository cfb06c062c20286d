"""What every model read from a workflow or rules file shares: strictness and one-of choices."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Every declared model refuses unknown keys, so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def exactly_one(model: BaseModel, subject: str, names: tuple[str, ...]) -> None:
    """Raise ValueError (a validation error in pydantic) unless exactly one of the named
    attributes is set; the message reads "<subject> exactly one of 'a', 'b' or 'c'"."""
    if sum(getattr(model, name) is not None for name in names) != 1:
        quoted = [f"'{name}'" for name in names]
        listed = f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        raise ValueError(f"{subject} exactly one of {listed}")
