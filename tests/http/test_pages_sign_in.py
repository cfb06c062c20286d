"""Staff sign-in on the pages: session cookie, CSRF on every form, the API's brake, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from journey.pages import PASSWORD, Pages, csrf_of


class TestSignIn:
    """The sign-in page and the session it opens."""

    def test_root_leads_to_the_sign_in_page(self, client: TestClient[Litestar]) -> None:
        """`/` unauthenticated ends on the French sign-in form, not a JSON 404."""
        answer = client.get("/")
        assert answer.status_code == 200
        assert answer.url.path == "/app/sign-in"
        assert "text/html" in answer.headers["content-type"]
        assert '<html lang="fr">' in answer.text
        assert "Identifiant" in answer.text

    def test_sign_in_sets_a_protected_cookie(self, pages: Pages) -> None:
        """A right password opens a session: HttpOnly, SameSite=Lax cookie; pages then served."""
        pages.container.accounts.set_password("advisor.a", PASSWORD)
        form = pages.get("/app/sign-in")
        answer = pages.post(
            "/app/sign-in",
            data={"username": "advisor.a", "password": PASSWORD, "_csrf": csrf_of(form.text)},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        cookie = next(c for c in answer.headers.get_list("set-cookie") if "ipm_session=" in c)
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        assert "Secure" not in cookie
        assert "Advisor A" in pages.get("/app/account").text

    def test_wrong_password_is_refused(self, pages: Pages) -> None:
        """A wrong password shows the form again with a message, and no session."""
        pages.container.accounts.set_password("advisor.a", PASSWORD)
        form = pages.get("/app/sign-in")
        answer = pages.post(
            "/app/sign-in",
            data={
                "username": "advisor.a",
                "password": "wrong-password",
                "_csrf": csrf_of(form.text),
            },
        )
        assert answer.status_code == 401
        assert "Identifiant ou mot de passe incorrect." in answer.text
        assert "ipm_session" not in pages.cookies

    def test_failures_meet_the_api_brake(
        self, client: TestClient[Litestar], app: Litestar, users: dict[str, User]
    ) -> None:
        """Past the brake's limit, sign-in is refused with 429, by the API's very brake."""
        brake = app.state.brake
        brake.free, brake.max_delay, brake.block_after = 0, 0.0, 3
        token = csrf_of(client.get("/app/sign-in").text)
        codes = [
            client.post(
                "/app/sign-in", data={"username": "x", "password": "y", "_csrf": token}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]

    def test_a_form_without_its_token_is_refused(self, pages: Pages) -> None:
        """A post without the CSRF token, or with another one, is refused with a 403 page."""
        pages.sign_in("advisor_a")
        missing = pages.post("/app/account/language", data={"language": "en"})
        forged = pages.post("/app/account/language", data={"language": "en", "_csrf": "forged"})
        assert [missing.status_code, forged.status_code] == [403, 403]
        assert "text/html" in missing.headers["content-type"]

    def test_sign_in_without_token_is_refused(self, pages: Pages) -> None:
        """Even the sign-in form needs its token (login CSRF)."""
        pages.container.accounts.set_password("advisor.a", PASSWORD)
        answer = pages.post("/app/sign-in", data={"username": "advisor.a", "password": PASSWORD})
        assert answer.status_code == 403

    def test_the_api_keeps_its_bearer_tokens(
        self, client: TestClient[Litestar], tokens: dict[str, str]
    ) -> None:
        """The API still answers bearer tokens without any CSRF token, and 401 without one."""
        headers = {"Authorization": f"Bearer {tokens['advisor_a']}"}
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
        assert client.get("/api/v1/cases").status_code == 401


class TestSessionLifetime:
    """Sessions end by signing out, by expiry, by a password reset and by deactivation."""

    def test_sign_out_ends_the_session(self, pages: Pages) -> None:
        """After signing out, a page leads back to the sign-in form."""
        token = pages.sign_in("advisor_a")
        pages.post("/app/sign-out", data={"_csrf": token})
        assert pages.get("/app/account").url.path == "/app/sign-in"

    def test_session_expires(self, pages: Pages, clock: ManualClock) -> None:
        """Past its lifetime (a setting), the session is refused."""
        pages.sign_in("advisor_a")
        clock.advance(timedelta(minutes=pages.container.settings.web_session_minutes + 1))
        assert pages.get("/app/account").url.path == "/app/sign-in"

    @pytest.mark.parametrize("how", ["reset", "deactivate"])
    def test_reset_or_deactivation_ends_sessions(self, how: str, pages: Pages) -> None:
        """An admin's password reset or a deactivation ends the user's sessions at once."""
        pages.sign_in("advisor_a")
        if how == "reset":
            pages.container.accounts.set_password("advisor.a", "another-password-2")
        else:
            assert pages.users["advisor_a"].id is not None
            pages.container.staff.deactivate(pages.users["advisor_a"].id, OPERATOR_ACTOR)
        assert pages.get("/app/account").url.path == "/app/sign-in"


class TestAccount:
    """One's own password and language; the admins' users page."""

    def test_change_own_password(self, pages: Pages) -> None:
        """The current password is asked; the new one then signs in."""
        token = pages.sign_in("advisor_a")
        wrong = pages.post(
            "/app/account/password",
            data={
                "current": "nope",
                "new": "brand-new-pass",
                "confirm": "brand-new-pass",
                "_csrf": token,
            },
        )
        assert wrong.status_code == 422
        done = pages.post(
            "/app/account/password",
            data={
                "current": PASSWORD,
                "new": "brand-new-pass",
                "confirm": "brand-new-pass",
                "_csrf": token,
            },
        )
        assert done.url.query == b"done=password" or "done=password" in str(done.url)
        assert pages.container.accounts.sign_in("advisor.a", "brand-new-pass") is not None

    def test_language_switch_is_kept(self, pages: Pages) -> None:
        """Choosing English is stored on the user: the pages then speak English."""
        token = pages.sign_in("advisor_a")
        page = pages.post("/app/account/language", data={"language": "en", "_csrf": token})
        assert '<html lang="en">' in page.text
        assert pages.container.people.user_by_name("advisor.a").language == "en"

    def test_admin_resets_a_password(self, pages: Pages) -> None:
        """An admin sets a password from the users page; an advisor may not see that page."""
        token = pages.sign_in("admin")
        page = pages.get("/app/users")
        assert "advisor.b" in page.text
        pages.post(
            "/app/users/advisor.b/password", data={"password": "set-by-admin-1", "_csrf": token}
        )
        assert pages.container.accounts.sign_in("advisor.b", "set-by-admin-1") is not None

    def test_advisor_may_not_manage_users(self, pages: Pages) -> None:
        """The users page is refused to an advisor with a 403 page."""
        pages.sign_in("advisor_a")
        assert pages.get("/app/users").status_code == 403
