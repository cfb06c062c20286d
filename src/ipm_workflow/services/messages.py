"""Messages and the ports through which they leave: channels and templates."""

from __future__ import annotations

import unicodedata
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
    # Set when a fallback receives it: for whom it was meant, and why they could not be reached.
    instead_of: str | None = None
    # Who receives it, named (routing.Route.addressee): in-app messages too.
    addressee: str | None = None


class DeliveryError(Exception):
    """A channel could not deliver; temporary failures are retried, permanent ones are not."""

    def __init__(self, message: str, *, temporary: bool = True) -> None:
        super().__init__(message)
        self.temporary = temporary


class RenderingFault(DeliveryError):
    """A message cannot be built (template, header with a line break, bad address): permanent."""

    def __init__(self, message: str) -> None:
        super().__init__(message, temporary=False)


def single_line_fault(field: str, value: str) -> str | None:
    """Say why a value cannot stand in a one-line header (control character), if it cannot."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return f"the {field} contains a control character ({char!r}): it cannot be a header"
    return None


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
        """Render one message (subject, body); RenderingFault when it cannot be rendered."""
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
    # Base of links in messages (IPM_PUBLIC_URL, else the server's own address).
    public_url: str = ""
    finance_email: str | None = None
    supervisor_email: str | None = None
    sms_enabled: bool = False

    def backoff(self, attempts: int) -> timedelta:
        """Wait before the next attempt: doubling from the base, capped."""
        doubling = 1 << min(30, max(0, attempts - 1))
        return min(self.backoff_max, self.backoff_base * doubling)
