"""What a process remembers for a few seconds: credentials checked moments ago (API tokens,
page sessions), so that each request need not read the database to authenticate.

A revocation in this process forgets at once; another server process forgets when the entry
expires (`remember`, a few seconds). Entries never outlive the credential's own expiry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

V = TypeVar("V")
# Past this many entries the memory starts afresh (a flood of distinct credentials).
MAX_ENTRIES = 10_000


class Remembered(Generic[V]):
    """Values by key, each until a moment; thread-safe (read on the event loop and in threads)."""

    def __init__(self, remember: timedelta) -> None:
        self.remember = remember
        self._known: dict[str, tuple[V, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: datetime) -> V | None:
        """The value kept for a key, if it has not expired."""
        with self._lock:
            known = self._known.get(key)
        return known[0] if known is not None and known[1] > now else None

    def keep(self, key: str, value: V, now: datetime, expires_at: datetime) -> None:
        """Remember a value for `remember`, and never past `expires_at`."""
        with self._lock:
            if len(self._known) > MAX_ENTRIES:
                self._known.clear()
            self._known[key] = (value, min(now + self.remember, expires_at))

    def forget(self, key: str | None = None) -> None:
        """Forget one key, or everything."""
        with self._lock:
            if key is None:
                self._known.clear()
            else:
                self._known.pop(key, None)

    def forget_where(self, drop: Callable[[V], bool]) -> None:
        """Forget every value for which `drop` answers True."""
        with self._lock:
            for key in [k for k, (v, _) in self._known.items() if drop(v)]:
                del self._known[key]
