"""A workflows folder with two versions of the long internship, for migration tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings

V1 = ROOT / "workflows" / "erasmus_vet_long.v1.yaml"


@pytest.fixture
def workflows_v2(tmp_path: Path) -> Path:
    """Version 1 as shipped, and a version 2 that renames WAITLISTED and drops POSTPONED."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    shutil.copytree(ROOT / "workflows" / "templates", folder / "templates")
    shutil.copy(V1, folder / V1.name)
    text = V1.read_text(encoding="utf-8").replace("version: 1\n", "version: 2\n", 1)
    text = text.replace("WAITLISTED", "WAITING_LIST")
    (folder / "erasmus_vet_long.v2.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def container(db_url: str, clock: ManualClock, workflows_v2: Path) -> Iterator[Container]:
    """The application on both versions of the workflow."""
    built = bootstrap(Settings(database_url=db_url, workflows_dir=workflows_v2), clock=clock)
    yield built
    built.close()
