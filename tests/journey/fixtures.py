"""Fixtures shared by the suites: the variant-B workflow alone, logging kept, empty databases."""

from __future__ import annotations

import functools
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlmodel import SQLModel

from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.config import ROOT
from ipm_workflow.domain.registry import WorkflowRegistry

from .facts import WORKFLOW, kept_logging

PG_ADMIN = os.environ.get("IPM_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_postgresql() -> None:
    """Skip the test (fail it with CI=true) when PostgreSQL does not answer at PG_ADMIN."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return
    except psycopg.Error as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    message = f"PostgreSQL not reachable at {PG_ADMIN} ({problem})"
    if IN_CI:
        pytest.fail(f"{message}: PostgreSQL tests are mandatory with CI=true")
    pytest.skip(f"{message}: PostgreSQL tests skipped (they run, mandatory, with CI=true)")


@contextmanager
def throwaway_postgresql(prefix: str, *, durable: bool = True) -> Iterator[str]:
    """A new, empty PostgreSQL database named `<prefix>_<pid>_<random>`, dropped on exit
    (connections forced out); yields its URL. Skips (fails with CI=true) without PostgreSQL.

    `durable=False`: commits do not wait for the WAL's fsync (on a shared disk, most of a
    PostgreSQL test's time); atomicity, isolation and locks are unchanged, only a crash of the
    server could lose the last commits.
    """
    need_postgresql()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        if not durable:
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


def workflows_of(folder: Path) -> tuple[Any, Any]:
    """The `workflows_dir` and `registry` fixtures of a test module whose tests run on the
    workflow files of `folder` instead of variant B (compiled once for the module).

    Use as `workflows_dir, registry = workflows_of(FOLDER)` at the module's top level.
    """

    @pytest.fixture(scope="module", name="workflows_dir")
    def folder_fixture() -> Path:
        return folder

    @pytest.fixture(scope="module", name="registry")
    def registry_fixture() -> WorkflowRegistry:
        return load_registry(folder)

    return folder_fixture, registry_fixture


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The logging configuration as it was before the test."""
    with kept_logging():
        yield


def empty_database(request: pytest.FixtureRequest, kind: str, folder: Path, template: Path) -> str:
    """Return the URL of a migrated, empty database: a copy of the SQLite template in a folder,
    or the run's PostgreSQL database (fixture `pg_url`) with every table emptied."""
    if kind == "sqlite":
        path = folder / "ipm.sqlite3"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    with psycopg.connect(url) as conn:
        conn.execute(_emptying(url))
    return url


@functools.cache
def _emptying(url: str) -> bytes:
    """The statements that empty every table of the database and restart its sequences, as
    `TRUNCATE ... RESTART IDENTITY` would. DELETE, because the tests leave a few rows: TRUNCATE
    makes new files for all 20 tables and fsyncs them, ~0.3 s a test against ~0.03 s here,
    over some 1,300 PostgreSQL tests. Children before parents; the same transaction."""
    names = [t.name for t in SQLModel.metadata.sorted_tables]
    with psycopg.connect(url) as conn:
        sequences = [
            f"SELECT setval('{schema}.{name}', {start}, false);"
            for schema, name, start in conn.execute(
                "SELECT s.schemaname, s.sequencename, s.start_value FROM pg_sequences s"
                " JOIN pg_depend d ON d.objid = format('%%I.%%I', s.schemaname, s.sequencename)"
                "::regclass AND d.deptype IN ('a', 'i')"
                " JOIN pg_class t ON t.oid = d.refobjid WHERE t.relname = ANY(%s)",
                [names],
            )
        ]
    deletes = [f'DELETE FROM "{name}";' for name in reversed(names)]  # noqa: S608 - our tables
    return " ".join(deletes + sequences).encode()
