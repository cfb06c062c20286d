"""The command line on the people around a case: contacts, profile, guardians, sensitive data."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from typer.testing import Result

from ipm_workflow.bootstrap import Container
from ipm_workflow.config import ROOT
from ipm_workflow.domain.people import Person, User
from ipm_workflow.domain.policy import OPERATOR_ACTOR, Actor
from journey import Journey

Cli = Callable[..., Result]
COMMUNES = ROOT / "tests" / "fixtures" / "communes_sample.csv"


def _minor(container: Container, advisor: Actor) -> int:
    person = Person(None, "Camille", "Exemple", container.cases.today().replace(year=2010))
    found = container.people.register(person, advisor).person.id
    assert found is not None
    return found


class TestPeopleCommands:
    """people update / show, guardians, and the communes reference."""

    def test_contact_and_profile_set_and_shown(
        self, cli: Cli, container: Container, advisor: Actor, directory: Mapping[str, User]
    ) -> None:
        """--set normalises the phone, derives the territory from the loaded reference."""
        loaded = cli("reference", "load-communes", str(COMMUNES))
        pid = _minor(container, advisor)
        updated = cli(
            "people", "update", str(pid), "--as", "advisor.a",
            "--set", "phone=06 12 34 56 78", "--set", "commune_insee=99902",
            "--set", "consent_sms=true", "--set", "consent_sms_source=phone call",
        )  # fmt: skip
        shown = json.loads(cli("people", "show", str(pid), "--json").stdout)
        expected = ("3 communes loaded", 0, "+33612345678", "99", "no", "yes", True, True)
        actual = (
            loaded.stdout.strip(),
            updated.exit_code,
            shown["phone"],
            shown["departement"],
            shown["qpv"],
            shown["rural"],
            shown["consent_sms"],
            shown["minor_without_guardian"],
        )
        assert expected == actual

    def test_a_wrong_value_is_named_not_echoed(
        self, cli: Cli, container: Container, advisor: Actor, directory: Mapping[str, User]
    ) -> None:
        """A faulty e-mail fails with exit 1 naming the field, without repeating the value."""
        pid = _minor(container, advisor)
        result = cli("people", "update", str(pid), "--as", "advisor.a", "--set", "email=zz@@x")
        expected = (1, True, False)
        actual = (result.exit_code, "email" in result.stderr, "zz@@x" in result.stderr)
        assert expected == actual

    def test_guardians_added_listed_and_removed(
        self, cli: Cli, container: Container, advisor: Actor, directory: Mapping[str, User]
    ) -> None:
        """A guardian recorded from the console clears the flag; removing it sets it again."""
        pid = _minor(container, advisor)
        added = cli(
            "people", "guardians", "add", str(pid), "--name", "Dominique Exemple",
            "--set", "link=mother", "--set", "email=parent@example.org", "--as", "advisor.a",
        )  # fmt: skip
        gid = added.stdout.split()[-1]
        listed = cli("people", "guardians", "list", str(pid), "--json")
        flag_with = json.loads(cli("people", "show", str(pid), "--json").stdout)
        removed = cli("people", "guardians", "remove", str(pid), gid, "--as", "advisor.a")
        flag_without = json.loads(cli("people", "show", str(pid), "--json").stdout)
        expected = (0, ["parent@example.org"], False, 0, True)
        actual = (
            added.exit_code,
            [g["email"] for g in json.loads(listed.stdout)],
            flag_with["minor_without_guardian"],
            removed.exit_code,
            flag_without["minor_without_guardian"],
        )
        assert expected == actual


class TestSensitiveCommands:
    """people sensitive set / show: the policy's rights, each read recorded."""

    def test_advisor_writes_and_reads_operator_may_not(
        self, cli: Cli, journey: Journey, container: Container, advisor: Actor
    ) -> None:
        """The advisor's read is recorded with the case; the console operator is refused, and
        the refusal is recorded too."""
        pid = _minor(container, advisor)
        case_id = journey.open(pid)
        written = cli(
            "people", "sensitive", "set", str(pid), "--as", "advisor.a",
            "--set", "rqth=true", "--set", "fewer_opportunities=true",
            "--set", "fewer_opportunities_reason=disability",
        )  # fmt: skip
        read = cli(
            "people", "sensitive", "show", str(pid), "--case", str(case_id),
            "--as", "advisor.a", "--json",
        )  # fmt: skip
        refused = cli("people", "sensitive", "show", str(pid))
        reads = container.person_records.sensitive_reads(pid, OPERATOR_ACTOR)
        entry = "cli:people sensitive show"
        expected: tuple[Any, ...] = (
            0,
            True,
            "disability",
            1,
            [(advisor.id, case_id, entry, True), ("operator:cli", None, entry, False)],
        )
        actual = (
            written.exit_code,
            json.loads(read.stdout)["rqth"],
            json.loads(read.stdout)["fewer_opportunities_reason"],
            refused.exit_code,
            [(r.actor, r.case_id, r.entry_point, r.allowed) for r in reads],
        )
        assert expected == actual
