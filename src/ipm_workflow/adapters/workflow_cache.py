"""Workflow files that passed every check, remembered by content so each start skips parsing.

Parsing with ruamel's round-trip loader (kept for the line numbers of error messages) is most of
a command's start-up. A file whose exact bytes already passed, under the exact same checking
code, is read back from a JSON copy of its definition instead. Any change to the file or to the
code that parses, validates or lints it changes the key; any problem with the cache only costs
the slow path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from ipm_workflow.config import ROOT
from ipm_workflow.domain.definitions import Workflow

CACHE_DIR = ROOT / "var" / "cache" / "workflows"
PACKAGE = Path(__file__).resolve().parents[1]


@cache
def _code_fingerprint() -> bytes:
    """Digest of the code that decides whether a file is sound (domain rules and this loader)."""
    digest = hashlib.sha256()
    sources = [
        *sorted((PACKAGE / "domain").glob("*.py")),
        PACKAGE / "adapters" / "workflow_files.py",
    ]
    for source in [*sources, Path(__file__)]:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.digest()


def _path(content: bytes) -> Path:
    return CACHE_DIR / f"{hashlib.sha256(_code_fingerprint() + content).hexdigest()}.json"


def recall(content: bytes) -> Workflow | None:
    """The definition of a file with these bytes that passed before, or None."""
    try:
        return Workflow.model_validate_json(_path(content).read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def remember(content: bytes, workflow: Workflow) -> None:
    """Keep a sound file's definition (atomically; a read-only disk only loses the speed-up)."""
    target = _path(content)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False) as out:
            out.write(workflow.model_dump_json().encode())
        os.replace(out.name, target)
    except OSError:
        return
