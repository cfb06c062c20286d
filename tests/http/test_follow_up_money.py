"""The follow-up and money routes: contact attempts, checkpoints, money and the grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor
from journey import ApiJourney, Journey

NARROW = "\u202f"


@dataclass
class Both:
    """The service driver (advisor A) to walk a case, the HTTP driver to test the routes."""

    client: TestClient[Litestar]
    container: Container
    users: dict[str, User]
    walk: Journey

    def api(self) -> ApiJourney:
        """The HTTP driver with tokens issued now (the walk moved the clock past the first
        ones)."""
        tokens = {k: self.container.tokens.issue(u.username).token for k, u in self.users.items()}
        return ApiJourney(self.client, tokens, users=self.users)


@pytest.fixture
def both(
    client: TestClient[Litestar],
    container: Container,
    directory: dict[str, User],
    clock: ManualClock,
) -> Both:
    """Advisor A's walk through the services and the routes' driver."""
    walk = Journey(container, Actor.of(directory["advisor_a"]), clock)
    return Both(client, container, directory, walk)


class TestContactAttempts:
    """POST and GET /api/v1/cases/{id}/contact-attempts."""

    def test_log_then_read_attempts_and_checkpoints(self, both: Both) -> None:
        """An attempt answers 201 with the new version as ETag; the list shows it by checkpoint."""
        walk = both.walk
        cid = walk.open(walk.person())
        walk.walk_to(cid, "FOLLOW_UP")
        end = date.fromisoformat(walk.case(cid).data["actual_end"])
        walk.move_to(date.fromordinal(end.toordinal() + 95))
        api = both.api()
        version = api.case(cid)["version"]
        created = api.attempt(cid, "call", note="Messagerie.", version=version)
        view = api.follow_up(cid)

        expected = (201, f'"{version + 1}"', "call", False, "m3")
        body = created.json()
        assert expected == (
            created.status_code,
            created.headers["etag"],
            body["channel"],
            body["answered"],
            body["checkpoint"],
        )
        expected_view = [("m3", "not_yet_asked", 1), ("m6", "not_open", 0)]
        assert expected_view == [
            (c["id"], c["status"], c["attempts"]) for c in view["checkpoints"][:2]
        ]
        assert [a["note"] for a in view["attempts"]] == ["Messagerie."]

    def test_a_bad_channel_and_a_stale_version_are_refused(self, both: Both) -> None:
        """422 for an unknown channel or an answered flag that is not a boolean; 409 when the
        case moved on; 404 for another mission locale's case."""
        walk = both.walk
        cid = walk.open(walk.person())
        api = both.api()
        bad_channel = api.attempt(cid, "pigeon")
        bad_flag = api.call(
            "POST",
            f"/api/v1/cases/{cid}/contact-attempts",
            json={"channel": "sms", "answered": "yes"},
        )
        stale = api.attempt(cid, "sms", version=0)
        elsewhere = api.attempt(cid, "sms", who="advisor_b")

        expected = [422, 422, 409, 404]
        actual = [r.status_code for r in (bad_channel, bad_flag, stale, elsewhere)]
        assert expected == actual


class TestMoney:
    """GET /api/v1/cases/{id}/money and POST …/money/grant-confirmation."""

    def test_money_in_cents_shown_in_euros_and_the_grant_confirmed(self, both: Both) -> None:
        """Amounts travel as integer cents, with a display per language; confirming answers
        the settled money."""
        walk = both.walk
        cid = walk.open(walk.person())
        walk.walk_to(cid, "ABROAD", planned_start=date(2027, 3, 1), planned_end=date(2027, 5, 30))
        api = both.api()
        api.set(cid, grant_agreed=273_000, prefinancing_amount=218_400, prefinancing_paid=True)
        float_refused = api.call(
            "PATCH", f"/api/v1/cases/{cid}/data", json={"changes": {"grant_agreed": 2730.5}}
        )
        walk.doc(cid, "early_return_evidence")
        walk.move_to(date(2027, 3, 31), 15)
        api = both.api()
        walk.fire(
            cid,
            "return_early",
            {"early_return_reason": "exclusion", "actual_end": date(2027, 3, 31)},
            reason="Exclusion par l'accueil (test)",
        )
        fr, en = api.money(cid), api.money(cid, "en")
        confirmed = api.confirm_grant(cid)

        assert float_refused.status_code == 422
        expected_fr = (273_000, f"2{NARROW}730,00\xa0€", 31, 93_000)
        assert expected_fr == (
            fr["values"]["grant_agreed"],
            fr["display"]["grant_agreed"],
            fr["days_done"],
            fr["proposal"]["proposed"],
        )
        assert en["display"]["prefinancing_amount"] == "€2,184.00"
        expected_confirmed = (200, 125_400, "early_return_exclusion")
        body = confirmed.json()
        assert expected_confirmed == (
            confirmed.status_code,
            body["values"]["recovery_amount"],
            body["values"]["recovery_reason"],
        )
