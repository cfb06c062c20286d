"""Where a synchronous handler's work runs: in a worker thread, or, when it is short and the
database is SQLite, on the event loop itself.

Litestar runs a synchronous handler in a worker thread, so that its database waits do not stop
the event loop. Handing the work over and the answer back costs ~230 µs of CPU per request on
a 2-core machine (bench/thread_hop.py), twice or more Litestar's own request handling and a
quarter of what firing a transition costs on SQLite. There the database is a file
this process opens itself: a short unit of work waits on no network, only, now and then, on
another writer. So a handler declared `inline` (`routes.route(..., inline=True)`: one short unit
of work on one case):

- on SQLite, runs on the event loop inside `without_waiting()` (services/waiting.py): when
  another writer holds the write lock, it stops before writing anything and runs again from
  the start in a worker thread, where waiting is harmless; the loop never waits for a lock;
- on PostgreSQL (network round trips), always runs in a worker thread.

Anything else the handler raises propagates as from the thread: same problems, same logs.

What still runs on the loop, by design: the handler's own CPU (a transition: ~1 ms), and, once
every few hundred transitions, the checkpoint SQLite runs in the commit that takes its
write-ahead log past 1,000 pages (~4 MB copied, two fsyncs), as it ran in the committing thread
before. An inline handler must do at most one write unit of work: after one has committed, a
second would wait for the lock on the loop. A writer waiting in a worker thread is not starved
by the loop: it waits without the GIL and takes the lock as soon as it is released, well before
the loop's next request tries it (and a request that finds it taken joins the wait in a thread).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Request
from litestar.concurrency import sync_to_thread

from ipm_workflow.services.waiting import WouldWait, without_waiting

T = TypeVar("T")


def inline_when_local(handler: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Wrap a synchronous handler into a coroutine with the same parameters (plus `request`,
    which Litestar provides, when the handler does not take it) that runs it as the module doc
    says."""
    if inspect.iscoroutinefunction(handler):
        raise TypeError(f"{handler.__qualname__}: only a synchronous handler can be inline")
    signature = inspect.signature(handler)
    takes_request = "request" in signature.parameters

    @functools.wraps(handler)
    async def run(*args: Any, **kwargs: Any) -> T:
        request = kwargs["request"] if takes_request else kwargs.pop("request")
        if request.app.state.container.uow.local:
            try:
                with without_waiting():
                    return handler(*args, **kwargs)
            except WouldWait:
                pass  # nothing was written: run it again where it may wait
        return await sync_to_thread(handler, *args, **kwargs)

    if not takes_request:
        extra = inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        params = list(signature.parameters.values())
        at = next(
            (i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD),
            len(params),
        )
        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*params[:at], extra, *params[at:]]
        )
        # A new dict: functools.wraps shared the handler's own.
        run.__annotations__ = {**handler.__annotations__, "request": Request}
    return run
