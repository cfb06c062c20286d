"""Previewing a reminder from the CLI and the API, in the young person's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from typer.testing import Result

from journey import CASES, YP_EMAIL, ApiJourney, Journey

START, END = date(2026, 4, 20), date(2026, 7, 17)
LANGUAGES = [
    ("fr", "Documents à fournir avant le départ", "Bonjour Camille,", "- Pièce d'identité"),
    ("en", "Documents needed before departure", "Hi Camille,", "- Identity document"),
]


def _d60_for(walker: Journey, language: str) -> tuple[int, int]:
    """Plan the D-60 documents reminder of a young person speaking a language: case, reminder."""
    cid = walker.open(walker.person(language=language))
    walker.to_contracted(cid, START, END)
    [reminder] = [
        r
        for r in walker.reminders(cid)
        if (r.rule_id, r.recipient) == ("documents_d60", "young_person")
    ]
    return cid, reminder.id


class TestCliPreview:
    """`ipm-workflow reminders preview ID`."""

    @pytest.mark.parametrize(("language", "subject", "greeting", "document"), LANGUAGES)
    def test_preview_speaks_the_young_persons_language(
        self,
        walker: Journey,
        cli: Callable[..., Result],
        language: str,
        subject: str,
        greeting: str,
        document: str,
    ) -> None:
        """The rendered mail: channel, address, Message-ID, subject and body in fr or en."""
        _, reminder_id = _d60_for(walker, language)
        result = cli("reminders", "preview", str(reminder_id))

        lines = result.stdout.splitlines()
        expected_head = [
            "Channel: email",
            f"To: {YP_EMAIL}",
            f"Message-ID: <reminder-{reminder_id}@ipm-workflow.example.org>",
            f"Subject: {subject}",
            "",
            greeting,
        ]
        assert expected_head == lines[:6]
        assert document in lines
        expected_code = 0
        assert expected_code == result.exit_code


class TestApiPreview:
    """GET /api/v1/cases/{id}/reminders/{id}/preview."""

    @pytest.mark.parametrize(("language", "subject", "greeting", "document"), LANGUAGES)
    def test_preview_speaks_the_young_persons_language(
        self,
        walker: Journey,
        api: ApiJourney,
        language: str,
        subject: str,
        greeting: str,
        document: str,
    ) -> None:
        """The API renders the same mail in the person's language, and sends nothing."""
        case_id, reminder_id = _d60_for(walker, language)
        response = api.call("GET", f"{CASES}/{case_id}/reminders/{reminder_id}/preview")

        body = response.json()
        expected = (200, "email", [YP_EMAIL], subject, language, "planned")
        [status] = [r.status for r in walker.reminders(case_id) if r.id == reminder_id]
        actual = (
            response.status_code,
            body["channel"],
            body["to"],
            body["subject"],
            body["language"],
            status,
        )
        assert expected == actual
        assert body["body"].startswith(greeting)
        assert document in body["body"].splitlines()

    def test_preview_of_another_cases_reminder_is_not_found(
        self, walker: Journey, api: ApiJourney
    ) -> None:
        """A reminder is previewed through its own case only, as it is acknowledged."""
        _, reminder_id = _d60_for(walker, "fr")
        other = walker.open(walker.person())
        response = api.call("GET", f"{CASES}/{other}/reminders/{reminder_id}/preview")

        expected = 404
        assert expected == response.status_code
