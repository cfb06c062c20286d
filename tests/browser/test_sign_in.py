"""Signing in and out in a real browser; a wrong password; a form without its CSRF token."""

from __future__ import annotations

import re

import httpx

from browser.conftest import Visitor


class TestSignInPage:
    """The sign-in page, by clicking and typing."""

    def test_sign_in_and_out(self, visitor: Visitor) -> None:
        """`/` leads to the sign-in page; signing in shows my cases; signing out leads back."""
        visitor.goto("/")
        assert "/app/sign-in" in visitor.page.url
        visitor.check("sign-in")
        visitor.sign_in("demo.advisor1")
        assert "/app/cases" in visitor.page.url
        assert visitor.page.get_by_role("banner").get_by_text("Conseillère Démo Un").is_visible()
        visitor.check("my-cases")
        visitor.page.get_by_role("button", name="Se déconnecter").click()
        visitor.page.wait_for_url(re.compile("/app/sign-in"))
        visitor.goto("/app/account")
        assert "/app/sign-in" in visitor.page.url

    def test_wrong_password_is_refused(self, visitor: Visitor) -> None:
        """A wrong password shows an alert on the sign-in form, which stays accessible."""
        visitor.sign_in("demo.advisor1", "not-the-password")
        assert "/app/sign-in" in visitor.page.url
        alert = visitor.page.get_by_role("alert")
        assert alert.inner_text().strip() == "Identifiant ou mot de passe incorrect."
        visitor.check("wrong-password")

    def test_account_page_and_english(self, visitor: Visitor) -> None:
        """The account page switches the pages to English for this user."""
        visitor.sign_in("demo.supervisor")
        visitor.goto("/app/account")
        visitor.check("account")
        visitor.page.get_by_label("Langue des pages").select_option("en")
        visitor.page.get_by_role("button", name="Enregistrer").click()
        visitor.page.wait_for_load_state()
        assert visitor.page.get_by_role("heading", name="My account").is_visible()
        visitor.page.get_by_label("Language of the pages").select_option("fr")
        visitor.page.get_by_role("button", name="Save").click()
        visitor.page.wait_for_load_state()
        assert visitor.page.get_by_role("heading", name="Mon compte").is_visible()

    def test_admin_users_page(self, visitor: Visitor) -> None:
        """An admin sees every account with a password form."""
        visitor.sign_in("demo.admin")
        visitor.goto("/app/users")
        assert visitor.page.get_by_role("cell", name="demo.advisor2", exact=True).is_visible()
        visitor.check("users")

    def test_form_without_csrf_token_is_refused(self, visitor: Visitor) -> None:
        """A post with the session cookie but no form token gets a 403 page, not a change."""
        visitor.sign_in("demo.advisor2")
        answer = visitor.page.request.post(
            visitor.server.url + "/app/account/language", form={"language": "en"}
        )
        assert answer.status == 403
        assert "jeton de sécurité" in answer.text()
        visitor.goto("/app/account")
        assert visitor.page.get_by_role("heading", name="Mon compte").is_visible()

    def test_the_api_still_takes_bearer_tokens(self, visitor: Visitor) -> None:
        """Next to the pages, the API answers a bearer token and no CSRF token is asked."""
        with visitor.server.api("demo.advisor1") as api:
            assert api.get("/api/v1/cases").status_code == 200
        assert httpx.get(visitor.server.url + "/api/v1/cases").status_code == 401
