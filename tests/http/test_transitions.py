"""Actions, transitions and history through the HTTP API."""

from __future__ import annotations

from typing import Any

import pytest

from journey import CASES, ApiJourney

CONTACT = {"first_contact_date": "2026-01-05"}


def kind(response: Any) -> str:
    """The last segment of a problem's type."""
    kind_: str = response.json()["type"].rsplit("/", 1)[1]
    return kind_


class TestActions:
    """GET /api/v1/cases/{id}/actions."""

    def test_explains_allowed_and_denied_triggers(self, api: ApiJourney) -> None:
        """Each trigger out of the state is allowed, or denied with its unmet reasons."""
        case = api.open_case()
        response = api.call("GET", f"{CASES}/{case['id']}/actions")
        body = response.json()
        actions = {a["trigger"]: a for a in body["actions"]}
        expected = (200, case["id"], "REFERRED", 1, ["log_first_contact", "merge"])
        assert expected == (
            response.status_code,
            body["case_id"],
            body["state"],
            body["version"],
            list(actions),
        )
        contact, merge = actions["log_first_contact"], actions["merge"]
        expected_contact = (True, "CONTACTED", [], [("first_contact_date", "date", True)])
        assert expected_contact == (
            contact["allowed"],
            contact["dest"],
            contact["unmet"],
            [(i["field"], i["type"], i["required"]) for i in contact["inputs"]],
        )
        expected_merge = (False, ["role"], ["supervisor"], True, ["merged_into"])
        assert expected_merge == (
            merge["allowed"],
            [u["code"] for u in merge["unmet"]],
            merge["roles"],
            merge["reason_required"],
            [i["field"] for i in merge["inputs"]],
        )

    def test_role_changes_the_answer(self, api: ApiJourney) -> None:
        """A supervisor may merge but not log the first contact."""
        case = api.open_case()
        actions = api.call("GET", f"{CASES}/{case['id']}/actions", "supervisor").json()["actions"]
        expected = {"log_first_contact": False, "merge": True}
        assert expected == {a["trigger"]: a["allowed"] for a in actions}

    def test_unmet_guard_is_explained(self, api: ApiJourney) -> None:
        """An eligibility rule on the person's age is reported with the rule, value and bound."""
        person_id = api.person(birth_date="2011-01-01")
        case = api.open_case(person_id)
        api.fire(case["id"], "log_first_contact", CONTACT)
        actions = api.call("GET", f"{CASES}/{case['id']}/actions").json()["actions"]
        assess = next(a for a in actions if a["trigger"] == "assess")
        [unmet] = assess["unmet"]
        expected = (
            False,
            "ineligible",
            "ml_public_age",
            15,
            16,
            ["programme", "eligibility_checked"],
        )
        actual = (
            assess["allowed"],
            unmet["code"],
            unmet["detail"]["rule"],
            unmet["detail"]["value"],
            unmet["detail"]["bound"],
            [i["field"] for i in assess["inputs"]],
        )
        assert expected == actual

    def test_too_old_is_refused_on_opening(self, api: ApiJourney) -> None:
        """A young person above the programme's upper age bound is refused, the rule named."""
        person_id = api.person(birth_date="1990-01-01")
        response = api.call("POST", CASES, json={**api.opening(person_id)})
        [unmet] = response.json()["unmet"]
        expected = (409, "guard-failed", "erasmus_vet", "ml_public_age", 36, 25)
        actual = (
            response.status_code,
            response.json()["type"].rsplit("/", 1)[-1],
            unmet["detail"]["programme"],
            unmet["detail"]["rule"],
            unmet["detail"]["value"],
            unmet["detail"]["bound"],
        )
        assert expected == actual

    def test_enum_inputs_list_their_values(self, api: ApiJourney) -> None:
        """An enumerated input lists the values it accepts."""
        case = api.open_case()
        api.fire(case["id"], "log_first_contact", CONTACT)
        actions = api.call("GET", f"{CASES}/{case['id']}/actions").json()["actions"]
        withdraw = next(a for a in actions if a["trigger"] == "withdraw")
        expected = ["job_found", "family", "health", "other"]
        assert expected == withdraw["inputs"][0]["values"]


class TestFire:
    """POST /api/v1/cases/{id}/transitions."""

    def test_moves_the_case(self, api: ApiJourney) -> None:
        """A transition answers 200 with the case and the history entry it wrote."""
        case = api.open_case()
        response = api.fire(case["id"], "log_first_contact", CONTACT)
        body = response.json()
        expected = (200, '"2"', "CONTACTED", 2, "REFERRED", "2026-01-05")
        assert expected == (
            response.status_code,
            response.headers["etag"],
            body["case"]["state"],
            body["case"]["version"],
            body["case"]["previous_state"],
            body["case"]["data"]["first_contact_date"],
        )
        entry = body["entry"]
        expected_entry = ("transition", "log_first_contact", "REFERRED", "CONTACTED", 2, "advisor")
        assert expected_entry == (
            entry["kind"],
            entry["trigger"],
            entry["from_state"],
            entry["to_state"],
            entry["seq"],
            entry["role"],
        )

    def test_invalid_transition_lists_the_way_out(self, api: ApiJourney) -> None:
        """A trigger that does not leave the state is a 409 listing those that do."""
        case = api.open_case()
        response = api.fire(case["id"], "assess", {"eligibility_checked": True})
        expected = (409, "invalid-transition", "REFERRED", ["log_first_contact", "merge"])
        body = response.json()
        assert expected == (response.status_code, kind(response), body["state"], body["allowed"])

    def test_unknown_trigger_is_an_invalid_transition(self, api: ApiJourney) -> None:
        """An unknown trigger is refused the same way."""
        case = api.open_case()
        response = api.fire(case["id"], "teleport")
        expected = (409, "invalid-transition")
        assert expected == (response.status_code, kind(response))

    def test_guard_failed_lists_unmet_conditions(self, api: ApiJourney) -> None:
        """A transition whose guard fails is a 409 naming each unmet condition."""
        case = api.open_case()
        api.fire(case["id"], "log_first_contact", CONTACT)
        response = api.fire(
            case["id"], "assess", {"programme": "erasmus_vet", "eligibility_checked": False}
        )
        body = response.json()
        expected = (409, "guard-failed", [("field_mismatch", "eligibility_checked")])
        actual = (
            response.status_code,
            kind(response),
            [(u["code"], u["detail"]["field"]) for u in body["unmet"]],
        )
        assert expected == actual
        assert "withdraw" in body["allowed"]

    def test_role_not_allowed(self, api: ApiJourney) -> None:
        """A trigger reserved to another role is a 409 role-not-allowed."""
        case = api.open_case()
        response = api.fire(case["id"], "merge", {"merged_into": 1}, reason="duplicate")
        body = response.json()
        expected = (409, "role-not-allowed", ["role"], ["log_first_contact"])
        actual = (
            response.status_code,
            kind(response),
            [u["code"] for u in body["unmet"]],
            body["allowed"],
        )
        assert expected == actual

    @pytest.mark.parametrize(
        ("body", "fields"),
        [
            pytest.param(
                {"trigger": "log_first_contact", "inputs": {"first_contact_date": "05/01/2026"}},
                ["inputs.first_contact_date"],
                id="bad-date",
            ),
            pytest.param(
                {"trigger": "log_first_contact", "inputs": {}},
                ["inputs.first_contact_date"],
                id="missing-input",
            ),
            pytest.param(
                {"trigger": "log_first_contact", "inputs": {**CONTACT, "mood": "good"}},
                ["inputs.mood"],
                id="unknown-input",
            ),
            pytest.param({"inputs": CONTACT}, ["trigger"], id="no-trigger"),
            pytest.param(
                {"trigger": "log_first_contact", "inputs": CONTACT, "note": "x"},
                ["note"],
                id="unknown-key",
            ),
            pytest.param(
                {"trigger": "log_first_contact", "inputs": CONTACT, "version": "one"},
                ["version"],
                id="bad-version",
            ),
        ],
    )
    def test_bad_inputs_are_422_with_paths(
        self, api: ApiJourney, body: dict[str, Any], fields: list[str]
    ) -> None:
        """Malformed requests and inputs are 422 with the path of each faulty field."""
        case = api.open_case()
        response = api.call("POST", f"{CASES}/{case['id']}/transitions", json=body)
        expected = (422, "invalid-input", fields, 1)
        actual = (
            response.status_code,
            kind(response),
            [e["field"] for e in response.json()["errors"]],
            len(api.history(case["id"])),
        )
        assert expected == actual

    def test_missing_reason_is_422(self, api: ApiJourney) -> None:
        """A trigger that requires a reason refuses to fire without one."""
        case = api.open_case()
        response = api.fire(case["id"], "merge", {"merged_into": 1}, "supervisor")
        expected = (422, ["reason"])
        assert expected == (response.status_code, [e["field"] for e in response.json()["errors"]])

    @pytest.mark.parametrize("how", ["if-match", "body"])
    def test_stale_version_is_409(self, api: ApiJourney, how: str) -> None:
        """A stale expected version (If-Match or body) is a 409 with the current version."""
        case = api.open_case()
        api.call("PATCH", f"{CASES}/{case['id']}/data", json={"changes": {"travel_booked": True}})
        headers = {"if-match": {"If-Match": '"1"'}}
        extra = {"version": 1} if how == "body" else {}
        response = api.fire(
            case["id"], "log_first_contact", CONTACT, headers=headers.get(how), **extra
        )
        body = response.json()
        expected = (409, "version-conflict", 1, 2, '"2"', "REFERRED", 2)
        actual = (
            response.status_code,
            kind(response),
            body["expected"],
            body["current"],
            response.headers["etag"],
            api.case(case["id"])["state"],
            len(api.history(case["id"])),
        )
        assert expected == actual

    def test_current_version_is_accepted(self, api: ApiJourney) -> None:
        """The current version as If-Match lets the transition through."""
        case = api.open_case()
        response = api.fire(case["id"], "log_first_contact", CONTACT, headers={"If-Match": '"1"'})
        expected = (200, 2)
        assert expected == (response.status_code, response.json()["case"]["version"])

    def test_if_match_wins_over_body_version(self, api: ApiJourney) -> None:
        """When both are sent, If-Match is the expected version."""
        case = api.open_case()
        response = api.fire(
            case["id"], "log_first_contact", CONTACT, headers={"If-Match": '"1"'}, version=7
        )
        expected = 200
        assert expected == response.status_code

    def test_other_mission_locale_is_404(self, api: ApiJourney) -> None:
        """Another mission locale's case cannot be moved and does not exist."""
        case = api.open_case()
        response = api.fire(case["id"], "log_first_contact", CONTACT, "advisor_b")
        expected = (404, "REFERRED")
        assert expected == (response.status_code, api.case(case["id"])["state"])


class TestHistory:
    """GET /api/v1/cases/{id}/history."""

    def test_oldest_first_and_chained(self, api: ApiJourney) -> None:
        """Entries come in order, each one chained to the hash of the one before."""
        case = api.open_case()
        api.fire(case["id"], "log_first_contact", CONTACT)
        api.call("PUT", f"{CASES}/{case['id']}/documents/identity", json={"status": "received"})
        entries = api.history(case["id"])
        expected = [
            (1, "opened", None),
            (2, "transition", "log_first_contact"),
            (3, "document", None),
        ]
        assert expected == [(e["seq"], e["kind"], e["trigger"]) for e in entries]
        expected_links = [e["hash"] for e in entries[:-1]]
        assert expected_links == [e["prev_hash"] for e in entries[1:]]

    def test_records_the_actor_by_reference(self, api: ApiJourney) -> None:
        """Entries name the actor by id and role, never by name."""
        case = api.open_case()
        [entry] = api.history(case["id"])
        expected = (f"user:{api.users['advisor_a'].id}", "advisor", "ml-a")
        assert expected == (entry["actor"], entry["role"], entry["payload"]["mission_locale_id"])

    def test_supervisor_reads_any_history(self, api: ApiJourney) -> None:
        """A supervisor reads the history of any mission locale's case."""
        case = api.open_case()
        expected = 1
        assert expected == len(api.history(case["id"], "supervisor"))

    def test_other_mission_locale_is_404(self, api: ApiJourney) -> None:
        """Another mission locale's history does not exist for an advisor."""
        case = api.open_case()
        response = api.call("GET", f"{CASES}/{case['id']}/history", "advisor_b")
        expected = 404
        assert expected == response.status_code
