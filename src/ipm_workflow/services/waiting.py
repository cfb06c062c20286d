"""Database work that must not wait for another writer, and what happens when it would.

A short request served on the event loop instead of a worker thread (SQLite, see
`entrypoints/http/offload.py`) must never block the loop while another writer holds the
database: it runs inside `without_waiting()`, and the first unit of work that would wait for the
write lock raises `WouldWait` instead, before anything was written. The caller then runs the
whole work again where waiting is harmless (a worker thread).

Once one of its writes has committed, the work can no longer be run again from the start (the
write would be done twice): from then on its units of work wait as usual (`may_wait()`).
Read-only units of work never take the write lock and are unaffected (SQLite's write-ahead log
lets readers read while a writer writes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


class WouldWait(Exception):
    """The database's write lock is held by another writer, and this work may not wait for it
    (nothing was written: the work can be run again from the start)."""


@dataclass
class _Attempt:
    wrote: bool = False


_ATTEMPT: ContextVar[_Attempt | None] = ContextVar("ipm_without_waiting", default=None)


@contextmanager
def without_waiting() -> Iterator[None]:
    """Run the block's database work without waiting for another writer: the first write unit
    of work that would wait raises `WouldWait` (see the module doc)."""
    token = _ATTEMPT.set(_Attempt())
    try:
        yield
    finally:
        _ATTEMPT.reset(token)


def may_wait() -> bool:
    """Whether a write unit of work opened now may wait for the write lock: True outside
    `without_waiting()`, and inside it once a write has committed."""
    attempt = _ATTEMPT.get()
    return attempt is None or attempt.wrote


def wrote() -> None:
    """Record that a write committed: the work cannot run again, so it may wait from now on."""
    attempt = _ATTEMPT.get()
    if attempt is not None:
        attempt.wrote = True
