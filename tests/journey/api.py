"""The journey driver over HTTP: the same steps as `Journey`, as requests with users' tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

import httpx

from ipm_workflow.domain.people import User

from .facts import CASES, OPENING, PEOPLE, WORKFLOW, as_json

ME = "<the journey's advisor>"  # the default `who`: the advisor the journey was built for


class Requests(Protocol):
    """What the driver sends requests through: Litestar's test client, or real HTTP clients."""

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """Send one request."""


class ApiJourney:
    """Calls the API as the users of a test directory (tokens by key) and walks cases with it.

    `advisor` is the token key used when no user is named; `users` maps the same keys to the
    directory's users; `advisor_id` owns the cases opened (default: the advisor's user, if
    known); `person_body` is the default body of a registered person.
    """

    def __init__(
        self,
        client: Requests,
        tokens: Mapping[str, str],
        *,
        advisor: str = "advisor_a",
        users: Mapping[str, User] | None = None,
        advisor_id: int | None = None,
        person_body: Mapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.tokens = dict(tokens)
        self.advisor = advisor
        self.users = dict(users or {})
        known = self.users.get(advisor)
        self.advisor_id = advisor_id if advisor_id is not None or known is None else known.id
        self.person_body = dict(
            person_body
            or {"first_name": "Camille", "last_name": "Exemple", "birth_date": "2005-06-15"}
        )

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        """Headers for a user (None: anonymous), with extra headers."""
        who = self.advisor if who == ME else who
        auth = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return {**auth, **extra}

    def call(
        self,
        method: str,
        url: str,
        who: str | None = ME,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Send one request as a user (`files` and `data`: a multipart form)."""
        sent = self.headers(who, **(headers or {}))
        if files is not None:
            return self.client.request(
                method, url, files=files, data=data, params=params, headers=sent
            )
        return self.client.request(method, url, json=json, params=params, headers=sent)

    def ok(self, method: str, url: str, who: str | None = ME, **kw: Any) -> Any:
        """Send a request that must succeed (200 or 201); return its JSON body."""
        response = self.call(method, url, who, **kw)
        assert response.status_code in (200, 201), f"{method} {url}: {response.text}"
        return response.json()

    # People and cases.
    def person(self, who: str = ME, **fields: Any) -> int:
        """Register a young person (the default body, with changes) and return the id."""
        response = self.call("POST", PEOPLE, who, json={**self.person_body, **fields})
        expected = 201
        assert expected == response.status_code, response.text
        person_id: int = response.json()["person"]["id"]
        return person_id

    def open_case(
        self, person_id: int | None = None, who: str = ME, **fields: Any
    ) -> dict[str, Any]:
        """Open a variant-B case for mission locale A (fields override the body); return it."""
        response = self.post_case(person_id, who, **fields)
        expected = 201
        assert expected == response.status_code, response.text
        case: dict[str, Any] = response.json()
        return case

    def post_case(
        self, person_id: int | None = None, who: str = ME, **fields: Any
    ) -> httpx.Response:
        """POST the opening of a variant-B case (`opening`, fields override it) for a new person
        unless `person_id` is given; return the response, whatever its status."""
        body = self.opening(person_id if person_id is not None else self.person(who), **fields)
        return self.call("POST", CASES, who, json=body)

    def opening(self, person_id: int, **fields: Any) -> dict[str, Any]:
        """The body that opens a variant-B case for mission locale A (fields override it)."""
        return {
            "person_id": person_id,
            "workflow": WORKFLOW,
            "mission_locale_id": "ml-a",
            "advisor_id": self.advisor_id,
            "inputs": OPENING,
            **fields,
        }

    def open(self, person_id: int, inputs: Mapping[str, Any] | None = None) -> int:
        """Open a case as `Journey.open` does, and return its id."""
        case_id: int = self.open_case(person_id, inputs=as_json(inputs or OPENING))["id"]
        return case_id

    def fire(
        self,
        case_id: int,
        trigger: str,
        inputs: Mapping[str, Any] | None = None,
        who: str = ME,
        headers: Mapping[str, str] | None = None,
        **body: Any,
    ) -> httpx.Response:
        """Fire a trigger on a case (dates as ISO text); return the response."""
        payload = {"trigger": trigger, "inputs": as_json(inputs or {}), **body}
        url = f"{CASES}/{case_id}/transitions"
        return self.call("POST", url, who, json=payload, headers=headers)

    def fired(
        self,
        case_id: int,
        trigger: str,
        inputs: Mapping[str, Any] | None = None,
        who: str = ME,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Fire a trigger that must succeed; return the case after it."""
        response = self.fire(case_id, trigger, inputs, who, reason=reason)
        assert response.status_code in (200, 201), f"{trigger}: {response.text}"
        case: dict[str, Any] = response.json()["case"]
        return case

    def set(self, case_id: int, **changes: Any) -> dict[str, Any]:
        """Change data fields of a case (dates as ISO text); return the case."""
        body = {"changes": as_json(changes)}
        case: dict[str, Any] = self.ok("PATCH", f"{CASES}/{case_id}/data", json=body)
        return case

    def doc(
        self,
        case_id: int,
        document: str,
        status: str = "validated",
        valid_until: date | None = None,
    ) -> dict[str, Any]:
        """Record one document of the checklist; return the case."""
        body = {"status": status, "valid_until": valid_until.isoformat() if valid_until else None}
        case: dict[str, Any] = self.ok("PUT", f"{CASES}/{case_id}/documents/{document}", json=body)
        return case

    def suspend(self, case_id: int, reason: str, who: str = ME) -> httpx.Response:
        """Suspend a case with a reason; return the response."""
        return self.call("POST", f"{CASES}/{case_id}/suspension", who, json={"reason": reason})

    def resume(self, case_id: int, who: str = ME, **body: Any) -> httpx.Response:
        """Resume a suspended case; return the response."""
        return self.call("POST", f"{CASES}/{case_id}/resumption", who, json=body)

    # Follow-up and money.
    def attempt(
        self, case_id: int, channel: str, answered: bool = False, who: str = ME, **extra: Any
    ) -> httpx.Response:
        """Log a contact attempt (extra body keys: at, checkpoint, note, version)."""
        body = {"channel": channel, "answered": answered, **as_json(extra)}
        return self.call("POST", f"{CASES}/{case_id}/contact-attempts", who, json=body)

    def follow_up(self, case_id: int, who: str = ME) -> dict[str, Any]:
        """Read a case's contact attempts and checkpoints."""
        view: dict[str, Any] = self.ok("GET", f"{CASES}/{case_id}/contact-attempts", who)
        return view

    def money(self, case_id: int, lang: str = "fr", who: str = ME) -> dict[str, Any]:
        """Read a case's money, amounts shown in a language."""
        url = f"{CASES}/{case_id}/money"
        view: dict[str, Any] = self.ok("GET", url, who, params={"lang": lang})
        return view

    def confirm_grant(self, case_id: int, who: str = ME, **body: Any) -> httpx.Response:
        """Confirm the recomputed grant (body: amount, reason, version)."""
        url = f"{CASES}/{case_id}/money/grant-confirmation"
        return self.call("POST", url, who, json=body)

    # Reading.
    def overdue(self, who: str = ME, **params: Any) -> list[int]:
        """Return the ids the `overdue=true` listing gives (with more filters if any)."""
        page = self.ok("GET", CASES, who, params={"overdue": "true", **params})
        return [c["id"] for c in page["items"]]

    def case(self, case_id: int, who: str = ME) -> dict[str, Any]:
        """Read a case."""
        case: dict[str, Any] = self.ok("GET", f"{CASES}/{case_id}", who)
        return case

    def state(self, case_id: int) -> str:
        """Return the current state of a case."""
        state: str = self.case(case_id)["state"]
        return state

    def history(self, case_id: int, who: str = ME) -> list[dict[str, Any]]:
        """Read a case's history, oldest first."""
        entries: list[dict[str, Any]] = self.ok("GET", f"{CASES}/{case_id}/history", who)
        return entries

    def reminders(self, case_id: int, who: str = ME) -> list[dict[str, Any]]:
        """Read a case's reminders, whatever their status."""
        rows: list[dict[str, Any]] = self.ok("GET", f"{CASES}/{case_id}/reminders", who)
        return rows

    # The people around a case: contact, profile, guardians, sensitive data.
    def patch_person(self, person_id: int, who: str = ME, **changes: Any) -> httpx.Response:
        """Change or correct a person's fields; return the response."""
        return self.call("PATCH", f"{PEOPLE}/{person_id}", who, json=changes)

    def read_person(self, person_id: int, who: str = ME) -> dict[str, Any]:
        """Read a person."""
        person: dict[str, Any] = self.ok("GET", f"{PEOPLE}/{person_id}", who)
        return person

    def guardian(self, person_id: int, who: str = ME, **fields: Any) -> dict[str, Any]:
        """Record a guardian (a default name and link, with changes); return it."""
        body = {"name": "Dominique Exemple", "link": "mother", **fields}
        added: dict[str, Any] = self.ok("POST", f"{PEOPLE}/{person_id}/guardians", who, json=body)
        return added

    def sensitive(
        self, person_id: int, who: str = ME, body: Mapping[str, Any] | None = None, **params: Any
    ) -> httpx.Response:
        """Read (no body) or replace (a body) a person's sensitive data; return the response."""
        url = f"{PEOPLE}/{person_id}/sensitive"
        if body is None:
            return self.call("GET", url, who, params=params or None)
        return self.call("PUT", url, who, json=dict(body))
