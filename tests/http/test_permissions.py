"""Who may call what: every endpoint for every kind of caller, with exact status codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person, User
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from ipm_workflow.services.commands import Actor, OpenCase, SendUpload
from journey import CASES, OPENING, WORKFLOW, ApiJourney
from journey.uploads import small_pdf

# Callers: the advisor of the case's mission locale, an advisor of another one, a supervisor,
# an admin, and nobody (no token).
CALLERS = ["advisor_a", "advisor_b", "supervisor", "admin", None]
CALLER_NAMES = ["advisor_a", "advisor_b", "supervisor", "admin", "no-token"]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint with a valid request and the status each caller must get."""

    method: str
    path: str
    statuses: tuple[int, int, int, int, int]
    body: dict[str, Any] | None = None
    upload: bool = False  # a multipart form with a small PDF instead of a JSON body


PUBLIC = (200, 200, 200, 200, 200)
CASE_READ = (200, 404, 200, 403, 401)
CASE_WRITE = (200, 404, 403, 403, 401)
CASE_WORKERS = (200, 200, 200, 403, 401)  # workflows: for those who work on cases
SUPERVISOR_ONLY = (403, 403, 200, 403, 401)
ADMIN_ONLY = (403, 403, 403, 200, 401)
STAFF = (200, 200, 200, 200, 401)  # reports: every staff member (advisors: their own figures)

# Paths use the schema's own parameter names; `ids` gives each a value for the test's data.
ENDPOINTS = {
    "health": Endpoint("GET", "/health", PUBLIC),
    "ready": Endpoint("GET", "/ready", PUBLIC),
    "schema": Endpoint("GET", "/schema/openapi.json", PUBLIC),
    "people-create": Endpoint(
        "POST",
        "/api/v1/people",
        (201, 201, 403, 403, 401),
        {"first_name": "Dominique", "last_name": "Autre"},
    ),
    "people-read": Endpoint("GET", "/api/v1/people/{person_id}", CASE_READ),
    "people-update": Endpoint(
        "PATCH", "/api/v1/people/{person_id}", CASE_WRITE, {"phone": "+33 6 00 00 00 09"}
    ),
    "guardians-list": Endpoint("GET", "/api/v1/people/{person_id}/guardians", CASE_READ),
    "guardians-add": Endpoint(
        "POST",
        "/api/v1/people/{person_id}/guardians",
        (201, 404, 403, 403, 401),
        {"name": "Dominique Autre", "email": "parent@example.org"},
    ),
    "guardians-update": Endpoint(
        "PATCH",
        "/api/v1/people/{person_id}/guardians/{guardian_id}",
        CASE_WRITE,
        {"phone": "+33 6 00 00 00 09"},
    ),
    "guardians-remove": Endpoint(
        "DELETE", "/api/v1/people/{person_id}/guardians/{guardian_id}", (204, 404, 403, 403, 401)
    ),
    # Sensitive data: the advisors who see the person and the supervisors read; advisors write.
    "sensitive-read": Endpoint("GET", "/api/v1/people/{person_id}/sensitive", CASE_READ),
    "sensitive-write": Endpoint(
        "PUT", "/api/v1/people/{person_id}/sensitive", CASE_WRITE, {"rqth": True}
    ),
    "cases-open": Endpoint(
        "POST",
        CASES,
        (201, 403, 403, 403, 401),
        {
            "person_id": "{person_id}",
            "workflow": WORKFLOW,
            "mission_locale_id": "ml-a",
            "inputs": OPENING,
        },
    ),
    "cases-list": Endpoint("GET", CASES, (200, 200, 200, 403, 401)),
    "cases-read": Endpoint("GET", f"{CASES}/{{case_id}}", CASE_READ),
    "cases-actions": Endpoint("GET", f"{CASES}/{{case_id}}/actions", CASE_READ),
    "cases-fire": Endpoint(
        "POST",
        f"{CASES}/{{case_id}}/transitions",
        (200, 404, 409, 403, 401),  # 409: the supervisor's role may not log a first contact
        {"trigger": "log_first_contact", "inputs": {"first_contact_date": "2026-01-05"}},
    ),
    "cases-data": Endpoint(
        "PATCH", f"{CASES}/{{case_id}}/data", CASE_WRITE, {"changes": {"travel_booked": True}}
    ),
    "cases-document": Endpoint(
        "PUT", f"{CASES}/{{case_id}}/documents/{{document}}", CASE_WRITE, {"status": "received"}
    ),
    "cases-reassign": Endpoint(
        "POST", f"{CASES}/{{case_id}}/reassignments", CASE_READ, {"advisor_id": "{advisor_b}"}
    ),
    "cases-history": Endpoint("GET", f"{CASES}/{{case_id}}/history", CASE_READ),
    "cases-suspend": Endpoint(
        "POST",
        f"{CASES}/{{case_id}}/suspension",
        (200, 404, 409, 403, 401),  # 409: the advisor suspended it just before
        {"reason": "a test pause"},
    ),
    "cases-resume": Endpoint(
        "POST",
        f"{CASES}/{{case_id}}/resumption",
        (409, 404, 409, 403, 401),  # 409: the case is not suspended (the rights are checked)
        {},
    ),
    "cases-contact-log": Endpoint(
        "POST",
        f"{CASES}/{{case_id}}/contact-attempts",
        (201, 404, 403, 403, 401),
        {"channel": "call", "answered": False},
    ),
    "cases-contact-read": Endpoint("GET", f"{CASES}/{{case_id}}/contact-attempts", CASE_READ),
    "cases-money": Endpoint("GET", f"{CASES}/{{case_id}}/money", CASE_READ),
    "cases-grant": Endpoint(
        "POST",
        f"{CASES}/{{case_id}}/money/grant-confirmation",
        (422, 404, 403, 403, 401),  # 422: a case in REFERRED has no grant to recompute yet
        {},
    ),
    "cases-merge": Endpoint(
        "POST",
        f"{CASES}/{{case_id}}/merges",
        SUPERVISOR_ONLY,
        {"duplicate_id": "{duplicate_id}", "reason": "the same young person"},
    ),
    "reminders-list": Endpoint("GET", f"{CASES}/{{case_id}}/reminders", CASE_READ),
    "reminders-preview": Endpoint(
        "GET", f"{CASES}/{{case_id}}/reminders/{{reminder_id}}/preview", CASE_READ
    ),
    "reminders-acknowledge": Endpoint(
        "POST", f"{CASES}/{{case_id}}/reminders/{{reminder_id}}/acknowledge", CASE_WRITE
    ),
    "agenda": Endpoint("GET", "/api/v1/agenda", (200, 200, 200, 403, 401)),
    "cohorts-create": Endpoint(
        "POST",
        "/api/v1/cohorts",
        (201, 201, 201, 403, 401),
        {"code": "C-{caller}", "label": "Malta", "workflow": WORKFLOW},
    ),
    "cohorts-list": Endpoint("GET", "/api/v1/cohorts", (200, 200, 200, 403, 401)),
    # A cohort is seen like its cases: advisor B neither created it nor has a case in it.
    "cohorts-read": Endpoint("GET", "/api/v1/cohorts/{cohort_id}", CASE_READ),
    "cohorts-members": Endpoint(
        "POST",
        "/api/v1/cohorts/{cohort_id}/members",
        (200, 404, 200, 403, 401),  # another ML's case: 404, as if it did not exist
        {"case_ids": ["{case_id}"]},
    ),
    "cohorts-fire": Endpoint(
        "POST",
        "/api/v1/cohorts/{cohort_id}/transitions",
        (200, 404, 200, 403, 401),  # advisor B: as if the cohort did not exist
        {"trigger": "log_first_contact", "inputs": {"first_contact_date": "2026-01-05"}},
    ),
    "workflows-list": Endpoint("GET", "/api/v1/workflows", CASE_WORKERS),
    "workflows-read": Endpoint("GET", "/api/v1/workflows/{name}", CASE_WORKERS),
    "workflows-version": Endpoint(
        "GET", "/api/v1/workflows/{name}/versions/{version}", CASE_WORKERS
    ),
    "audit-entries": Endpoint("GET", "/api/v1/audit/entries", SUPERVISOR_ONLY),
    "audit-verify": Endpoint("GET", "/api/v1/audit/verify", SUPERVISOR_ONLY),
    "admin-user-create": Endpoint(
        "POST",
        "/api/v1/admin/users",
        (403, 403, 403, 201, 401),
        {"username": "new.user", "display_name": "New", "role": "advisor"},
    ),
    # Staff who leave, and a person's eligibility (issue 11).
    "users-deactivate": Endpoint("POST", "/api/v1/users/{user_id}/deactivation", ADMIN_ONLY),
    "users-open-cases": Endpoint("GET", "/api/v1/users/{user_id}/open-cases", CASE_WORKERS),
    "users-handover": Endpoint(
        "POST", "/api/v1/users/{user_id}/handover", CASE_WORKERS, {"to_user_id": "{advisor_b}"}
    ),
    "people-eligibility": Endpoint("GET", "/api/v1/people/{person_id}/eligibility", CASE_READ),
    # Reports (issue 14): staff read them (advisors their missions locales'), supervisors set
    # the targets.
    "reports-catalogue": Endpoint("GET", "/api/v1/reports", STAFF),
    "reports-run": Endpoint("GET", "/api/v1/reports/{report}", STAFF),
    "reports-targets": Endpoint("GET", "/api/v1/reports/targets", STAFF),
    "reports-targets-set": Endpoint(
        "PUT",
        "/api/v1/reports/targets",
        SUPERVISOR_ONLY,
        {"year": 2026, "funder": "Région", "indicator": "departed", "value": 500},
    ),
    # The Erasmus+ Beneficiary Module's file carries the fewer-opportunity flag (issue 14).
    "reports-beneficiary-module": Endpoint(
        "GET", "/api/v1/reports/beneficiary-module/{grant}", (200, 200, 200, 403, 401)
    ),
    "admin-user-read": Endpoint("GET", "/api/v1/admin/users/{username}", ADMIN_ONLY),
    "admin-token-issue": Endpoint(
        "POST", "/api/v1/admin/users/{username}/tokens", (403, 403, 403, 201, 401), {}
    ),
    "admin-token-list": Endpoint("GET", "/api/v1/admin/users/{username}/tokens", ADMIN_ONLY),
    "admin-token-revoke": Endpoint(
        "DELETE", "/api/v1/admin/tokens/{token_id}", (403, 403, 403, 204, 401)
    ),
    # Documents uploaded for a case (issue 17): the file itself for those who validate it.
    "uploads-list": Endpoint("GET", "/api/v1/cases/{case_id}/uploads", CASE_READ),
    "uploads-awaiting": Endpoint("GET", "/api/v1/uploads", (200, 200, 403, 403, 401)),
    "uploads-send": Endpoint(
        "POST", "/api/v1/cases/{case_id}/uploads", (201, 404, 403, 403, 401), upload=True
    ),
    "uploads-validate": Endpoint("POST", "/api/v1/uploads/{upload_id}/validation", CASE_WRITE, {}),
    "uploads-refuse": Endpoint(
        "POST", "/api/v1/uploads/{upload_id}/refusal", CASE_WRITE, {"reason": "blurred"}
    ),
    "uploads-file": Endpoint("GET", "/api/v1/uploads/{upload_id}/file", CASE_READ),
    # Data protection (issue 15).
    "people-export": Endpoint("GET", "/api/v1/people/{person_id}/export", CASE_READ),
    "people-consents": Endpoint("GET", "/api/v1/people/{person_id}/consents", CASE_READ),
    "people-consent-record": Endpoint(
        "POST",
        "/api/v1/people/{person_id}/consents",
        (201, 404, 403, 403, 401),
        {"purpose": "photos_testimonials", "granted": True},
    ),
    "erasure-request": Endpoint(
        "POST",
        "/api/v1/people/{person_id}/erasure-requests",
        (403, 403, 201, 403, 401),
        {"received_on": "2026-01-05", "requester": "young_person"},
    ),
    "erasure-list": Endpoint("GET", "/api/v1/privacy/erasure-requests", SUPERVISOR_ONLY),
    "erasure-decide": Endpoint(
        "POST",
        "/api/v1/privacy/erasure-requests/{erasure_id}/decision",
        SUPERVISOR_ONLY,
        {"decision": "refused", "reason": "already answered"},
    ),
    "sensitive-reads": Endpoint("GET", "/api/v1/privacy/sensitive-reads", SUPERVISOR_ONLY),
    "privacy-register": Endpoint("GET", "/api/v1/privacy/register", (403, 403, 200, 200, 401)),
}


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    """Put ids in a body: a whole "{name}" becomes the id itself, other strings are formatted."""
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value.format(**ids) if isinstance(value, str) else value


@pytest.fixture
def ids(container: Container, users: dict[str, User], person: Person) -> dict[str, Any]:
    """Mission locale A's case with its reminders, a duplicate case, a cohort, a spare token."""
    assert person.id is not None
    advisor = Actor.of(users["advisor_a"])
    # Recorded before the cases: a guardian added later is an entry in their history.
    guardian = container.person_records.add_guardian(
        person.id, {"name": "Dominique Exemple", "email": "parent@example.org"}, advisor
    )
    opened = [
        container.cases.open_case(
            OpenCase(person.id, WORKFLOW, "ml-a", users["advisor_a"].id, OPENING), advisor
        ).id
        for _ in range(2)
    ]
    case_id, duplicate_id = opened
    assert case_id is not None
    [reminder, *_] = container.reminders.of_case(case_id, advisor)
    cohort = container.cohorts.create("MALTA-1", "Malta", WORKFLOW, actor=advisor)
    spare = container.tokens.issue("advisor.a", label="spare")
    upload = container.uploads.send(SendUpload(case_id, "identity", small_pdf()), advisor)
    erasure = container.privacy.record_erasure(
        person.id, date(2026, 1, 5), "young_person", OPERATOR_ACTOR
    )
    return {
        "erasure_id": erasure.id,
        "guardian_id": guardian.id,
        "upload_id": upload.id,
        "case_id": case_id,
        "duplicate_id": duplicate_id,
        "person_id": person.id,
        "reminder_id": reminder.id,
        "cohort_id": cohort.id,
        "token_id": spare.record.id,
        "user_id": users["advisor_a"].id,  # the staff member who leaves
        "advisor_b": users["advisor_b"].id,
        "document": "identity",
        "name": WORKFLOW,
        "report": "activity",
        "version": 1,
        "username": "advisor.a",
        "grant": "2026-1-FR01-KA121-VET-000001",
    }


class TestPermissionMatrix:
    """Every endpoint × every caller."""

    @pytest.mark.parametrize("name", list(ENDPOINTS))
    def test_statuses(self, api: ApiJourney, ids: dict[str, Any], name: str) -> None:
        """Each caller, in turn on the same data, gets exactly the status the access rules give."""
        endpoint = ENDPOINTS[name]
        expected = dict(zip(CALLER_NAMES, endpoint.statuses, strict=True))
        form = {"files": {"file": ("id.pdf", small_pdf())}, "data": {"document": "identity"}}
        actual = {
            caller: api.call(
                endpoint.method,
                endpoint.path.format(**ids),
                who,
                json=_fill(endpoint.body, {**ids, "caller": caller}),
                **(form if endpoint.upload else {}),
            ).status_code
            for caller, who in zip(CALLER_NAMES, CALLERS, strict=True)
        }
        assert expected == actual

    @pytest.mark.parametrize("name", [n for n in ENDPOINTS if n.startswith("workflows-")])
    def test_admin_is_refused_outside_admin_endpoints(
        self, api: ApiJourney, ids: dict[str, Any], name: str
    ) -> None:
        """The issue wants admins kept to the admin endpoints, workflows included."""
        endpoint = ENDPOINTS[name]
        expected = 403
        assert (
            expected == api.call(endpoint.method, endpoint.path.format(**ids), "admin").status_code
        )

    def test_every_endpoint_is_in_the_matrix(self, api: ApiJourney) -> None:
        """The matrix covers every operation of the OpenAPI schema."""
        schema = api.client.get("/schema/openapi.json").json()
        declared = {
            (method.upper(), path) for path, ops in schema["paths"].items() for method in ops
        }
        expected = declared
        assert expected == {
            (e.method, e.path) for e in ENDPOINTS.values() if not e.path.startswith("/schema")
        }


class TestNoLeak:
    """Another mission locale's cases do not exist for an advisor."""

    def test_absent_from_listings(self, api: ApiJourney, ids: dict[str, Any]) -> None:
        """Advisor B's listing neither shows nor counts A's case, whatever the filters."""
        for params in ({}, {"state": "REFERRED"}, {"mission_locale": "ml-a"}, {"overdue": "false"}):
            body = api.call("GET", CASES, "advisor_b", params=params).json()
            expected = (0, [])
            assert expected == (body["total"], body["items"]), params

    def test_same_answer_as_a_missing_case(self, api: ApiJourney, ids: dict[str, Any]) -> None:
        """A hidden case and a missing one get the same status and problem type."""
        hidden = api.call("GET", f"{CASES}/{ids['case_id']}/history", "advisor_b")
        missing = api.call("GET", f"{CASES}/{ids['case_id'] + 1000}/history", "advisor_b")
        expected = (missing.status_code, missing.json()["type"], missing.json()["title"])
        assert expected == (hidden.status_code, hidden.json()["type"], hidden.json()["title"])

    def test_no_write_goes_through(self, api: ApiJourney, ids: dict[str, Any]) -> None:
        """Refused writes by advisor B leave the case untouched."""
        for name in ("cases-fire", "cases-data", "cases-document", "cases-reassign"):
            endpoint = ENDPOINTS[name]
            api.call(
                endpoint.method,
                endpoint.path.format(**ids),
                "advisor_b",
                json=_fill(endpoint.body, ids),
            )
        expected = (2, 2, "REFERRED")  # opened, then the identity uploaded (`ids`)
        case = api.case(ids["case_id"])
        assert expected == (case["version"], len(api.history(ids["case_id"])), case["state"])

    def test_cohort_members_do_not_reveal_hidden_cases(
        self, api: ApiJourney, ids: dict[str, Any]
    ) -> None:
        """Adding another mission locale's case to a cohort answers like a missing case."""
        url = f"/api/v1/cohorts/{ids['cohort_id']}/members"
        hidden = api.call("POST", url, "advisor_b", json={"case_ids": [ids["case_id"]]})
        missing = api.call("POST", url, "advisor_b", json={"case_ids": [ids["case_id"] + 1000]})
        expected = missing.status_code
        assert expected == hidden.status_code
