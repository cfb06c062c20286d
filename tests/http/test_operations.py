"""Operations through the HTTP API: liveness, readiness, the OpenAPI schema, request ids."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.adapters.db import migrate
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.registry import WorkflowRegistry
from journey import CASES, ApiJourney
from journey.writers import another_process_writing

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
UNDOCUMENTED_ERRORS = (
    "schema gap: operations document only Litestar's default 400 (application/json, "
    "{status_code, detail, extra}); the API answers 401/403/404/409/422 as "
    "application/problem+json, and its 400 too, so no error answer matches the schema"
)


class TestHealth:
    """GET /health."""

    def test_alive_without_a_token(self, client: TestClient[Litestar]) -> None:
        """The liveness probe answers 200 without authentication."""
        response = client.get("/health")
        expected = (200, {"status": "ok"})
        assert expected == (response.status_code, response.json())


class TestReady:
    """GET /ready."""

    def test_ready_on_a_current_schema(
        self, client: TestClient[Litestar], registry: WorkflowRegistry
    ) -> None:
        """The readiness probe checks the database, the migrations and the workflows."""
        response = client.get("/ready")
        expected = (
            200,
            {
                "status": "ready",
                "database": "ok",
                "migrations": "current",
                "workflows": len(registry.all()),
            },
        )
        assert expected == (response.status_code, response.json())

    @pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
    def test_ready_while_another_process_writes(
        self, client: TestClient[Litestar], container: Container
    ) -> None:
        """The probe only reads: SQLite's write lock held elsewhere does not hold it back."""
        with another_process_writing(container):
            response = client.get("/ready")
        assert (response.status_code, response.json()["status"]) == (200, "ready")

    def test_not_ready_with_pending_migrations(
        self, client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Pending migrations make the probe answer 503 and name them."""
        monkeypatch.setattr(migrate, "pending", lambda _engine: ["9999_future"])
        response = client.get("/ready")
        expected = (503, "not ready", "pending: 9999_future")
        actual = (response.status_code, response.json()["status"], response.json()["migrations"])
        assert expected == actual


class TestSchema:
    """GET /schema."""

    def test_openapi_31_without_a_token(self, client: TestClient[Litestar]) -> None:
        """The OpenAPI document is public and declares version 3.1."""
        response = client.get("/schema/openapi.json")
        expected = 200
        assert expected == response.status_code
        assert response.json()["openapi"].startswith("3.1")

    def test_declares_bearer_security(self, client: TestClient[Litestar]) -> None:
        """The schema declares the bearer-token scheme and applies it globally."""
        schema = client.get("/schema/openapi.json").json()
        expected = ("http", "bearer", [{"BearerToken": []}])
        scheme = schema["components"]["securitySchemes"]["BearerToken"]
        assert expected == (scheme["type"], scheme["scheme"], schema["security"])

    def test_lists_the_api_paths(self, client: TestClient[Litestar]) -> None:
        """The endpoints of the issue appear in the schema (the matrix test checks them all)."""
        paths = set(client.get("/schema/openapi.json").json()["paths"])
        expected = {
            "/health",
            "/ready",
            "/api/v1/people",
            "/api/v1/people/{person_id}",
            "/api/v1/cases",
            "/api/v1/cases/{case_id}",
            "/api/v1/cases/{case_id}/actions",
            "/api/v1/cases/{case_id}/transitions",
            "/api/v1/cases/{case_id}/data",
            "/api/v1/cases/{case_id}/documents/{document}",
            "/api/v1/cases/{case_id}/reassignments",
            "/api/v1/cases/{case_id}/history",
            "/api/v1/workflows",
            "/api/v1/workflows/{name}",
            "/api/v1/workflows/{name}/versions/{version}",
            "/api/v1/audit/entries",
            "/api/v1/audit/verify",
            "/api/v1/admin/users",
            "/api/v1/admin/users/{username}",
            "/api/v1/admin/users/{username}/tokens",
            "/api/v1/admin/tokens/{token_id}",
        }
        assert expected == expected & paths

    def test_documents_the_error_answers(self, client: TestClient[Litestar]) -> None:
        """Each authenticated operation documents its 401 and 422 answers as problem+json."""
        schema = client.get("/schema/openapi.json").json()
        gaps = [
            f"{method.upper()} {path} {status}"
            for path, operations in schema["paths"].items()
            if path not in ("/health", "/ready")
            for method, operation in operations.items()
            for status in ("401", "422")
            if "application/problem+json"
            not in operation["responses"].get(status, {}).get("content", {})
        ]
        expected = []
        assert expected == gaps

    def test_html_page_without_a_token(self, client: TestClient[Litestar]) -> None:
        """The human-readable schema page is public too."""
        response = client.get("/schema")
        expected = (200, "text/html")
        assert expected == (response.status_code, response.headers["content-type"].split(";")[0])


class TestOptions:
    """OPTIONS, which Litestar answers itself."""

    @pytest.mark.parametrize(
        "path", ["/api/v1/cases", "/api/v1/cases/1/transitions", "/api/v1/audit/entries"]
    )
    def test_lists_allowed_methods_without_a_token(
        self, client: TestClient[Litestar], path: str
    ) -> None:
        """OPTIONS answers 204 with the Allow header (it used to crash in the role guard: 500)."""
        response = client.options(path)
        expected = 204
        assert expected == response.status_code
        assert "GET" in response.headers["allow"] or "POST" in response.headers["allow"]


class TestRequestId:
    """The X-Request-ID header: echoed, generated, and written into the history."""

    def test_given_id_is_echoed(self, api: ApiJourney) -> None:
        """A well-formed X-Request-ID comes back unchanged."""
        response = api.call("GET", CASES, headers={"X-Request-ID": "req-42.a:b"})
        expected = (200, "req-42.a:b")
        assert expected == (response.status_code, response.headers["x-request-id"])

    def test_missing_id_is_generated(self, api: ApiJourney) -> None:
        """Without X-Request-ID the answer carries a fresh one."""
        first = api.call("GET", CASES).headers["x-request-id"]
        second = api.call("GET", CASES).headers["x-request-id"]
        assert GENERATED_ID.match(first)
        assert GENERATED_ID.match(second)
        assert first != second

    @pytest.mark.parametrize("unsafe", ["has space", "x" * 65, "semi;colon"])
    def test_unsafe_id_is_replaced(self, api: ApiJourney, unsafe: str) -> None:
        """An X-Request-ID that is too long or has odd characters is replaced, not echoed."""
        response = api.call("GET", CASES, headers={"X-Request-ID": unsafe})
        assert GENERATED_ID.match(response.headers["x-request-id"])

    def test_public_endpoint_echoes_the_id(self, client: TestClient[Litestar]) -> None:
        """Even the unauthenticated probes echo the request id."""
        response = client.get("/health", headers={"X-Request-ID": "probe-1"})
        expected = "probe-1"
        assert expected == response.headers["x-request-id"]

    def test_id_is_stored_in_the_history(self, api: ApiJourney) -> None:
        """The request id of a command lands in the history entry it writes."""
        case = api.open_case()
        response = api.fire(
            case["id"],
            "log_first_contact",
            {"first_contact_date": "2026-01-05"},
            headers={"X-Request-ID": "fire-1"},
        )
        expected = 200
        assert expected == response.status_code
        expected = ("fire-1", "fire-1")
        actual = (response.json()["entry"]["request_id"], api.history(case["id"])[-1]["request_id"])
        assert expected == actual

    def test_generated_id_is_stored_in_the_history(self, api: ApiJourney) -> None:
        """A generated request id is the one stored in the history entry."""
        response = api.post_case(inputs={"cv_attached": True, "privacy_notice_given": True})
        expected = response.headers["x-request-id"]
        assert expected == api.history(response.json()["id"])[0]["request_id"]

    def test_problem_details_carry_the_id(self, api: ApiJourney) -> None:
        """An error's problem detail names the request id that the header echoes."""
        response = api.call("GET", f"{CASES}/999", headers={"X-Request-ID": "missing-1"})
        expected = (404, "missing-1", "missing-1")
        actual = (
            response.status_code,
            response.headers["x-request-id"],
            response.json()["request_id"],
        )
        assert expected == actual

    def test_unauthorised_answer_echoes_the_id(self, api: ApiJourney) -> None:
        """A 401 answer echoes X-Request-ID like every other answer."""
        response = api.call("GET", CASES, None, headers={"X-Request-ID": "anon-1"})
        expected = (401, "anon-1")
        assert expected == (response.status_code, response.headers.get("x-request-id"))
