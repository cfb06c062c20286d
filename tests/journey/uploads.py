"""Files for the upload tests, and a fake clamd (an edge we do not own) on localhost."""

from __future__ import annotations

import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The marker the fake scanner flags, as clamd flags the EICAR test file.
EICAR_LIKE = b"EICAR-LIKE-TEST-MARKER"
SIGNATURE = "Eicar-Test-Signature"


def small_pdf(text: str = "Identity card (test)") -> bytes:
    """A one-page PDF written by hand: header, catalogue, page, content stream, xref, trailer."""
    stream = f"BT /F1 12 Tf 20 40 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 80] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def jpeg_head(padding: int = 64) -> bytes:
    """The start of a JPEG file (SOI and a JFIF APP0 segment) and filler: what a type check
    reads. The browser test draws a real JPEG with the browser's canvas instead."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack("!H", len(app0) + 2) + app0 + b"\x00" * padding


class _Clamd(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        command = self._read_until(b"\0")
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = bytearray()
        while True:
            (size,) = struct.unpack("!L", self._read_exactly(4))
            if size == 0:
                break
            data += self._read_exactly(size)
        found = EICAR_LIKE in data
        self.request.sendall(f"stream: {SIGNATURE} FOUND\0".encode() if found else b"stream: OK\0")

    def _read_until(self, end: bytes) -> bytes:
        data = b""
        while not data.endswith(end):
            part = self.request.recv(1)
            if not part:
                break
            data += part
        return data

    def _read_exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = self.request.recv(size - len(data))
            if not part:
                raise ConnectionError("the client hung up mid-stream")
            data += part
        return data


@contextmanager
def fake_clamd(unix_socket: Path | None = None) -> Iterator[str]:
    """A clamd speaking INSTREAM on 127.0.0.1 (or a Unix socket), flagging EICAR_LIKE; yields
    its address as IPM_CLAMD_ADDRESS takes it."""
    server: socketserver.BaseServer
    if unix_socket is not None:
        server = socketserver.ThreadingUnixStreamServer(str(unix_socket), _Clamd)
        address = f"unix:{unix_socket}"
    else:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Clamd)
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield address
    finally:
        server.shutdown()
        server.server_close()
