"""The rights of the people whose data we hold: the export holds everything on one person and
nothing on another; corrections keep the old value; consents are events; refused reads are
audited; erasure requests are recorded, decided and carried out once."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import Forbidden, InvalidInput
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import OPERATOR_ACTOR, Actor
from ipm_workflow.domain.privacy import ErasureDecision, ReadQuery, SentMessage
from ipm_workflow.entrypoints.web.privacy import export_html
from ipm_workflow.services.erasure import carry_out_erasure
from journey import Journey

# Two people with distinctive values: every one of them is personal data of its owner only.
SEEDS: dict[str, dict[str, Any]] = {
    "a": {
        "first_name": "Zephyrin",
        "last_name": "Quillardot",
        "birth_date": date(2006, 3, 14),
        "email": "zephyrin.quillardot@young.example",
        "phone": "+33611223344",
        "guardian": "Hortense Quillardot",
        "guardian_email": "hortense.q@family.example",
        "health_needs": "allergie au kiwi de Zephyrin",
        "justification": "fauteuil pour Zephyrin",
        "mentor_name": "Mentor Alphonsine Brisk",
        "note": "rappeler Zephyrin apres 18h",
        "message": "Bonjour Zephyrin, votre passeport manque",
        "consent_method": "formulaire papier Zephyrin",
    },
    "b": {
        "first_name": "Ondine",
        "last_name": "Marchettaz",
        "birth_date": date(2004, 11, 2),
        "email": "ondine.marchettaz@young.example",
        "phone": "+33798765432",
        "guardian": "Gaspard Marchettaz",
        "guardian_email": "gaspard.m@family.example",
        "health_needs": "asthme de Ondine",
        "justification": "interprete pour Ondine",
        "mentor_name": "Mentor Bertrand Vyle",
        "note": "Ondine injoignable le matin",
        "message": "Bonjour Ondine, votre assurance manque",
        "consent_method": "appel de Ondine",
    },
}


def _seed(container: Container, walker: Journey, values: dict[str, Any]) -> int:
    """A person, a guardian, sensitive data, a case with a personal field, a contact attempt,
    a consent, a message sent and a read of the sensitive data."""
    pid = walker.person(
        values["birth_date"],
        values["first_name"],
        email=values["email"],
        phone=values["phone"],
    )
    container.people.update(pid, {"last_name": values["last_name"]}, walker.advisor)
    walker.guardian(pid, values["guardian"], email=values["guardian_email"])
    container.person_records.put_sensitive(
        pid,
        {
            "rqth": True,
            "health_needs": values["health_needs"],
            "inclusion_support_justification": values["justification"],
        },
        walker.advisor,
    )
    cid = walker.open(pid)
    walker.set(cid, mentor_name=values["mentor_name"])
    walker.attempt(cid, "call", note=values["note"])
    container.privacy.record_consent(
        pid, "photos_testimonials", True, walker.advisor, method=values["consent_method"]
    )
    with container.uow() as uow:
        uow.privacy.add_sent(
            SentMessage(
                1000 + pid, cid, "young_person", "email", values["email"], "Documents",
                values["message"], "fr", f"<m{pid}@test>", walker.container.clock.now(),
            )
        )  # fmt: skip
        uow.commit()
    container.person_records.sensitive(pid, walker.advisor, entry_point="test")
    return pid


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@pytest.fixture
def walker(container: Container, advisor: Actor, clock: ManualClock) -> Journey:
    """The journey driver as the advisor of mission locale A."""
    return Journey(container, advisor, clock)


class TestExport:
    """Subject access: everything on one person, nothing on another."""

    def test_holds_every_seeded_value_and_none_of_another_person(
        self, container: Container, walker: Journey
    ) -> None:
        """The JSON and the printable HTML both; the export is itself recorded."""
        ids = {key: _seed(container, walker, values) for key, values in SEEDS.items()}
        export = container.privacy.export(ids["a"], walker.advisor, "json", entry_point="test")
        dumped = json.dumps(export, ensure_ascii=False)
        html = export_html(container.privacy.export(ids["a"], walker.advisor, "html"), "en")
        with container.uow(readonly=True) as uow:
            exports = [(e.format, e.entry_point) for e in uow.privacy.exports(ids["a"])]
        theirs = [_text(v) for v in SEEDS["a"].values()]
        others = [_text(v) for v in SEEDS["b"].values()]
        expected = (theirs, [], theirs, [], [("json", "test"), ("html", None)])
        actual = (
            [v for v in theirs if v in dumped],
            [v for v in others if v in dumped],
            [v for v in theirs if v in html],
            [v for v in others if v in html],
            exports,
        )
        assert expected == actual

    def test_sensitive_data_only_for_those_who_may_read_it(
        self, container: Container, walker: Journey
    ) -> None:
        """The console operator's export withholds it; the advisor's read of it is audited."""
        pid = _seed(container, walker, SEEDS["a"])
        export = container.privacy.export(pid, OPERATOR_ACTOR)
        dumped = json.dumps(export, ensure_ascii=False)
        container.privacy.export(pid, walker.advisor)
        reads = container.privacy.reads(ReadQuery(person_id=pid), OPERATOR_ACTOR)
        expected = (None, True, False, ["export", "test"])
        actual = (
            export["sensitive"],
            export["sensitive_withheld"],
            SEEDS["a"]["health_needs"] in dumped,
            [r.entry_point for r in reads],
        )
        assert expected == actual

    def test_another_mission_locales_advisor_cannot_export(
        self, container: Container, walker: Journey, directory: dict[str, User]
    ) -> None:
        """A person the advisor does not see is not found; an admin may not export at all."""
        pid = _seed(container, walker, SEEDS["a"])
        admin = container.people.add_user("admin", "Admin", "admin", [])
        with pytest.raises(Exception, match="not found"):
            container.privacy.export(pid, Actor.of(directory["advisor_b"]))
        with pytest.raises(Forbidden):
            container.privacy.export(pid, Actor.of(admin))


class TestRectification:
    """Every correctable field, with the old value beside the new one in the history."""

    def test_history_shows_old_and_new_values(self, container: Container, walker: Journey) -> None:
        """Names, contacts and profile; a guardian too."""
        pid = walker.person(email="old@young.example")
        cid = walker.open(pid)
        gid = walker.guardian(pid, email="parent.old@family.example")
        container.people.update(
            pid, {"email": "new@young.example", "last_name": "Nouveau"}, walker.advisor
        )
        container.person_records.update_guardian(
            pid, gid, {"email": "parent.new@family.example"}, walker.advisor
        )
        entries = {e.kind: e.payload for e in walker.history(cid)}
        expected = (
            {"email": "new@young.example", "last_name": "Nouveau"},
            {"email": "old@young.example", "last_name": "Témoin"},
            {"email": "parent.new@family.example"},
            {"email": "parent.old@family.example"},
        )
        actual = (
            entries["person_changed"]["changes"],
            entries["person_changed"]["before"],
            entries["guardian_changed"]["changes"],
            entries["guardian_changed"]["before"],
        )
        assert expected == actual


class TestConsents:
    """Each consent change is an event: at registration, on a change, for a guardian."""

    def test_every_change_is_an_event(
        self, container: Container, walker: Journey, clock: ManualClock
    ) -> None:
        """Registration's consents, a withdrawal by the young person, a guardian's consent."""
        pid = walker.person()
        gid = walker.guardian(pid, email="parent@family.example")
        clock.advance(timedelta(days=1))
        container.privacy.record_consent(
            pid, "sms", True, walker.advisor, method="paper form", given_by="guardian",
            guardian_id=gid,
        )  # fmt: skip
        container.privacy.record_consent(
            pid, "email", False, walker.advisor, method="portal", given_by="young_person"
        )
        events = container.privacy.consents(pid, walker.advisor)
        expected = [
            ("email", True, "staff", "staff", None),
            ("email", True, "staff", "guardian", gid),
            ("sms", True, "paper form", "guardian", gid),
            ("email", False, "portal", "young_person", None),
        ]
        actual = [(e.purpose, e.granted, e.method, e.given_by, e.guardian_id) for e in events]
        assert expected == actual
        assert container.people.get(pid).consent_email is False


class TestReadAudit:
    """Reads of sensitive data, allowed and refused, for supervisors."""

    def test_a_refused_read_is_audited(
        self, container: Container, walker: Journey, directory: dict[str, User], clock: ManualClock
    ) -> None:
        """An admin's refused read is kept; filters by person, by user and by period."""
        pid = walker.person()
        other = walker.person(first_name="Autre")
        walker.open(pid)
        admin = Actor.of(container.people.add_user("admin", "Admin", "admin", []))
        container.person_records.sensitive(pid, walker.advisor, entry_point="page:case")
        clock.advance(timedelta(days=2))
        with pytest.raises(Forbidden):
            container.person_records.sensitive(pid, admin, entry_point="api:sensitive")
        container.person_records.sensitive(other, walker.advisor, entry_point="cli")
        supervisor = Actor.of(directory["supervisor"])
        by_person = container.privacy.reads(ReadQuery(person_id=pid), supervisor)
        by_user = container.privacy.reads(ReadQuery(actor=admin.id), supervisor)
        later = container.privacy.reads(
            ReadQuery(since=clock.now() - timedelta(days=1)), supervisor
        )
        expected = (
            [(admin.id, False, "api:sensitive"), (walker.advisor.id, True, "page:case")],
            [(pid, False)],
            [(other, True), (pid, False)],
        )
        actual = (
            [(r.actor, r.allowed, r.entry_point) for r in by_person],
            [(r.person_id, r.allowed) for r in by_user],
            [(r.person_id, r.allowed) for r in later],
        )
        assert expected == actual
        with pytest.raises(Forbidden):
            container.privacy.reads(ReadQuery(), walker.advisor)


class TestErasureRequests:
    """Recorded as received, decided with a reason, carried out once by the executor."""

    def test_lifecycle(
        self, container: Container, walker: Journey, directory: dict[str, User]
    ) -> None:
        """A pseudonymisation is handed to the executor once; a refusal never."""
        pid = walker.person()
        supervisor = Actor.of(directory["supervisor"])
        first = container.privacy.record_erasure(pid, date(2026, 1, 2), "young_person", supervisor)
        second = container.privacy.record_erasure(pid, date(2026, 1, 3), "guardian", supervisor)
        assert first.id is not None
        assert second.id is not None
        container.privacy.decide_erasure(
            first.id, "pseudonymisation", "ESF audit: kept until 2035", supervisor
        )
        container.privacy.decide_erasure(second.id, "refused", "already answered", supervisor)
        waiting = [r.id for r in container.privacy.erasures_to_carry_out()]
        calls: list[tuple[int, ErasureDecision]] = []
        with container.uow() as uow:
            done = carry_out_erasure(
                uow, first.id, container.clock.now(), lambda _, p, d: calls.append((p, d))
            )
            uow.commit()
        with container.uow() as uow, pytest.raises(InvalidInput):
            carry_out_erasure(uow, second.id, container.clock.now(), lambda *_: None)
        expected = (
            [first.id],
            [(pid, ErasureDecision.PSEUDONYMISATION)],
            True,
            [],
            ["refused", "pseudonymisation"],
        )
        actual = (
            waiting,
            calls,
            done.carried_out_at is not None,
            container.privacy.erasures_to_carry_out(),
            [r.decision for r in container.privacy.erasures(supervisor, pid)],
        )
        assert expected == actual
        with pytest.raises(Forbidden):
            container.privacy.record_erasure(pid, date(2026, 1, 2), "young_person", walker.advisor)
