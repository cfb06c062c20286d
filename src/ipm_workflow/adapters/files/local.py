"""A storage area for uploaded files in a local folder (the default; a port allows S3 later)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ipm_workflow.domain.errors import NotFound

# Keys are ours (random hex): anything else is refused, so no path ever comes from a user.
_KEY = re.compile(r"^[0-9a-f]{32,64}$")


class LocalFileStore:
    """Files under a root folder, fanned out by the key's first two characters."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def put(self, key: str, content: bytes) -> None:
        """Write the file under a temporary name, then move it into place (never half a file)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(path.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)

    def read(self, key: str) -> bytes:
        """Return a stored file's content; NotFound when it is gone."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("the file is no longer stored") from None

    def delete(self, key: str) -> None:
        """Delete a stored file (nothing happens when it is already gone)."""
        self._path(key).unlink(missing_ok=True)
