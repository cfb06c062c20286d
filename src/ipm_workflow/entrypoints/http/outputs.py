"""Response bodies built from the domain objects they show, field by field, written once.

A response model names its fields; most are the same attributes of the object it renders
(a dataclass, a record, a service's view). `from_attributes` copies those and takes the rest
(ids that may be None, derived or reformatted values) as given. `batch_answer` renders a batch
whose items each succeed or fail on their own, run under an Idempotency-Key.
"""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Response
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def from_attributes(model: type[M], source: object, **given: Any) -> M:
    """An instance of `model` whose fields are `source`'s attributes of the same names, except
    those `given`; AttributeError when `source` lacks one (a renamed field is a bug, not a
    silent default), pydantic's ValidationError when a value does not fit."""
    copied = {name: getattr(source, name) for name in model.model_fields if name not in given}
    return model(**copied, **given)


def replayed_header(replayed: bool) -> dict[str, str]:
    """The `Idempotent-Replayed` header of an answer to a request with an Idempotency-Key:
    "true" when the answer is the one stored by an earlier try, else "false"."""
    return {"Idempotent-Replayed": "true" if replayed else "false"}


def batch_answer(model: type[M], item: type[BaseModel], result: Any) -> Response[M]:
    """200 with `model` built from `result`'s attributes, its `items` each an `item` (from the
    attributes of one of `result.items`, each with `ok`), `succeeded` and `failed` counted, and
    the `Idempotent-Replayed` header from `result.replayed`."""
    items = [item(**vars(i)) for i in result.items]
    succeeded = sum(bool(i.ok) for i in result.items)
    body = from_attributes(
        model, result, items=items, succeeded=succeeded, failed=len(items) - succeeded
    )
    return Response(body, headers=replayed_header(result.replayed))
