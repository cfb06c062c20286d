"""ClamAV's clamd, spoken over its INSTREAM protocol on a Unix or TCP socket.

The protocol is small (`zINSTREAM\\0`, then chunks each prefixed by its 4-byte big-endian
length, a zero-length chunk to end; the answer is `stream: OK` or `stream: <name> FOUND`), and
the Python clients on PyPI are unmaintained (clamd 1.0.2, 2014; pyclamd 0.4, 2017) or async-only,
so it is written here.
"""

from __future__ import annotations

import socket
import struct

from ipm_workflow.domain.uploads import ScannerUnavailable, ScanVerdict

CHUNK = 64 * 1024
_MAX_ANSWER = 4096


class ClamdScanner:
    """Scan files with clamd at `unix:/path/clamd.ctl` or `tcp://host:3310` (or `host:port`)."""

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        if self.address.startswith("unix:"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.address.removeprefix("unix:").removeprefix("//"))
            return sock
        host, _, port = self.address.removeprefix("tcp://").rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=self.timeout)

    def scan(self, content: bytes) -> ScanVerdict:
        """Stream the file to clamd; flagged files carry the signature's name."""
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(content), CHUNK):
                    chunk = content[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                answer = _read_answer(sock)
        except OSError as exc:
            raise ScannerUnavailable(
                f"the virus scanner did not answer ({type(exc).__name__})"
            ) from exc
        return _verdict(answer)


def _read_answer(sock: socket.socket) -> str:
    data = b""
    while b"\0" not in data and len(data) < _MAX_ANSWER:
        part = sock.recv(1024)
        if not part:
            break
        data += part
    return data.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _verdict(answer: str) -> ScanVerdict:
    """Read clamd's answer: `stream: OK`, `stream: <signature> FOUND`, or `… ERROR`."""
    result = answer.split(":", 1)[-1].strip()
    if result == "OK":
        return ScanVerdict(scanned=True)
    if result.endswith(" FOUND"):
        return ScanVerdict(scanned=True, signature=result.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"the virus scanner could not scan the file: {result[:200]}")
