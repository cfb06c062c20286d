"""Data protection over HTTP and on the pages: the export button and its document, the API's
export in both formats, the read audit page, the record of processing."""

from __future__ import annotations

from journey import ApiJourney
from journey.pages import Pages


class TestExport:
    """The button on the case page leads to the printable document; the API gives both."""

    def test_button_and_printable_document(self, pages: Pages, api: ApiJourney) -> None:
        """The advisor's case page links the export; it is a French document with the name."""
        case = api.open_case()
        pid = case["person_id"]
        pages.sign_in("advisor_a")
        page = pages.get(f"/app/cases/{case['id']}").text
        document = pages.get(f"/app/people/{pid}/export?format=html")
        person = api.call("GET", f"/api/v1/people/{pid}").json()
        expected = (True, 200, True, True)
        actual = (
            f'href="/app/people/{pid}/export?format=html"' in page,
            document.status_code,
            "Données personnelles détenues par Ipm" in document.text,
            person["last_name"] in document.text,
        )
        assert expected == actual

    def test_api_json_and_english_html(self, api: ApiJourney) -> None:
        """JSON by default (a download); HTML in English with lang=en; each export recorded."""
        pid = api.open_case()["person_id"]
        as_json = api.call("GET", f"/api/v1/people/{pid}/export")
        as_html = api.call("GET", f"/api/v1/people/{pid}/export?format=html&lang=en")
        again = api.call("GET", f"/api/v1/people/{pid}/export").json()
        expected = ("attachment", pid, "Personal data held by Ipm", ["json", "html", "json"])
        actual = (
            as_json.headers["content-disposition"].split(";")[0],
            as_json.json()["person"]["id"],
            "Personal data held by Ipm" if "Personal data held by Ipm" in as_html.text else "",
            [e["format"] for e in again["exports"]],
        )
        assert expected == actual


class TestRectification:
    """The case page's timeline shows a correction's old and new values to those who see the
    person."""

    def test_old_and_new_values_on_the_timeline(self, pages: Pages, api: ApiJourney) -> None:
        """The advisor corrects an e-mail; the timeline says from what to what."""
        case = api.open_case()
        pid = case["person_id"]
        api.call("PATCH", f"/api/v1/people/{pid}", json={"email": "before@young.example"})
        api.call("PATCH", f"/api/v1/people/{pid}", json={"email": "after@young.example"})
        pages.sign_in("advisor_a")
        # The case page fetches its timeline apart (htmx; a page of its own without JS).
        html = pages.get(f"/app/cases/{case['id']}/timeline").text
        assert "email : before@young.example → after@young.example" in html


class TestReadAuditPage:
    """Supervisors see the reads, refused ones included."""

    def test_refused_read_is_listed(self, pages: Pages, api: ApiJourney) -> None:
        """An admin's refused read shows as refused on the supervisors' page and in the API."""
        pid = api.open_case()["person_id"]
        refused = api.sensitive(pid, "admin").status_code
        listed = api.call("GET", f"/api/v1/privacy/sensitive-reads?person_id={pid}", "supervisor")
        pages.sign_in("supervisor")
        html = pages.get(f"/app/privacy/reads?person_id={pid}").text
        expected = (403, [(f"user:{pages.users['admin'].id}", "admin", False)], True)
        actual = (
            refused,
            [(r["actor"], r["role"], r["allowed"]) for r in listed.json()],
            "<strong>refusée</strong>" in html,
        )
        assert expected == actual


class TestRegister:
    """The record of processing names the workflows' personal fields and who sees what."""

    def test_markdown_and_page(self, pages: Pages, api: ApiJourney) -> None:
        """The API's Markdown and the admin's page both list a workflow's personal field."""
        markdown = api.call("GET", "/api/v1/privacy/register", "supervisor").text
        pages.sign_in("admin")
        html = pages.get("/app/privacy/register").text
        expected = (True, True, True)
        actual = (
            "mentor_name (text, personal)" in markdown,
            "**Shown to**: advisor, supervisor" in markdown,
            "mentor_name (text, personal)" in html,
        )
        assert expected == actual
