"""Issue 11 over HTTP: eligibility, missions locales over time, staff who leave."""

from __future__ import annotations

from journey import CASES, ApiJourney

USERS = "/api/v1/users"


class TestEligibility:
    """GET /people/{id}/eligibility: which programmes the person can still apply to."""

    def test_programmes_with_the_rule_that_refuses(self, api: ApiJourney) -> None:
        """At 27, the missions locales' programmes refuse, naming the rule, value and bound."""
        person_id = api.person(birth_date="1999-01-01")
        body = api.ok("GET", f"/api/v1/people/{person_id}/eligibility")
        verdicts = {p["programme"]: p for p in body["programmes"]}
        [refusal] = verdicts["erasmus_vet"]["refusals"]
        expected = (True, False, ("ml_public_age", 27, 25), True)
        actual = (
            verdicts["vie"]["eligible"],
            verdicts["erasmus_vet"]["eligible"],
            tuple(refusal["detail"][k] for k in ("rule", "value", "bound")),
            all(p["source"] for p in body["programmes"]),
        )
        assert expected == actual

    def test_someone_you_do_not_see_is_not_found(self, api: ApiJourney) -> None:
        """Advisor B does not see a person registered by advisor A."""
        person_id = api.person()
        response = api.call("GET", f"/api/v1/people/{person_id}/eligibility", "advisor_b")
        assert response.status_code == 404


class TestMissionLocalesOverTime:
    """A move keeps the referring mission locale; lists filter on both."""

    def test_move_then_filter_on_referring_and_current(self, api: ApiJourney) -> None:
        """Referred by A, moved to B on a date: listed under referring A and current B."""
        case = api.open_case(ml_contact_name="Conseil A", ml_contact_email="conseil@ml-a.example")
        body = {"mission_locale_id": "ml-b", "moved_on": "2026-01-20", "reason": "moved house"}
        moved = api.ok("POST", f"{CASES}/{case['id']}/reassignments", "supervisor", json=body)
        referred = api.ok("GET", CASES, "supervisor", params={"referring_mission_locale": "ml-a"})[
            "items"
        ]
        current = api.ok("GET", CASES, "supervisor", params={"mission_locale": "ml-b"})["items"]
        expected = (("ml-a", "ml-b", None), [case["id"]], [case["id"]], "conseil@ml-a.example")
        actual = (
            (
                moved["referring_mission_locale_id"],
                moved["mission_locale_id"],
                moved["ml_contact_email"],
            ),
            [c["id"] for c in referred],
            [c["id"] for c in current],
            case["ml_contact_email"],
        )
        assert expected == actual


class TestStaffWhoLeave:
    """Deactivate, list the open cases, hand them over in one action."""

    def test_deactivation_and_handover(self, api: ApiJourney) -> None:
        """The leaver's token stops at once; their cases go to B in one call, per-case results."""
        ids = sorted(api.open_case()["id"] for _ in range(2))
        leaver = api.users["advisor_a"].id
        successor = api.users["advisor_b"].id
        gone = api.ok("POST", f"{USERS}/{leaver}/deactivation", "admin")
        refused = api.call("GET", CASES).status_code
        listed = api.ok("GET", f"{USERS}/{leaver}/open-cases", "supervisor")
        body = {"to_user_id": successor, "reason": "left Ipm"}
        key = {"Idempotency-Key": "handover-1"}
        handed = api.call(
            "POST", f"{USERS}/{leaver}/handover", "supervisor", json=body, headers=key
        )
        replay = api.call(
            "POST", f"{USERS}/{leaver}/handover", "supervisor", json=body, headers=key
        )
        expected = (1, 401, ids, 200, [(i, True) for i in ids], "true", [])
        actual = (
            gone["tokens_revoked"],
            refused,
            sorted(c["id"] for c in listed),
            handed.status_code,
            [(i["case_id"], i["ok"]) for i in handed.json()["items"]],
            replay.headers["Idempotent-Replayed"],
            api.ok("GET", f"{USERS}/{leaver}/open-cases", "supervisor"),
        )
        assert expected == actual

    def test_unassigned_filter(self, api: ApiJourney) -> None:
        """A case opened by an advisor without naming one is theirs, not unassigned."""
        case = api.open_case(advisor_id=None)
        unassigned = api.ok("GET", CASES, "supervisor", params={"unassigned": "true"})["items"]
        expected = (api.users["advisor_a"].id, [])
        assert expected == (case["advisor_id"], unassigned)

    def test_only_admins_deactivate(self, api: ApiJourney) -> None:
        """A supervisor may not switch a user off."""
        response = api.call(
            "POST", f"{USERS}/{api.users['advisor_b'].id}/deactivation", "supervisor"
        )
        assert response.status_code == 403

    def test_handover_to_someone_who_left_is_refused(self, api: ApiJourney) -> None:
        """The cases cannot go to a deactivated advisor: nothing moves."""
        api.open_case()
        successor = api.users["advisor_b"].id
        api.ok("POST", f"{USERS}/{successor}/deactivation", "admin")
        body = {"to_user_id": successor}
        leaver = api.users["advisor_a"].id
        response = api.call("POST", f"{USERS}/{leaver}/handover", "supervisor", json=body)
        still = api.ok("GET", f"{USERS}/{leaver}/open-cases", "supervisor")
        expected = ("invalid-input", 1)
        assert expected == (response.json()["type"].rsplit("/", 1)[-1], len(still))
