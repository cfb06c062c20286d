"""Fixtures shared by the suites that run the variant-B workflow alone (reminders, sandbox)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.config import ROOT
from ipm_workflow.domain.registry import WorkflowRegistry

from .facts import WORKFLOW, kept_logging


@pytest.fixture(scope="session")
def workflows_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped variant-B workflow and the templates, alone in a directory."""
    # Other programmes' workflow files are edited in parallel; a half-written one must not
    # stop the tests that only walk variant B.
    target = tmp_path_factory.mktemp("workflows")
    shutil.copy(ROOT / "workflows" / f"{WORKFLOW}.v1.yaml", target)
    shutil.copytree(ROOT / "workflows" / "templates", target / "templates")
    return target


@pytest.fixture(scope="session")
def registry(workflows_dir: Path) -> WorkflowRegistry:
    """The variant-B workflow, compiled once for the session."""
    return load_registry(workflows_dir)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The logging configuration as it was before the test."""
    with kept_logging():
        yield
