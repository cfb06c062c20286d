"""Behind a reverse proxy: the failure brake counts the client address the proxy forwards."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from ipm_workflow.config import ROOT, Settings
from ipm_workflow.entrypoints.cli.operations import server_config
from ipm_workflow.entrypoints.http.auth import FailureBrake

PROXY, CLIENT, STRANGER = "127.0.0.1", "203.0.113.9", "198.51.100.7"


def served(db_url: str, trusted: list[str]) -> tuple[object, FailureBrake]:
    """The ASGI application exactly as `serve` runs it, and its failure brake."""
    settings = Settings(
        database_url=db_url, workflows_dir=ROOT / "workflows", trusted_proxies=trusted
    )
    config = server_config(settings)
    config.load()
    app = config.loaded_app
    inner = app
    while not isinstance(inner, Litestar):
        inner = inner.app
    brake: FailureBrake = inner.state.brake
    return app, brake


def fail_once(app: object, peer: str, forwarded: str) -> int:
    """Send one request with a wrong token from a peer address; return the status."""

    async def send() -> int:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://ipm.test") as http:
            response = await http.get(
                "/api/v1/cases",
                headers={"Authorization": "Bearer wrong", "X-Forwarded-For": forwarded},
            )
            return response.status_code

    return asyncio.run(send())


class TestTrustedProxies:
    """IPM_TRUSTED_PROXIES decides whose X-Forwarded-For is believed."""

    def test_a_trusted_proxy_forwards_the_client_address(self, db_url: str) -> None:
        """A failure through the proxy counts against the client it names, not the proxy."""
        app, brake = served(db_url, [PROXY])
        expected = 401
        assert expected == fail_once(app, PROXY, CLIENT)
        expected_counts = (1, 0)
        assert expected_counts == (brake.recent_failures(CLIENT), brake.recent_failures(PROXY))

    def test_anybody_else_cannot_choose_their_address(self, db_url: str) -> None:
        """A peer that is not a trusted proxy is counted under its own address."""
        app, brake = served(db_url, [PROXY])
        fail_once(app, STRANGER, CLIENT)
        expected_counts = (0, 1)
        assert expected_counts == (brake.recent_failures(CLIENT), brake.recent_failures(STRANGER))

    def test_no_trusted_proxy_believes_no_header(self, db_url: str) -> None:
        """With an empty list even a local peer's header is ignored."""
        app, brake = served(db_url, [])
        fail_once(app, PROXY, CLIENT)
        expected_counts = (0, 1)
        assert expected_counts == (brake.recent_failures(CLIENT), brake.recent_failures(PROXY))

    def test_a_misspelt_network_stops_the_start(self, tmp_path: Path) -> None:
        """A typo in the setting is refused when the settings are read."""
        with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6"):
            Settings(database_url=f"sqlite:///{tmp_path}/x.sqlite3", trusted_proxies=["10.0.0/8x"])
