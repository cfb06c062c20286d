"""A small driver for the HTTP API: requests as a named user, and the usual first steps."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.domain.people import User

WORKFLOW = "erasmus_vet_long"
OPENING = {"cv_attached": True, "privacy_notice_given": True}
CASES = "/api/v1/cases"
PEOPLE = "/api/v1/people"


class ApiDriver:
    """Calls the API with the bearer token of a user of the test directory."""

    def __init__(
        self, client: TestClient[Litestar], tokens: dict[str, str], users: dict[str, User]
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.users = users

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        """Headers for a user (None: anonymous), with extra headers."""
        auth = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return {**auth, **extra}

    def call(
        self,
        method: str,
        url: str,
        who: str | None = "advisor_a",
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request as a user."""
        return self.client.request(
            method,
            url,
            json=json,
            params=params,
            headers=self.headers(who, **(headers or {})),
        )

    def person(self, who: str = "advisor_a", **fields: Any) -> int:
        """Register a young person and return the id."""
        body = {"first_name": "Camille", "last_name": "Exemple", "birth_date": "2005-06-15"}
        response = self.call("POST", PEOPLE, who, json={**body, **fields})
        expected = 201
        assert expected == response.status_code, response.text
        person_id: int = response.json()["person"]["id"]
        return person_id

    def open_case(
        self, person_id: int | None = None, who: str = "advisor_a", **fields: Any
    ) -> dict[str, Any]:
        """Open a case on the variant-B workflow (mission locale A by default)."""
        body = {
            "person_id": person_id if person_id is not None else self.person(who),
            "workflow": WORKFLOW,
            "mission_locale_id": "ml-a",
            "advisor_id": self.users["advisor_a"].id,
            "inputs": OPENING,
            **fields,
        }
        response = self.call("POST", CASES, who, json=body)
        expected = 201
        assert expected == response.status_code, response.text
        case: dict[str, Any] = response.json()
        return case

    def fire(
        self,
        case_id: int,
        trigger: str,
        inputs: dict[str, Any] | None = None,
        who: str = "advisor_a",
        headers: dict[str, str] | None = None,
        **body: Any,
    ) -> httpx.Response:
        """Fire a trigger on a case."""
        payload = {"trigger": trigger, "inputs": inputs or {}, **body}
        return self.call(
            "POST", f"{CASES}/{case_id}/transitions", who, json=payload, headers=headers
        )

    def history(self, case_id: int, who: str = "advisor_a") -> list[dict[str, Any]]:
        """Read a case's history."""
        response = self.call("GET", f"{CASES}/{case_id}/history", who)
        expected = 200
        assert expected == response.status_code, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries

    def case(self, case_id: int, who: str = "advisor_a") -> dict[str, Any]:
        """Read a case."""
        response = self.call("GET", f"{CASES}/{case_id}", who)
        expected = 200
        assert expected == response.status_code, response.text
        case: dict[str, Any] = response.json()
        return case
