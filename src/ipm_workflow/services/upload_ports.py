"""Ports of the uploads: where files are kept, who scans them, and their rows."""

from __future__ import annotations

from typing import Protocol

from ipm_workflow.domain.uploads import ScanVerdict, Upload


class FileStore(Protocol):
    """A storage area for uploaded files, outside the database (a folder; later S3-compatible).

    Keys are chosen by the service (random), never taken from what a user sent.
    """

    def put(self, key: str, content: bytes) -> None:
        """Store a file under a new key."""
        ...

    def read(self, key: str) -> bytes:
        """Return a stored file's content; NotFound when it is gone."""
        ...

    def delete(self, key: str) -> None:
        """Delete a stored file (nothing happens when it is already gone)."""
        ...


class Scanner(Protocol):
    """A virus scanner: clamd when configured, otherwise nothing is scanned."""

    def scan(self, content: bytes) -> ScanVerdict:
        """Scan a file; raise ScannerUnavailable when a configured scanner does not answer."""
        ...


class NoScanner:
    """No scanner configured: every file is recorded as not scanned."""

    def scan(self, content: bytes) -> ScanVerdict:
        """Scan nothing."""
        return ScanVerdict(scanned=False)


class UploadRepository(Protocol):
    """Uploads' rows, inside a unit of work."""

    def add(self, upload: Upload) -> int:
        """Insert an upload and return its id."""
        ...

    def get(self, upload_id: int) -> Upload:
        """Return an upload, or raise NotFound."""
        ...

    def for_case(self, case_id: int) -> list[Upload]:
        """Return a case's uploads, newest first."""
        ...

    def for_person(self, person_id: int) -> list[Upload]:
        """Return every upload of a person's cases, oldest first."""
        ...

    def awaiting(self, mission_locales: list[str] | None, limit: int) -> list[Upload]:
        """Uploads still to validate on the cases of some missions locales (None: all)."""
        ...

    def update(self, upload: Upload) -> None:
        """Write an upload's decision, validity dates and storage key."""
        ...

    def move_to_case(self, from_case: int, to_case: int, to_person: int) -> list[int]:
        """Move a case's uploads to another case and its person (a merge); their ids."""
        ...
