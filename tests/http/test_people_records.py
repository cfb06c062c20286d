"""The people around a case over HTTP: contact details, consent, profile, guardians, sensitive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from ipm_workflow.domain.profile import CommuneRef, Territory
from journey import ApiJourney

MINOR = {"first_name": "Camille", "last_name": "Exemple", "birth_date": "2010-03-01"}


def _entries(api: ApiJourney, case_id: int, kind: str) -> list[dict[str, Any]]:
    return [e for e in api.history(case_id) if e["kind"] == kind]


class TestContactDetails:
    """PATCH /api/v1/people/{id}: contacts normalised at the door, refused when wrong."""

    def test_phone_and_email_are_normalised(self, api: ApiJourney) -> None:
        """A French number becomes E.164; an e-mail's domain is lower-cased; the rest is kept."""
        pid = api.person()
        response = api.patch_person(
            pid,
            phone="06 12 34 56 78",
            email="Camille@Example.ORG",
            language="EN",
            timezone="Europe/Madrid",
            preferred_channel="sms",
        )
        person = response.json()["person"]
        expected = ("+33612345678", "Camille@example.org", "en", "Europe/Madrid", "sms")
        actual = (
            person["phone"],
            person["email"],
            person["language"],
            person["timezone"],
            person["preferred_channel"],
        )
        assert expected == actual

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("email", "a@example.org, b@example.org"),
            ("email", "Camille <camille@example.org>"),
            ("phone", "12"),
            ("phone", "+33 1"),
            ("language", "french"),
            ("timezone", "Mars/Olympus"),
            ("preferred_channel", "pigeon"),
            ("language", None),
            ("consent_sms", "yes"),
        ],
    )
    def test_wrong_values_are_refused_and_named(
        self, api: ApiJourney, field: str, value: Any
    ) -> None:
        """A faulty contact answers 422 naming the field, and changes nothing."""
        pid = api.person()
        before = api.read_person(pid)
        response = api.patch_person(pid, **{field: value})
        expected = (422, True, before)
        actual = (response.status_code, field in response.text, api.read_person(pid))
        assert expected == actual

    def test_consent_is_dated_and_sourced_and_in_history(
        self, api: ApiJourney, clock: ManualClock
    ) -> None:
        """Consent to SMS is dated now with its source; the case history records the change."""
        pid = api.person()
        case_id = api.open(pid)
        response = api.patch_person(pid, consent_sms=True, consent_sms_source="signed form")
        assert response.status_code == 200, response.text
        body = response.json()
        person = body["person"]
        when = datetime.fromisoformat(person["consent_sms_at"])
        expected = (True, "signed form", clock.now())
        assert expected == (person["consent_sms"], person["consent_sms_source"], when)
        [entry] = _entries(api, case_id, "person_changed")
        expected_changes = {"consent_sms", "consent_sms_at", "consent_sms_source"}
        assert expected_changes == set(entry["payload"]["changes"])


class TestProfile:
    """The profile at entry: recorded at referral, correctable, each change in the history."""

    def test_profile_derived_from_the_communes_reference(
        self, api: ApiJourney, container: Container
    ) -> None:
        """A loaded commune gives département, QPV and rural flags; an unknown one, 'unknown'."""
        sample = [CommuneRef("99901", "99", Territory.YES, Territory.NO)]
        container.person_records.load_communes(sample, OPERATOR_ACTOR)
        pid = api.person(gender="not_declared", commune_insee="99901", education_level="level_4")
        person = api.read_person(pid)
        expected = ("not_declared", "99", "yes", "no", "level_4")
        keys = ("gender", "departement", "qpv", "rural", "education_level")
        assert expected == tuple(person[k] for k in keys)
        corrected = api.patch_person(pid, commune_insee="42218").json()["person"]
        expected_unknown = ("42", "unknown", "unknown")
        assert expected_unknown == tuple(corrected[k] for k in ("departement", "qpv", "rural"))

    def test_a_correction_is_in_the_history(self, api: ApiJourney) -> None:
        """Correcting the situation at entry writes old-free, new-valued history entries."""
        pid = api.person(situation_at_entry="inactive", imilo_id="ML123456")
        case_id = api.open(pid)
        response = api.patch_person(pid, situation_at_entry="job_seeker_registered")
        assert response.status_code == 200, response.text
        [entry] = _entries(api, case_id, "person_changed")
        expected = {"situation_at_entry": "job_seeker_registered"}
        assert expected == entry["payload"]["changes"]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("imilo_id", "1850575123456"),  # a NIR's shape: never stored
            ("imilo_id", "ML 123"),
            ("imilo_id", "1-85-05-75-123-456"),
            ("commune_insee", "7505"),
            ("gender", "unknown"),
            ("education_level", "bac"),
            ("qpv", None),
        ],
    )
    def test_wrong_profile_values_are_refused(
        self, api: ApiJourney, field: str, value: Any
    ) -> None:
        """A social-security number, a short INSEE code, an unknown category: 422."""
        response = api.patch_person(api.person(), **{field: value})
        assert (response.status_code, field in response.text) == (422, True)


class TestGuardians:
    """/api/v1/people/{id}/guardians and the flag of a minor without one."""

    def test_a_minor_without_guardian_is_flagged_until_one_is_recorded(
        self, api: ApiJourney
    ) -> None:
        """The flag shows on the person and in the case list filter, and goes with a guardian."""
        pid = api.person(**MINOR)
        case_id = api.open(pid)
        adult_case = api.open(api.person())
        flagged = api.ok("GET", "/api/v1/cases", params={"minor_without_guardian": "true"})
        expected_before = (True, [case_id], True)
        actual_before = (
            api.read_person(pid)["minor_without_guardian"],
            [c["id"] for c in flagged["items"]],
            api.case(case_id)["minor_without_guardian"],
        )
        assert expected_before == actual_before
        guardian = api.guardian(pid, email="parent@example.org", phone="0612345678")
        listed = api.ok("GET", "/api/v1/cases", params={"minor_without_guardian": "true"})
        expected_after = (False, [], "+33612345678", False)
        actual_after = (
            api.read_person(pid)["minor_without_guardian"],
            [c["id"] for c in listed["items"]],
            guardian["phone"],
            api.case(adult_case)["minor_without_guardian"],
        )
        assert expected_after == actual_after

    def test_each_change_is_in_the_history(self, api: ApiJourney) -> None:
        """Adding, correcting and removing a guardian each write a history entry."""
        pid = api.person(**MINOR)
        case_id = api.open(pid)
        gid = api.guardian(pid, email="parent@example.org")["id"]
        url = f"/api/v1/people/{pid}/guardians/{gid}"
        corrected = api.ok("PATCH", url, json={"consent_sms": True, "phone": "0612345678"})
        removed = api.call("DELETE", url)
        kinds = [e["kind"] for e in api.history(case_id) if e["kind"].startswith("guardian")]
        expected = (["guardian_added", "guardian_changed", "guardian_removed"], 204, [], True)
        actual = (
            kinds,
            removed.status_code,
            api.ok("GET", f"/api/v1/people/{pid}/guardians"),
            corrected["consent_sms"],
        )
        assert expected == actual

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "Dominique"},  # neither e-mail nor phone
            {"name": "Dominique", "email": "not-an-address"},
            {"name": "Dominique", "email": "p@example.org", "link": "uncle"},
            {"name": "", "email": "p@example.org"},
        ],
    )
    def test_a_wrong_guardian_is_refused(self, api: ApiJourney, body: dict[str, Any]) -> None:
        """A guardian needs a name and a valid e-mail or phone; the link is a known one."""
        pid = api.person(**MINOR)
        response = api.call("POST", f"/api/v1/people/{pid}/guardians", json=body)
        assert response.status_code == 422, response.text

    def test_another_mission_locale_neither_sees_nor_adds(self, api: ApiJourney) -> None:
        """Advisor B does not see mission locale A's young person's guardians: 404."""
        pid = api.person(**MINOR)
        api.open(pid)
        url = f"/api/v1/people/{pid}/guardians"
        body = {"name": "Dominique", "email": "p@example.org"}
        expected = (404, 404)
        actual = (
            api.call("GET", url, "advisor_b").status_code,
            api.call("POST", url, "advisor_b", json=body).status_code,
        )
        assert expected == actual


SENSITIVE = {
    "rqth": True,
    "fewer_opportunities": True,
    "fewer_opportunities_reason": "health",
    "inclusion_support_amount": "350.00",
    "inclusion_support_justification": "accompagnement renforcé (exemple)",
    "health_needs": "régime alimentaire (exemple)",
}


class TestSensitive:
    """/api/v1/people/{id}/sensitive: need-to-know, each read recorded, never in history."""

    def test_written_read_and_each_read_recorded(
        self, api: ApiJourney, container: Container, clock: ManualClock
    ) -> None:
        """The advisor writes; advisor and supervisor read; each read is kept with the case."""
        pid = api.person()
        case_id = api.open(pid)
        written = api.sensitive(pid, body=SENSITIVE)
        assert written.status_code == 200, written.text
        mine = api.sensitive(pid, case_id=case_id).json()
        theirs = api.sensitive(pid, "supervisor").json()
        reads = container.person_records.sensitive_reads(pid, OPERATOR_ACTOR)
        expected_reads = [
            (api.users["advisor_a"].actor, "advisor", case_id, clock.now()),
            (api.users["supervisor"].actor, "supervisor", None, clock.now()),
        ]
        assert expected_reads == [(r.actor, r.role, r.case_id, r.at) for r in reads]
        expected = (True, "health", "350.00", SENSITIVE["health_needs"])
        assert expected == (
            mine["rqth"],
            mine["fewer_opportunities_reason"],
            mine["inclusion_support_amount"],
            theirs["health_needs"],
        )

    def test_refused_to_roles_without_the_right(
        self, api: ApiJourney, container: Container
    ) -> None:
        """An admin may not read, a supervisor may not write; the admin's refused read is kept
        in the read audit (issue 15), with the endpoint it came from."""
        pid = api.person()
        api.open(pid)
        api.sensitive(pid, body=SENSITIVE)
        endpoint = "api:GET /api/v1/people/{id}/sensitive"
        expected = (403, 403, 404, [("admin", False, endpoint)])
        actual = (
            api.sensitive(pid, "admin").status_code,
            api.sensitive(pid, "supervisor", body=SENSITIVE).status_code,
            api.sensitive(pid, "advisor_b").status_code,
            [
                (r.role, r.allowed, r.entry_point)
                for r in container.person_records.sensitive_reads(pid, OPERATOR_ACTOR)
            ],
        )
        assert expected == actual

    def test_history_says_only_that_it_changed(self, api: ApiJourney) -> None:
        """No value of the sensitive data reaches the history, payload included."""
        pid = api.person()
        case_id = api.open(pid)
        api.sensitive(pid, body=SENSITIVE)
        entries = api.history(case_id)
        dumped = repr(entries)
        leaked = [k for k, v in SENSITIVE.items() if isinstance(v, str) and v in dumped]
        expected = ([], [{"sensitive_data": "replaced"}])
        changed = [e["payload"] for e in entries if e["kind"] == "sensitive_changed"]
        assert expected == (leaked, changed)

    def test_the_flag_needs_its_reason(self, api: ApiJourney) -> None:
        """A fewer-opportunity flag without main reason, or an unknown reason: 422."""
        pid = api.person()
        expected = (422, 422)
        actual = (
            api.sensitive(pid, body={"fewer_opportunities": True}).status_code,
            api.sensitive(pid, body={"fewer_opportunities_reason": "luck"}).status_code,
        )
        assert expected == actual
