"""Messages and the ports through which they leave: channels and templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any, Literal, Protocol

ChannelName = Literal["email", "sms", "in_app"]


@dataclass(frozen=True)
class Message:
    """A rendered reminder, addressed and identified for one delivery channel."""

    reminder_id: int
    case_id: int
    channel: ChannelName
    to: tuple[str, ...]
    subject: str
    body: str
    message_id: str
    language: str


class DeliveryError(Exception):
    """A channel could not deliver; temporary failures are retried, permanent ones are not."""

    def __init__(self, message: str, *, temporary: bool = True) -> None:
        super().__init__(message)
        self.temporary = temporary


class Channel(Protocol):
    """A way out for messages (SMTP, an SMS provider, the in-app list, a sandbox outbox)."""

    async def send(self, message: Message) -> None:
        """Deliver one message or raise DeliveryError."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class Renderer(Protocol):
    """Turns a template name and a language into a subject and a body."""

    def render(self, template: str, language: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """Render one message."""
        ...


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the worker delivers: quiet hours, retries, leases, special addresses."""

    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    max_attempts: int = 6
    backoff_base: timedelta = timedelta(minutes=1)
    backoff_max: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(minutes=5)
    batch: int = 100
    message_id_domain: str = "ipm-workflow.example.org"
    public_url: str = "http://127.0.0.1:8000"
    finance_email: str | None = None
    supervisor_email: str | None = None
    sms_enabled: bool = False

    def backoff(self, attempts: int) -> timedelta:
        """Wait before the next attempt: doubling from the base, capped."""
        doubling = 1 << min(30, max(0, attempts - 1))
        return min(self.backoff_max, self.backoff_base * doubling)
