"""SMS through a provider's HTTP API (JSON POST with a bearer key)."""

from __future__ import annotations

import httpx

from ipm_workflow.services.messages import DeliveryError, Message

SMS_LIMIT = 480  # three concatenated SMS segments


class HttpSmsChannel:
    """Posts `{to, text, reference}`; 5xx, 429 and network errors are retried, other 4xx not."""

    def __init__(self, endpoint: str, api_key: str | None, timeout: float = 10.0) -> None:
        self.endpoint = endpoint
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def send(self, message: Message) -> None:
        """Deliver one SMS or raise DeliveryError."""
        text = f"{message.subject}\n{message.body}".strip()
        if len(text) > SMS_LIMIT:
            text = text[: SMS_LIMIT - 1] + "…"
        for number in message.to:
            try:
                response = await self._client.post(
                    self.endpoint,
                    json={"to": number, "text": text, "reference": message.message_id},
                )
            except httpx.HTTPError as exc:
                raise DeliveryError(f"SMS provider unreachable: {exc}") from exc
            if response.status_code >= 500 or response.status_code == 429:
                raise DeliveryError(f"SMS provider error {response.status_code}")
            if response.status_code >= 400:
                raise DeliveryError(
                    f"SMS refused ({response.status_code}): {response.text[:200]}", temporary=False
                )

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


class InAppChannel:
    """In-app messages are the reminder rows themselves, shown on the case: nothing leaves."""

    async def send(self, message: Message) -> None:
        """Nothing to transmit."""

    async def close(self) -> None:
        """Nothing to release."""
