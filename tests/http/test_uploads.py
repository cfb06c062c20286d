"""The uploads over HTTP: a multipart upload, the list, the advisor's decision, the download."""

from __future__ import annotations

import hashlib
from typing import Any

from journey import API, CASES, ApiJourney
from journey.uploads import jpeg_head, small_pdf


def _send(api: ApiJourney, case_id: int, content: bytes, **form: str) -> dict[str, Any]:
    response = api.call(
        "POST",
        f"{CASES}/{case_id}/uploads",
        files={"file": ("../../etc/passwd.pdf", content)},
        data={"document": "identity", **form},
    )
    return {**response.json(), "http": response.status_code}


class TestUploadsApi:
    """What the advisor's tools (and the young person's pages) call."""

    def test_upload_validate_and_download(self, api: ApiJourney) -> None:
        """Received, then validated: the case's checklist has it with the upload's dates."""
        case_id = api.open(api.person())
        content = small_pdf()
        sent = _send(api, case_id, content, valid_from="2024-02-01", valid_until="2034-01-31")
        listed = api.ok("GET", f"{CASES}/{case_id}/uploads")
        expected = (201, [("received", hashlib.sha256(content).hexdigest(), "not_scanned")])
        assert expected == (sent["http"], [(u["status"], u["sha256"], u["scan"]) for u in listed])
        case = api.ok("POST", f"{API}/uploads/{sent['id']}/validation", json={})
        identity = case["documents"]["identity"]
        assert (
            identity["status"],
            identity["valid_from"],
            identity["valid_until"],
        ) == ("validated", "2024-02-01", "2034-01-31")
        file = api.call("GET", f"{API}/uploads/{sent['id']}/file")
        expected_file = (
            200,
            content,
            "application/pdf",
            f'attachment; filename="identity-{sent["id"]}.pdf"',
            "nosniff",
        )
        assert expected_file == (
            file.status_code,
            file.content,
            file.headers["content-type"],
            file.headers["content-disposition"],
            file.headers["x-content-type-options"],
        )
        again = api.call("POST", f"{API}/uploads/{sent['id']}/validation", json={})
        assert (again.status_code, again.json()["type"].rsplit("/")[-1]) == (409, "upload-decided")

    def test_a_file_of_another_type_is_refused_with_the_reason(self, api: ApiJourney) -> None:
        """A program named .pdf is judged by its bytes: 422 with the reason, nothing listed."""
        case_id = api.open(api.person())
        refused = _send(api, case_id, b"MZ\x90\x00 not a document")
        listed = api.ok("GET", f"{CASES}/{case_id}/uploads")
        expected = (422, "upload-refused", "wrong_type", [])
        assert expected == (
            refused["http"],
            refused["type"].rsplit("/")[-1],
            refused["errors"][0]["reason"],
            listed,
        )

    def test_a_refusal_needs_a_reason_and_shows_it(self, api: ApiJourney) -> None:
        """No reason: 422; with one, the upload is refused and says why."""
        case_id = api.open(api.person())
        sent = _send(api, case_id, jpeg_head())
        blank = api.call("POST", f"{API}/uploads/{sent['id']}/refusal", json={"reason": " "})
        reason = "the photo is cut: both sides of the card, please"
        refused = api.ok("POST", f"{API}/uploads/{sent['id']}/refusal", json={"reason": reason})
        assert (422, "refused", reason) == (
            blank.status_code,
            refused["status"],
            refused["refusal_reason"],
        )

    def test_the_uploads_to_validate_across_the_advisor_s_cases(self, api: ApiJourney) -> None:
        """Oldest first, only the caller's missions locales; a decided upload leaves the list."""
        first, second = (api.open(api.person()) for _ in range(2))
        sent = [_send(api, case_id, small_pdf())["id"] for case_id in (first, second)]
        api.ok("POST", f"{API}/uploads/{sent[0]}/validation", json={})
        mine = [u["id"] for u in api.ok("GET", f"{API}/uploads")]
        theirs = api.ok("GET", f"{API}/uploads", "advisor_b")
        assert ([sent[1]], []) == (mine, theirs)
