"""Requests as the API reads them: UTF-8 JSON bodies, bounded nesting, no NUL anywhere.

Litestar decodes every JSON body in `Request.json()` (msgspec underneath); decoding faults that
msgspec does not report as malformed JSON (a byte that is not UTF-8, nesting past Python's
recursion limit) are mapped here, once, for every POST, PUT and PATCH.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.exceptions import ClientException, ValidationException

MAX_DEPTH = 32  # our bodies nest four levels at most; inputs and changes hold flat values


class CheckedRequest(Request[Any, Any, Any]):
    """A request whose JSON body is refused with 400/422 problem details, never a 500."""

    async def json(self) -> Any:
        """The decoded body; 400 if not UTF-8 JSON or nested too deeply, 422 for a NUL."""
        try:
            value = await super().json()
        except RecursionError:
            raise ClientException(
                f"the JSON body is nested deeper than {MAX_DEPTH} levels"
            ) from None
        except UnicodeDecodeError as exc:
            raise ClientException(
                f"the body is not UTF-8 (byte {exc.start}); send JSON encoded in UTF-8"
            ) from None
        check_body(value)
        return value


def check_body(value: Any) -> None:
    """Raise ClientException past MAX_DEPTH levels, ValidationException (with the path of each
    string) for a NUL character in a key or a value; iterative, so depth cannot crash it."""
    faults: list[dict[str, str]] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ClientException(f"the JSON body is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, str):
            if "\x00" in item:
                faults.append({"key": path or "body", "message": "contains a NUL character"})
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if "\x00" in key:
                    faults.append({"key": child_path, "message": "key contains a NUL character"})
                stack.append((child, child_path, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
    if faults:
        raise ValidationException("a text contains a NUL character", extra=sorted(faults, key=str))


async def refuse_nul_in_url(request: Request[Any, Any, Any]) -> None:
    """Refuse a NUL in the path or the query with 422 before any SQL runs: PostgreSQL cannot
    store or compare it and SQLite can, so without this the two databases would answer apart."""
    faults = []
    if "\x00" in request.scope["path"]:
        faults.append({"key": "path", "message": "contains a NUL character"})
    if b"\x00" in unquote_to_bytes(request.scope.get("query_string", b"")):
        faults.append({"key": "query", "message": "contains a NUL character"})
    if faults:
        raise ValidationException("a text contains a NUL character", extra=faults)
