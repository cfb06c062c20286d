"""Data protection on the command line: the export to a file, consents, erasure requests, the
read audit and the record of processing."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from typer.testing import Result

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person, User
from ipm_workflow.domain.policy import Actor

Cli = Callable[..., Result]


class TestPrivacyCommands:
    """One person through every data-protection command."""

    def test_export_consent_erasure_reads_register(
        self,
        cli: Cli,
        container: Container,
        advisor: Actor,
        directory: Mapping[str, User],
        tmp_path: Path,
    ) -> None:
        """Each command does its part, and the export (as the advisor) holds what they did."""
        pid = container.people.register(Person(None, "Sacha", "Lumbroso"), advisor).person.id
        assert pid is not None
        consent = cli(
            "people", "consent", str(pid), "--purpose", "sms", "--granted",
            "--method", "paper form", "--as", "advisor.a",
        )  # fmt: skip
        refused = cli("people", "sensitive", "show", str(pid))  # the operator may not
        request = cli(
            "privacy", "erasure-request", str(pid), "--received-on", "2026-01-04",
            "--requester", "young_person",
        )  # fmt: skip
        request_id = request.stdout.split()[-1]
        decided = cli(
            "privacy", "erasure-decide", request_id, "--decision", "refused",
            "--reason", "a programme still running",
        )  # fmt: skip
        reads = cli("privacy", "reads", "--person", str(pid))
        out = tmp_path / "export.json"
        exported = cli(
            "people", "export", str(pid), "--format", "json", "--out", str(out), "--as", "advisor.a"
        )
        html = cli("people", "export", str(pid), "--format", "html", "--lang", "en")
        register = cli("privacy", "register", "--format", "md")
        export = json.loads(out.read_text(encoding="utf-8"))
        expected = (
            (0, 1, 0, 0, 0, 0, 0),
            ["sms"],
            ["refused"],
            "REFUSED",
            True,
            True,
        )
        actual = (
            (
                consent.exit_code,
                refused.exit_code,
                request.exit_code,
                decided.exit_code,
                exported.exit_code,
                html.exit_code,
                register.exit_code,
            ),
            [e["purpose"] for e in export["consents"] if e["method"] == "paper form"],
            [r["decision"] for r in export["erasure_requests"]],
            reads.stdout.split("\t")[-1].strip(),
            "Lumbroso" in html.stdout and "Personal data held by Ipm" in html.stdout,
            "# Record of processing" in register.stdout,
        )
        assert expected == actual
