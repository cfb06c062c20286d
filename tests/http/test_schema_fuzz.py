"""Fuzzing the live OpenAPI schema with schemathesis: no 5xx, and answers that conform."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import structlog
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.people import Person, User
from ipm_workflow.entrypoints.http.app import create_app
from ipm_workflow.entrypoints.http.auth import FailureBrake
from ipm_workflow.logging import configure_logging
from ipm_workflow.services.commands import Actor, OpenCase

INTEGER_OVERFLOW = 2**31
# 200 examples per operation and database took 9.5 min on SQLite on a busy 2-core machine;
# IPM_FUZZ_EXAMPLES lowers it for a quick local run (CI keeps the default).
EXAMPLES = int(os.environ.get("IPM_FUZZ_EXAMPLES", "200"))
# Reads (GET, half the operations) get a quarter of that. A read changes nothing, so each of
# its examples meets the same database; its inputs are a few path and query parameters, a far
# smaller space than the bodies of the writes. Writes keep every example: theirs are bodies,
# and each builds on the state the earlier ones left. The fuzz took ~8 of the suite's 33 min.
READ_EXAMPLES = max(1, EXAMPLES // 4)
READS = ["GET", "HEAD", "OPTIONS"]


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


def _application() -> Litestar:
    """The real application, built at import so that schemathesis can read its schema."""
    # schemathesis makes one test per operation at collection time, before any fixture exists:
    # the app starts on a placeholder database and each test points it at its own.
    root = logging.getLogger()
    handlers, level, saved = list(root.handlers), root.level, structlog.get_config()
    url = f"sqlite:///{Path(PLACEHOLDER.name) / 'placeholder.sqlite3'}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    settings = Settings(database_url=url, workflows_dir=ROOT / "workflows", log_format="json")
    app = create_app(settings, container=bootstrap(settings))
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**saved)
    return app


PLACEHOLDER = tempfile.TemporaryDirectory(prefix="ipm-fuzz-")
APP = _application()
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", APP)


@pytest.fixture
def fuzz_headers(
    container: Container, users: dict[str, User], person: Person
) -> Iterator[dict[str, str]]:
    """ML A's advisor's bearer header, with the app on the test database holding a case."""
    assert person.id is not None
    advisor = users["advisor_a"]
    container.cases.open_case(
        OpenCase(
            person.id,
            "erasmus_vet_long",
            "ml-a",
            advisor.id,
            {"cv_attached": True, "privacy_notice_given": True},
        ),
        Actor.of(advisor),
    )
    placeholder = APP.state.container
    APP.state.container = container
    APP.state.brake = FailureBrake(free=10**6, block_after=10**6)
    root = logging.getLogger()
    handlers, level, saved = list(root.handlers), root.level, structlog.get_config()
    # JSON logs: the console renderer draws each 500's traceback with rich, seconds apiece.
    configure_logging("json")
    yield {"Authorization": f"Bearer {container.tokens.issue(advisor.username).token}"}
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**saved)
    APP.state.container = placeholder


def _fuzzed(examples: int) -> Any:
    """Hypothesis' settings for one operation: derandomised, so that a run repeats the last
    one's examples (a failure seen once is seen again, and timings compare)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        # The fixture sets up one database per operation; its examples share it on purpose.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )


def _fuzz(operations: Any, examples: int) -> Any:
    """A test of each of these operations: no generated request makes the server fail, and
    every answer matches the schema."""

    @operations.parametrize()
    @_fuzzed(examples)
    def test(self: Any, case: schemathesis.Case, fuzz_headers: dict[str, str]) -> None:
        case.call_and_validate(headers=fuzz_headers, checks=CHECKS)

    return test


class TestSchemaFuzz:
    """Every operation of the schema, fuzzed: the writes, then the reads."""

    test_api_conforms_to_its_schema = _fuzz(schema.exclude(method=READS), EXAMPLES)
    test_reads_conform_to_the_schema = _fuzz(schema.include(method=READS), READ_EXAMPLES)
