"""Real servers on free localhost ports: an SMTP sink (aiosmtpd) and a fake SMS provider."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from journey.servers import free_port

_HEADERS = BytesParser(policy=email_policy)


def utc_now() -> datetime:
    """The real time, for sinks that run beside real worker processes."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Received:
    """One e-mail the SMTP sink accepted."""

    at: datetime
    message_id: str
    subject: str
    to: tuple[str, ...]
    reminder_id: int
    language: str | None
    raw: bytes


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.sink.refuse_rcpt:
            return self.sink.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        return self.sink.accept(envelope.content, tuple(envelope.rcpt_tos))


class SmtpSink:
    """A real SMTP server (aiosmtpd in a thread) that records every e-mail it accepts."""

    def __init__(self, stamp: Callable[[], datetime] = utc_now) -> None:
        self.port = free_port()
        self.stamp = stamp
        self.refuse_rcpt: str | None = None
        self.refuse_data: str | None = None
        # Called with the count after each accepted e-mail, before the server answers 250.
        self.on_accept: Callable[[int], None] | None = None
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen (again) on the sink's port."""
        controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, server_hostname="localhost"
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening: the server is down until `start` is called again."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def accept(self, content: bytes, to: tuple[str, ...]) -> str:
        """Record one message, or refuse it with the configured SMTP reply."""
        if self.refuse_data:
            return self.refuse_data
        headers = _HEADERS.parsebytes(content, headersonly=True)
        language = headers["Content-Language"]
        received = Received(
            self.stamp(),
            str(headers["Message-ID"]),
            str(headers["Subject"]),
            to,
            int(str(headers["X-IPM-Reminder"])),
            str(language) if language is not None else None,
            content,
        )
        with self._lock:
            self._received.append(received)
            count = len(self._received)
        if self.on_accept is not None:
            self.on_accept(count)
        return "250 OK"

    @property
    def received(self) -> list[Received]:
        """Every accepted e-mail, in arrival order."""
        with self._lock:
            return list(self._received)

    def count(self) -> int:
        """How many e-mails were accepted."""
        with self._lock:
            return len(self._received)

    def message_ids(self) -> Counter[str]:
        """How many times each Message-ID arrived."""
        with self._lock:
            return Counter(r.message_id for r in self._received)


class SmsProvider:
    """A fake SMS provider: an HTTP server that records JSON posts and answers a set status."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.requests.append(json.loads(body))
                provider.authorizations.append(self.headers.get("Authorization"))
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "ok"}' if provider.status < 400 else b'{"e": 1}')

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test output quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The endpoint the SMS channel posts to."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1/sms"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
