"""Changes outside transitions through the HTTP API: data fields, documents, reassignments."""

from __future__ import annotations

import pytest

from ipm_workflow.domain.people import User
from journey import CASES, ApiJourney


class TestUpdateData:
    """PATCH /api/v1/cases/{id}/data."""

    def test_changes_fields_and_bumps_version(self, api: ApiJourney) -> None:
        """Changed fields are saved and the version moves on, as the ETag says."""
        case = api.open_case()
        response = api.call(
            "PATCH", f"{CASES}/{case['id']}/data", json={"changes": {"travel_booked": True}}
        )
        body = response.json()
        expected = (200, True, 2, '"2"', "REFERRED")
        actual = (
            response.status_code,
            body["data"]["travel_booked"],
            body["version"],
            response.headers["etag"],
            body["state"],
        )
        assert expected == actual

    def test_history_records_old_and_new_values(self, api: ApiJourney) -> None:
        """The history entry holds each changed field's old and new value, and the reason."""
        case = api.open_case()
        url = f"{CASES}/{case['id']}/data"
        api.call("PATCH", url, json={"changes": {"destination_country": "Malta"}})
        api.call(
            "PATCH",
            url,
            json={"changes": {"destination_country": "Ireland"}, "reason": "host changed"},
        )
        entry = api.history(case["id"])[-1]
        expected = (
            "data_changed",
            None,
            {"changes": {"destination_country": ["Malta", "Ireland"]}, "reason": "host changed"},
        )
        assert expected == (entry["kind"], entry["to_state"], entry["payload"])

    def test_unchanged_values_write_nothing(self, api: ApiJourney) -> None:
        """Sending the current values changes neither the version nor the history."""
        case = api.open_case()
        response = api.call(
            "PATCH", f"{CASES}/{case['id']}/data", json={"changes": {"cv_attached": True}}
        )
        expected = (200, 1, 1)
        assert expected == (
            response.status_code,
            response.json()["version"],
            len(api.history(case["id"])),
        )

    def test_invalid_values_are_named(self, api: ApiJourney) -> None:
        """Unknown fields and badly typed values are refused with their paths."""
        case = api.open_case()
        response = api.call(
            "PATCH",
            f"{CASES}/{case['id']}/data",
            json={"changes": {"travel_booked": "maybe", "nickname": "x"}},
        )
        expected = (422, ["changes.nickname", "changes.travel_booked"])
        actual = (response.status_code, sorted(e["field"] for e in response.json()["errors"]))
        assert expected == actual

    @pytest.mark.parametrize("how", ["if-match", "body"])
    def test_stale_version_is_409(self, api: ApiJourney, how: str) -> None:
        """An expected version that is not the current one is refused with the current one."""
        case = api.open_case()
        url = f"{CASES}/{case['id']}/data"
        api.call("PATCH", url, json={"changes": {"travel_booked": True}})
        body: dict[str, object] = {"changes": {"travel_booked": False}}
        headers = {"If-Match": '"1"'} if how == "if-match" else {}
        if how == "body":
            body["version"] = 1
        response = api.call("PATCH", url, json=body, headers=headers)
        expected = (409, "version-conflict", 2, '"2"')
        actual = (
            response.status_code,
            response.json()["type"].rsplit("/", 1)[1],
            response.json()["current"],
            response.headers["etag"],
        )
        assert expected == actual


class TestRecordDocument:
    """PUT /api/v1/cases/{id}/documents/{document}."""

    def test_records_a_validated_document(self, api: ApiJourney, users: dict[str, User]) -> None:
        """A validated document is signed by the advisor and dated."""
        case = api.open_case()
        response = api.call(
            "PUT",
            f"{CASES}/{case['id']}/documents/identity",
            json={"status": "validated", "valid_until": "2030-01-01"},
        )
        document = response.json()["documents"]["identity"]
        expected = (
            200,
            "validated",
            "2030-01-01",
            users["advisor_a"].actor,
            "2026-01-05T09:00:00Z",
        )
        actual = (
            response.status_code,
            document["status"],
            document["valid_until"],
            document["validated_by"],
            document["validated_at"],
        )
        assert expected == actual

    def test_history_records_old_and_new_document(self, api: ApiJourney) -> None:
        """The history entry holds the document's previous and new record."""
        case = api.open_case()
        api.call("PUT", f"{CASES}/{case['id']}/documents/ceam", json={"status": "received"})
        entry = api.history(case["id"])[-1]
        expected = ("document", "ceam", "missing", "received")
        payload = entry["payload"]
        actual = (
            entry["kind"],
            payload["document"],
            payload["old"]["status"],
            payload["new"]["status"],
        )
        assert expected == actual

    def test_unknown_document_is_422(self, api: ApiJourney) -> None:
        """A document outside the checklist is refused, naming the field."""
        case = api.open_case()
        response = api.call(
            "PUT", f"{CASES}/{case['id']}/documents/passport", json={"status": "received"}
        )
        expected = (422, ["document"])
        assert expected == (response.status_code, [e["field"] for e in response.json()["errors"]])

    def test_validity_dates_out_of_order_are_422(self, api: ApiJourney) -> None:
        """`valid_until` before `valid_from` is refused."""
        case = api.open_case()
        response = api.call(
            "PUT",
            f"{CASES}/{case['id']}/documents/identity",
            json={"status": "validated", "valid_from": "2027-01-01", "valid_until": "2026-01-01"},
        )
        expected = (422, ["valid_until"])
        assert expected == (response.status_code, [e["field"] for e in response.json()["errors"]])

    def test_unknown_status_is_422(self, api: ApiJourney) -> None:
        """A status outside the list is refused by the request schema."""
        case = api.open_case()
        response = api.call(
            "PUT", f"{CASES}/{case['id']}/documents/identity", json={"status": "lost"}
        )
        expected = (422, ["status"])
        assert expected == (response.status_code, [e["field"] for e in response.json()["errors"]])


class TestReassign:
    """POST /api/v1/cases/{id}/reassignments."""

    def test_changes_advisor_as_an_event(self, api: ApiJourney, users: dict[str, User]) -> None:
        """A new advisor is recorded in the history; the state does not change."""
        case = api.open_case()
        other = users["supervisor"].id
        response = api.call(
            "POST",
            f"{CASES}/{case['id']}/reassignments",
            json={"advisor_id": other, "reason": "holidays"},
        )
        entry = api.history(case["id"])[-1]
        expected = (200, other, "REFERRED", 2, "reassigned", None, None)
        actual = (
            response.status_code,
            response.json()["advisor_id"],
            response.json()["state"],
            response.json()["version"],
            entry["kind"],
            entry["from_state"],
            entry["to_state"],
        )
        assert expected == actual
        expected_payload = {
            "changes": {"advisor_id": [users["advisor_a"].id, other]},
            "reason": "holidays",
        }
        assert expected_payload == entry["payload"]

    def test_supervisor_moves_a_case_out_of_sight(self, api: ApiJourney) -> None:
        """A case moved to another mission locale disappears for the first one's advisors."""
        case = api.open_case()
        response = api.call(
            "POST",
            f"{CASES}/{case['id']}/reassignments",
            "supervisor",
            json={"mission_locale_id": "ml-b"},
        )
        expected = (200, "ml-b", 404, 200)
        actual = (
            response.status_code,
            response.json()["mission_locale_id"],
            api.call("GET", f"{CASES}/{case['id']}").status_code,
            api.call("GET", f"{CASES}/{case['id']}", "advisor_b").status_code,
        )
        assert expected == actual

    def test_advisor_cannot_move_a_case_to_a_foreign_mission_locale(self, api: ApiJourney) -> None:
        """An advisor may not hand a case to a mission locale they do not work for."""
        case = api.open_case()
        response = api.call(
            "POST", f"{CASES}/{case['id']}/reassignments", json={"mission_locale_id": "ml-b"}
        )
        expected = (403, 1)
        assert expected == (response.status_code, len(api.history(case["id"])))

    def test_nothing_to_change_writes_nothing(self, api: ApiJourney) -> None:
        """Reassigning to the current advisor changes nothing."""
        case = api.open_case()
        response = api.call(
            "POST",
            f"{CASES}/{case['id']}/reassignments",
            json={"advisor_id": case["advisor_id"]},
        )
        expected = (200, 1, 1)
        assert expected == (
            response.status_code,
            response.json()["version"],
            len(api.history(case["id"])),
        )

    def test_unknown_advisor_is_404(self, api: ApiJourney) -> None:
        """An unknown advisor id answers 404."""
        case = api.open_case()
        response = api.call("POST", f"{CASES}/{case['id']}/reassignments", json={"advisor_id": 999})
        expected = 404
        assert expected == response.status_code
