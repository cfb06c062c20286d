"""E-mail over SMTP with aiosmtplib, on one kept-alive connection."""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from ipm_workflow.services.messages import DeliveryError, Message, RenderingFault


class SmtpChannel:
    """Sends e-mails; a Message-ID derived from the reminder makes any re-send recognisable."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout
        self._client: aiosmtplib.SMTP | None = None
        # One SMTP conversation at a time on the shared connection.
        self._lock = asyncio.Lock()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        client = aiosmtplib.SMTP(
            hostname=self.host, port=self.port, timeout=self.timeout, start_tls=self.starttls
        )
        await client.connect()
        if self.username and self.password:
            await client.login(self.username, self.password)
        self._client = client
        return client

    async def send(self, message: Message) -> None:
        """Deliver one e-mail or raise DeliveryError (temporary unless the server refused it)."""
        try:
            email = self._email(message)
        except (ValueError, TypeError) as exc:
            # A header that cannot be written will not be writable next time either.
            raise RenderingFault(f"the e-mail cannot be built: {exc}") from exc
        await self._send(email)

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = ", ".join(message.to)
        email["Subject"] = message.subject
        email["Message-ID"] = message.message_id
        email["Date"] = formatdate(localtime=False)
        email["X-IPM-Reminder"] = str(message.reminder_id)
        email.set_content(message.body)
        # After set_content, which resets the Content-* headers.
        email["Content-Language"] = message.language
        return email

    async def _send(self, email: EmailMessage) -> None:
        async with self._lock:
            try:
                client = await self._connected()
                await client.send_message(email)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                # 4xx refusals (mailbox busy, greylisting) are worth another try; 5xx are final.
                temporary = all(r.code < 500 for r in exc.recipients)
                raise DeliveryError(f"recipients refused: {exc}", temporary=temporary) from exc
            except aiosmtplib.SMTPResponseException as exc:
                await self._drop()
                raise DeliveryError(
                    f"SMTP {exc.code}: {exc.message}", temporary=exc.code < 500
                ) from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                await self._drop()
                raise DeliveryError(f"SMTP unreachable: {exc}") from exc

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            # A broken connection may fail to close as well; it is gone either way.
            with contextlib.suppress(Exception):
                client.close()

    async def close(self) -> None:
        """Say goodbye to the server."""
        async with self._lock:
            client, self._client = self._client, None
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
