"""The port of retention: what the rules read of people, and the rows a pseudonymisation clears."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ipm_workflow.domain.retention import PersonFacts


class RetentionRepository(Protocol):
    """People as the retention rules see them; clearing and deleting their rows."""

    def facts(self, after_id: int, limit: int, timezone: str) -> list[PersonFacts]:
        """The next people by id (after `after_id`), with their cases' ends (days in `timezone`)."""
        ...

    def clear_person(self, person_id: int, pseudonym: str, at: datetime) -> None:
        """Pseudonymise the person's row and clear every row about them outside the cases.

        Names become the pseudonym, contacts and free text go, the birth date keeps its year;
        guardians and sensitive free text are removed; contact notes, the messages' texts and
        addressees, and move reasons of their cases are cleared.
        """
        ...

    def delete_person(self, person_id: int) -> list[int]:
        """Delete the person and everything about them, cases and chains included; case ids."""
        ...

    def forget_answers(self, before: datetime) -> int:
        """Delete the stored answers of idempotent requests made before a moment; how many."""
        ...
