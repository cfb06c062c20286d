"""The published OpenAPI schema says what the server does."""

from __future__ import annotations

from typing import Any

import pytest

from ipm_workflow.entrypoints.http.schemas import Body
from journey import CASES, ApiJourney


def _schema(api: ApiJourney) -> dict[str, Any]:
    schema: dict[str, Any] = api.client.get("/schema/openapi.json").json()
    return schema


class TestPublishedSchema:
    """/schema/openapi.json against the server's behaviour."""

    @pytest.mark.parametrize("path", ["/health", "/ready"])
    def test_probes_are_public_in_the_schema_and_in_fact(self, api: ApiJourney, path: str) -> None:
        """The probes declare no security requirement, and answer without a token."""
        operation = _schema(api)["paths"][path]["get"]
        expected = ([], 200)
        assert expected == (operation.get("security"), api.client.get(path).status_code)

    def test_other_operations_need_the_token(self, api: ApiJourney) -> None:
        """The global requirement stays for everything else."""
        schema = _schema(api)
        expected = ([{"BearerToken": []}], None)
        assert expected == (schema["security"], schema["paths"][CASES]["get"].get("security"))

    def test_every_request_body_is_closed(self, api: ApiJourney) -> None:
        """Each body model refuses unknown keys, and the schema says so."""
        components = _schema(api)["components"]["schemas"]
        bodies = {n for n in components if n.endswith(("In", "Patch"))}
        assert bodies
        expected = dict.fromkeys(bodies, False)
        assert expected == {n: components[n].get("additionalProperties") for n in bodies}

    def test_unknown_key_is_refused(self, api: ApiJourney) -> None:
        """The server does what `additionalProperties: false` says."""
        body = {"first_name": "Camille", "last_name": "Exemple", "nickname": "Cam"}
        expected = 422
        assert expected == api.call("POST", "/api/v1/people", json=body).status_code

    @pytest.mark.parametrize(
        ("path", "methods"),
        [
            (CASES, {"GET", "OPTIONS", "POST"}),
            ("/api/v1/people", {"OPTIONS", "POST"}),
            ("/api/v1/cohorts", {"GET", "OPTIONS", "POST"}),
        ],
    )
    def test_options_lists_every_method(
        self, api: ApiJourney, path: str, methods: set[str]
    ) -> None:
        """OPTIONS lists each method the path answers, POST included."""
        response = api.call("OPTIONS", path)
        assert methods == {m.strip() for m in response.headers["allow"].split(",")}


def test_body_models_exist() -> None:
    """The closed-body rule has models to apply to (a guard against a vacuous test)."""
    assert len(Body.__subclasses__()) >= 10


def test_optional_texts_publish_their_limits(api: ApiJourney) -> None:
    """An optional reason or e-mail still shows its maximum length in the schema."""
    components = _schema(api)["components"]["schemas"]
    reason = components["TransitionIn"]["properties"]["reason"]["oneOf"]
    email = components["PersonIn"]["properties"]["email"]["oneOf"]
    expected = ([2000], [254])
    assert expected == (
        [b["maxLength"] for b in reason if b.get("type") == "string"],
        [b["maxLength"] for b in email if b.get("type") == "string"],
    )
