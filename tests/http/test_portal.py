"""The young person's own pages over HTTP: links, sessions apart from staff's, 404 for others."""

from __future__ import annotations

import re
from datetime import date

from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import Actor
from journey.pages import csrf_of
from journey.service import Journey

TOKEN = re.compile(r"/my/link/([A-Za-z0-9_-]+)")


def link_for(container: Container, person_id: int, guardian_id: int | None = None) -> str:
    """A fresh sign-in link's path, minted as a message would carry it."""
    with container.uow() as uow:
        url = container.portal.mint(uow, person_id, guardian_id)
        uow.commit()
    found = TOKEN.search(url)
    assert found is not None
    return found.group(0)


def sign_in_with(client: TestClient[Litestar], path: str) -> None:
    """Open a link's page and press its button."""
    page = client.get(path)
    assert page.status_code == 200
    answer = client.post(path, data={"_csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303


class TestSession:
    """A link opens the person's own pages, and nothing else."""

    def test_link_opens_the_journey_and_only_it(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """Signed in by link: own case 200; another person's case 404; staff pages and API
        refused; the link cannot be used twice."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        mine = journey.person(date(2004, 3, 1), email="alix@example.org")
        other = journey.person(date(2004, 3, 1), first_name="Sacha", email="sacha@example.org")
        my_case, other_case = journey.open(mine), journey.open(other)
        path = link_for(container, mine)
        sign_in_with(client, path)
        assert client.get(f"/my/cases/{my_case}").status_code == 200
        assert client.get(f"/my/cases/{other_case}").status_code == 404
        staff = client.get("/app/cases", follow_redirects=False)
        assert (
            staff.status_code,
            staff.headers["location"],
        ) == (303, "/app/sign-in?next=/app/cases")
        assert client.get(f"/api/v1/cases/{my_case}").status_code == 401
        again = client.get(path)
        assert again.status_code == 410
        assert "déjà servi" in again.text
