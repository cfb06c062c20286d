"""Response bodies built from the domain objects they show, field by field, written once.

A response model names its fields; most are the same attributes of the object it renders
(a dataclass, a record, a service's view). `from_attributes` copies those and takes the rest
(ids that may be None, derived or reformatted values) as given.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def from_attributes(model: type[M], source: object, **given: Any) -> M:
    """An instance of `model` whose fields are `source`'s attributes of the same names, except
    those `given`; AttributeError when `source` lacks one (a renamed field is a bug, not a
    silent default), pydantic's ValidationError when a value does not fit."""
    copied = {name: getattr(source, name) for name in model.model_fields if name not in given}
    return model(**copied, **given)
