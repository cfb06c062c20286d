"""Helpers for the web pages through the Litestar test client: sign in, read a form's token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User

PASSWORD = "correct-horse-battery"  # fake, long enough for the rule
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = CSRF.search(html)
    assert found is not None, "no form token on the page"
    return found.group(1)


def sign_in(
    client: TestClient[Any], container: Container, user: User, password: str = PASSWORD
) -> str:
    """Give the user a password, sign in through the form; return the session's CSRF token."""
    container.accounts.set_password(user.username, password)
    form = client.get("/app/sign-in")
    answer = client.post(
        "/app/sign-in",
        data={"username": user.username, "password": password, "_csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/app/account").text)


@dataclass
class Pages:
    """The pages through the test client, for the directory's users (fixture `pages`)."""

    client: TestClient[Any]
    container: Container
    users: dict[str, User]

    def sign_in(self, key: str) -> str:
        """Sign in as `users[key]` through the form; return the session's CSRF token."""
        return sign_in(self.client, self.container, self.users[key])

    def get(self, url: str, **options: Any) -> Any:
        """GET a page (an httpx response)."""
        return self.client.get(url, **options)

    def post(self, url: str, **options: Any) -> Any:
        """POST a form (an httpx response)."""
        return self.client.post(url, **options)

    @property
    def cookies(self) -> Any:
        """The client's cookies (`.clear()` signs out without a request)."""
        return self.client.cookies
