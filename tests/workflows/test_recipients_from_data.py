"""Recipients taken from the case's data: variant A's accompanying person, reached at the
address recorded on the case, or the advisor in their place when there is none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_erasmus_vet_group import HOST, START, _leave, walk

from journey import Journey, paris

WORKFLOW = "erasmus_vet_group"
OPENING = {"cv_attached": True, "privacy_notice_given": True}
ACCOMPANYING = "accompagnatrice@example.org"
RECIPIENT = "field:accompanying_person_email"


def _departure_pack(d: Journey, cid: int, host: dict[str, object]) -> list[tuple[str, ...]]:
    """Walk to READY with these host details; return where the D-2 pack goes, by recipient."""
    walk(d, cid, "SELECTED")
    d.fire(cid, "match_host", host)
    while d.state(cid) != "READY":
        _leave(d, cid, d.state(cid))
    planned = {r.recipient for r in d.reminders(cid) if r.rule_id == "departure_pack_d2"}
    assert {"young_person", "host", RECIPIENT} == planned
    d.clock.set(paris(START - timedelta(days=2), 9) + timedelta(minutes=1))  # type: ignore[union-attr]
    delivery = d.container.delivery
    found = []
    for reminder in delivery.claim("recipients-test"):
        message = delivery.prepare(reminder, "recipients-test")
        if message is not None and reminder.recipient == RECIPIENT:
            found.append((message.channel, *message.to, message.instead_of or ""))
    return found


class TestAccompanyingPerson:
    @pytest.mark.usefixtures("directory")
    def test_reached_at_the_address_on_the_case(self, drive: Journey, case_id: int) -> None:
        """The departure pack goes to the accompanying person's e-mail from the case data."""
        host = {**HOST, "accompanying_person_email": ACCOMPANYING}
        assert _departure_pack(drive, case_id, host) == [("email", ACCOMPANYING, "")]

    @pytest.mark.usefixtures("directory")
    def test_without_an_address_the_advisor_hears(self, drive: Journey, case_id: int) -> None:
        """No address recorded: the advisor gets the pack, told whom it was meant for."""
        found = _departure_pack(drive, case_id, dict(HOST))
        assert len(found) == 1
        assert found[0][-1].startswith(RECIPIENT + " (no accompanying_person_email recorded")
