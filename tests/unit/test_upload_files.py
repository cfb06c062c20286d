"""What an upload may be, where it is kept, and the clamd conversation (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipm_workflow.adapters.files.clamd import ClamdScanner
from ipm_workflow.adapters.files.local import LocalFileStore
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.uploads import UploadLimits, UploadRefused, check_file
from journey.uploads import EICAR_LIKE, SIGNATURE, fake_clamd, jpeg_head, small_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class TestCheckFile:
    """The type is read from the first bytes; the limit is the setting's."""

    @pytest.mark.parametrize(
        ("content", "expected"),
        [(small_pdf(), "application/pdf"), (jpeg_head(), "image/jpeg"), (PNG, "image/png")],
        ids=["pdf", "jpeg", "png"],
    )
    def test_accepted_types(self, content: bytes, expected: str) -> None:
        """PDF, JPEG and PNG are recognised by their signatures."""
        assert expected == check_file(content, UploadLimits(10_000))

    def test_a_type_left_out_of_the_setting_is_refused(self) -> None:
        """With only PDF accepted, a PNG is of the wrong type, and the message says which."""
        with pytest.raises(UploadRefused) as refused:
            check_file(PNG, UploadLimits(10_000, ("application/pdf",)))
        expected = ("wrong_type", "the file is not one of the accepted types (pdf)")
        assert expected == (refused.value.reason, refused.value.message)

    def test_one_byte_over_the_limit(self) -> None:
        """The limit is inclusive: `max_bytes` passes, one more is refused with both sizes."""
        content = b"%PDF-" + b"x" * 95
        assert check_file(content, UploadLimits(100)) == "application/pdf"
        with pytest.raises(UploadRefused) as refused:
            check_file(content + b"x", UploadLimits(100))
        expected = ("too_large", "the file is 101 bytes; the limit is 100 bytes")
        assert expected == (refused.value.reason, refused.value.message)


class TestLocalFileStore:
    """Files under random keys only."""

    def test_put_read_delete(self, tmp_path: Path) -> None:
        """A file goes in under its key's folder, comes back whole, and goes away."""
        store, key = LocalFileStore(tmp_path), "ab" + "0" * 30
        store.put(key, b"content")
        stored = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
        assert (["ab", f"ab/{key}"], b"content") == (stored, store.read(key))
        store.delete(key)
        with pytest.raises(NotFound):
            store.read(key)

    @pytest.mark.parametrize("key", ["../../etc/passwd", "photo.jpg", "AB" + "0" * 30, ""])
    def test_a_key_that_is_not_ours_is_refused(self, tmp_path: Path, key: str) -> None:
        """Anything but lowercase hex never reaches the file system."""
        with pytest.raises(ValueError, match="not a storage key"):
            LocalFileStore(tmp_path).put(key, b"x")


class TestClamd:
    """INSTREAM over a Unix socket, as clamd.ctl is reached on Debian."""

    def test_clean_and_flagged_over_a_unix_socket(self, tmp_path: Path) -> None:
        """OK is a clean scan; FOUND names the signature; chunks cross the 64 KiB boundary."""
        big = small_pdf() + b"\x00" * 200_000
        with fake_clamd(tmp_path / "clamd.ctl") as address:
            scanner = ClamdScanner(address, timeout=30)
            clean, flagged = scanner.scan(big), scanner.scan(big + EICAR_LIKE)
        expected = ((True, None), (True, SIGNATURE))
        assert expected == ((clean.scanned, clean.signature), (flagged.scanned, flagged.signature))
