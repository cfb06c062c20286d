"""Workflow versions side by side, migrations of running cases, and merges of duplicates."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import MigrationRefused, NotFound, TransitionDenied
from ipm_workflow.domain.people import Person, User
from ipm_workflow.entrypoints.cli import app as cli
from ipm_workflow.services.commands import Actor, FireTrigger, OpenCase
from journey import OPENING, WORKFLOW

REFERRER = Actor("ml:ml-a", "ml_advisor", frozenset({"ml-a"}))


@pytest.fixture
def person(container: Container) -> Person:
    """A 20-year-old registered by the referring mission locale, who opens the cases here."""
    return container.people.register(
        Person(None, "Camille", "Exemple", date(2005, 6, 15)), REFERRER
    ).person


def open_on(container: Container, person: Person, version: int) -> int:
    """Open a case on one version of the workflow."""
    assert person.id is not None
    case = container.cases.open_case(
        OpenCase(person.id, WORKFLOW, "ml-a", inputs=OPENING, workflow_version=version), REFERRER
    )
    assert case.id is not None
    return case.id


def to_applied(container: Container, case_id: int, advisor: Actor) -> None:
    """Walk a case from REFERRED to APPLIED."""
    for trigger, inputs in (
        ("log_first_contact", {"first_contact_date": "2026-01-05"}),
        ("assess", {"programme": "erasmus_vet", "eligibility_checked": True}),
        ("apply", {"duplicate_check_passed": True}),
    ):
        container.cases.fire(FireTrigger(case_id, trigger, inputs), advisor)


class TestVersions:
    """Two versions of one workflow loaded at once."""

    def test_new_cases_take_the_latest_and_old_ones_keep_theirs(
        self, container: Container, directory: dict[str, User], person: Person
    ) -> None:
        """A case opened on v1 stays on v1 while new cases open on v2."""
        old = open_on(container, person, 1)
        assert person.id is not None
        new = container.cases.open_case(
            OpenCase(person.id, WORKFLOW, "ml-a", inputs=OPENING), REFERRER
        )
        advisor = Actor.of(directory["advisor_a"])
        expected = (1, 2)
        actual = (container.cases.get(old, advisor).workflow_version, new.workflow_version)
        assert expected == actual


class TestMigration:
    """`workflows migrate`: running cases move to a new version, state by state."""

    def test_an_unmapped_state_refuses_the_whole_migration(
        self, container: Container, directory: dict[str, User], person: Person
    ) -> None:
        """A case in a state v2 lacks stops everything, naming the state and the count."""
        advisor = Actor.of(directory["advisor_a"])
        waiting, referred = open_on(container, person, 1), open_on(container, person, 1)
        to_applied(container, waiting, advisor)
        container.cases.fire(FireTrigger(waiting, "waitlist"), advisor)
        supervisor = Actor.of(directory["supervisor"])
        with pytest.raises(MigrationRefused) as refused:
            container.versions.migrate(WORKFLOW, 2, {}, supervisor)
        expected = ("WAITLISTED (1 case)", 1, 1)
        actual = (
            refused.value.message.split("not mapped: ")[1].split(";")[0],
            container.cases.get(waiting, advisor).workflow_version,
            container.cases.get(referred, advisor).workflow_version,
        )
        assert expected == actual

    def test_dry_run_reports_and_changes_nothing(
        self, container: Container, directory: dict[str, User], person: Person
    ) -> None:
        """A dry run lists each case's move and leaves versions and histories alone."""
        advisor = Actor.of(directory["advisor_a"])
        case_id = open_on(container, person, 1)
        to_applied(container, case_id, advisor)
        container.cases.fire(FireTrigger(case_id, "waitlist"), advisor)
        before = len(container.cases.history(case_id, advisor))
        report = container.versions.migrate(
            WORKFLOW,
            2,
            {"WAITLISTED": "WAITING_LIST"},
            Actor.of(directory["supervisor"]),
            dry_run=True,
        )
        expected = ([(case_id, "WAITLISTED", "WAITING_LIST", False)], 1, before)
        actual = (
            [(m.case_id, m.from_state, m.to_state, m.done) for m in report],
            container.cases.get(case_id, advisor).workflow_version,
            len(container.cases.history(case_id, advisor)),
        )
        assert expected == actual

    def test_migration_moves_running_cases_and_records_it(
        self, container: Container, directory: dict[str, User], person: Person
    ) -> None:
        """Mapped and same-named states move to v2; a closed case stays; each move is recorded."""
        advisor = Actor.of(directory["advisor_a"])
        waiting, referred, closed = (open_on(container, person, 1) for _ in range(3))
        to_applied(container, waiting, advisor)
        container.cases.fire(FireTrigger(waiting, "waitlist"), advisor)
        to_applied(container, closed, advisor)
        container.cases.fire(FireTrigger(closed, "reject", reason="no slot"), advisor)
        moved = container.versions.migrate(
            WORKFLOW, 2, {"WAITLISTED": "WAITING_LIST"}, Actor.of(directory["supervisor"])
        )
        expected_moves = {
            (waiting, "WAITLISTED", "WAITING_LIST"),
            (referred, "REFERRED", "REFERRED"),
        }
        assert expected_moves == {(m.case_id, m.from_state, m.to_state) for m in moved}
        last = container.cases.history(waiting, advisor)[-1]
        expected_entry = (
            "migrated",
            2,
            {
                "from_version": 1,
                "to_version": 2,
                "from_state": "WAITLISTED",
                "to_state": "WAITING_LIST",
            },
        )
        actual_entry = (
            last.kind,
            last.workflow_version,
            {k: v for k, v in last.payload.items() if k != "reminders"},
        )
        assert expected_entry == actual_entry
        expected_versions = (2, 1)
        actual_versions = (
            container.cases.get(waiting, advisor).workflow_version,
            container.cases.get(closed, advisor).workflow_version,
        )
        assert expected_versions == actual_versions
        assert all(r.ok for r in container.cases.verify())
        # On v2, the migrated case goes on with v2's own trigger names and states.
        fired = container.cases.fire(
            FireTrigger(
                waiting, "select", {"grant_project_code": "G-2", "grant_project_end": "2028-12-31"}
            ),
            advisor,
        )
        assert fired.case.state == "SELECTED"

    def test_the_cli_migrates_with_maps_and_refuses_without(
        self,
        container: Container,
        directory: dict[str, User],
        person: Person,
        workflows_v2: Path,
        db_url: str,
    ) -> None:
        """`ipm-workflow workflows migrate` exits 1 on an unmapped state and 0 once mapped."""
        advisor = Actor.of(directory["advisor_a"])
        case_id = open_on(container, person, 1)
        to_applied(container, case_id, advisor)
        container.cases.fire(FireTrigger(case_id, "waitlist"), advisor)
        env = {**os.environ, "IPM_DATABASE_URL": db_url, "IPM_WORKFLOWS_DIR": str(workflows_v2)}
        runner = CliRunner()
        root = logging.getLogger()
        handlers, saved = list(root.handlers), structlog.get_config()
        refused = runner.invoke(cli, ["workflows", "migrate", WORKFLOW, "--to", "2"], env=env)
        done = runner.invoke(
            cli,
            ["workflows", "migrate", WORKFLOW, "--to", "2", "--map", "WAITLISTED=WAITING_LIST"],
            env=env,
        )
        root.handlers[:] = handlers  # the CLI configures logging for the whole process
        structlog.configure(**saved)
        expected = (1, True, 0, f"case {case_id}: v1 WAITLISTED -> v2 WAITING_LIST")
        actual = (
            refused.exit_code,
            "WAITLISTED" in refused.stderr,
            done.exit_code,
            done.stdout.splitlines()[0],
        )
        assert expected == actual


class TestMerge:
    """A supervisor merges a duplicate case into the surviving one."""

    def test_the_duplicate_ends_merged_and_the_person_counts_once(
        self, container: Container, directory: dict[str, User], person: Person
    ) -> None:
        """The duplicate is MERGED with its history kept; its person points to the survivor's."""
        twin = container.people.register(
            Person(None, "Camille", "Exemple", date(2005, 6, 15)), REFERRER
        ).person
        survivor, duplicate = open_on(container, person, 1), open_on(container, twin, 1)
        supervisor = Actor.of(directory["supervisor"])
        merged = container.merges.merge(survivor, duplicate, "same young person", supervisor)
        advisor = Actor.of(directory["advisor_a"])
        history = container.cases.history(duplicate, advisor)
        survivor_last = container.cases.history(survivor, advisor)[-1]
        assert twin.id is not None
        expected = ("MERGED", "merge", "merged_in", duplicate, person.id)
        actual = (
            merged.merged.state,
            history[-1].trigger,
            survivor_last.kind,
            survivor_last.payload["merged_case_id"],
            container.people.get(twin.id).merged_into_id,
        )
        assert expected == actual
        assert all(r.ok for r in container.cases.verify())

    def test_only_a_supervisor_merges(
        self, container: Container, directory: dict[str, User], person: Person
    ) -> None:
        """An advisor is refused, and so is merging a case into itself."""
        first, second = open_on(container, person, 1), open_on(container, person, 1)
        with pytest.raises(Exception, match=r"may not use cases\.merge; allowed: supervisor"):
            container.merges.merge(first, second, "x", Actor.of(directory["advisor_a"]))
        with pytest.raises(Exception, match="into itself"):
            container.merges.merge(first, first, "x", Actor.of(directory["supervisor"]))

    def test_a_merged_case_accepts_nothing_more(
        self, container: Container, directory: dict[str, User], person: Person
    ) -> None:
        """MERGED is terminal: any trigger is refused and the case cannot be merged again."""
        survivor, duplicate = open_on(container, person, 1), open_on(container, person, 1)
        supervisor = Actor.of(directory["supervisor"])
        container.merges.merge(survivor, duplicate, "duplicate", supervisor)
        with pytest.raises((TransitionDenied, NotFound, Exception), match="MERGED"):
            container.cases.fire(
                FireTrigger(duplicate, "log_first_contact", {"first_contact_date": "2026-01-06"}),
                Actor.of(directory["advisor_a"]),
            )
