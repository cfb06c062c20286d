"""Downloads: the `Content-Disposition` header of every file the API and the pages serve.

A file's name may carry what a user typed (a grant agreement number in a URL): HTTP headers are
Latin-1, so a name outside plain ASCII would break the answer (a 500). Every download names its
file through `attachment`, which keeps letters, digits, dots, dashes and underscores only.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
NAME_MAX = 120  # characters kept of a file name


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a browser save the answer as `filename` (made safe): a mapping
    of one header, `{"Content-Disposition": 'attachment; filename="..."'}`."""
    safe = _UNSAFE.sub("_", filename).strip("._")[:NAME_MAX] or "download"
    return {"Content-Disposition": f'attachment; filename="{safe}"'}
