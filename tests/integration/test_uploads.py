"""Documents uploaded by the young person or a guardian: checked, scanned, stored, validated."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ipm_workflow.bootstrap import upload_service
from ipm_workflow.domain.cases import Document
from ipm_workflow.domain.errors import Forbidden, NotFound
from ipm_workflow.domain.policy import Actor, portal_actor
from ipm_workflow.domain.uploads import ScannerUnavailable, UploadRefused
from ipm_workflow.services.commands import DecideUpload, SendUpload
from ipm_workflow.services.upload_stages import UploadDecided
from ipm_workflow.services.uploads import UploadService
from journey import GUARDIAN_EMAIL, Journey
from journey.servers import free_port
from journey.uploads import EICAR_LIKE, SIGNATURE, fake_clamd, jpeg_head, small_pdf

LIMIT = 4096


def _service(journey: Journey, root: Path, clamd: str | None = None) -> UploadService:
    settings = journey.container.settings.model_copy(
        update={"uploads_dir": root / "uploads", "upload_max_bytes": LIMIT, "clamd_address": clamd}
    )
    store = journey.container.cases.store
    return upload_service(settings, store, journey.container.cases.records)


def _young_person(journey: Journey, case_id: int) -> Actor:
    return portal_actor(journey.case(case_id).person_id)


def _guardian(journey: Journey, case_id: int) -> Actor:
    case = journey.case(case_id)
    return portal_actor(case.person_id, journey.guardian(case.person_id, email=GUARDIAN_EMAIL))


def _stored(root: Path) -> list[Path]:
    return sorted(p for p in (root / "uploads").rglob("*") if p.is_file())


def _status(journey: Journey, case_id: int) -> str:
    """The identity document's status on the case's checklist."""
    return journey.case(case_id).documents.get("identity", Document("identity")).status


def _identity_unmet(journey: Journey, case_id: int) -> dict[str, str]:
    """What the departure's documents guard says of the identity document (empty: in order)."""
    _, actions = journey.cases.actions(case_id, journey.advisor)
    ready = next(a for a in actions if a.trigger == "confirm_ready")
    return {
        doc: problem
        for u in ready.unmet
        if u.code == "documents_missing"
        for doc, problem in u.detail.items()
        if doc == "identity"
    }


class TestValidation:
    """From the young person's file to the checklist, through the advisor's validation."""

    def test_an_upload_counts_once_the_advisor_validates_it(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """Received: still missing for the guard; validated: the guard no longer names it."""
        uploads = _service(journey, tmp_path)
        case = journey.walk_to(case_id, "PREPARING")
        end = date.fromisoformat(case.data["planned_end"])
        valid_until = date(end.year + 5, 1, 31)
        young = _young_person(journey, case_id)
        content = small_pdf()
        sent = uploads.send(
            SendUpload(case_id, "identity", content, date(2024, 2, 1), valid_until), young
        )
        received = (
            [(u.status, u.sha256, u.size, u.media_type) for u in uploads.of_case(case_id, young)],
            _status(journey, case_id),
            _identity_unmet(journey, case_id),
            [p.name for p in _stored(tmp_path)],
            journey.history(case_id)[-1].actor,
        )
        expected_received = (
            [("received", hashlib.sha256(content).hexdigest(), len(content), "application/pdf")],
            "missing",
            {"identity": "missing"},
            [sent.storage_key],
            young.id,
        )
        assert expected_received == received
        validated = uploads.validate(DecideUpload(sent.id or 0), journey.advisor)
        last = journey.history(case_id)[-1]
        doc = validated.documents["identity"]
        expected = (
            ("validated", date(2024, 2, 1), valid_until, journey.advisor.id),
            {},
            ("document", journey.advisor.id, sent.id),
            ["validated"],
        )
        assert expected == (
            (doc.status, doc.valid_from, doc.valid_until, doc.validated_by),
            _identity_unmet(journey, case_id),
            (last.kind, last.actor, last.payload["upload_id"]),
            [u.status for u in uploads.of_case(case_id, young)],
        )

    def test_a_refusal_keeps_its_reason_for_the_young_person(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """A refused upload leaves the checklist as it was and tells why; it is decided once."""
        uploads = _service(journey, tmp_path)
        young = _young_person(journey, case_id)
        sent = uploads.send(SendUpload(case_id, "identity", jpeg_head()), young)
        reason = "the photo is blurred: please take it again in daylight"
        uploads.refuse(DecideUpload(sent.id or 0, reason=reason), journey.advisor)
        seen = uploads.of_case(case_id, young)[0]
        expected = (("refused", reason), "missing", "upload_refused")
        assert expected == (
            (seen.status, seen.refusal_reason),
            _status(journey, case_id),
            journey.history(case_id)[-1].kind,
        )
        with pytest.raises(UploadDecided):
            uploads.validate(DecideUpload(sent.id or 0), journey.advisor)

    def test_staff_download_the_file_the_young_person_sent(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """The advisor gets the bytes back under a name of ours; the young person may not."""
        uploads = _service(journey, tmp_path)
        young = _young_person(journey, case_id)
        sent = uploads.send(SendUpload(case_id, "identity", jpeg_head()), young)
        upload, content = uploads.download(sent.id or 0, journey.advisor)
        assert (f"identity-{sent.id}.jpg", jpeg_head()) == (upload.file_name, content)
        with pytest.raises(Forbidden):
            uploads.download(sent.id or 0, young)


class TestRefusedOnArrival:
    """Over the limit, of the wrong type, or flagged: refused with the reason, nothing kept."""

    @pytest.mark.parametrize(
        ("content", "reason"),
        [
            (b"%PDF-1.4\n" + b"x" * LIMIT, "too_large"),
            (b"MZ\x90\x00 a program, not a document", "wrong_type"),
            (b"GIF89a an image of a type not accepted", "wrong_type"),
            (b"", "empty"),
        ],
        ids=["over-the-limit", "program", "gif", "empty"],
    )
    def test_refused_with_the_reason(
        self, journey: Journey, case_id: int, tmp_path: Path, content: bytes, reason: str
    ) -> None:
        """The service says why; no file, no row, no history line."""
        uploads = _service(journey, tmp_path)
        before = len(journey.history(case_id))
        with pytest.raises(UploadRefused) as refused:
            uploads.send(SendUpload(case_id, "identity", content), _young_person(journey, case_id))
        expected = (reason, [], [], before)
        assert expected == (
            refused.value.reason,
            _stored(tmp_path),
            uploads.of_case(case_id, journey.advisor),
            len(journey.history(case_id)),
        )

    def test_a_file_the_scanner_flags_is_refused_and_a_clean_one_recorded_as_scanned(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """A fake clamd on localhost speaks INSTREAM and flags the EICAR-like marker."""
        young = _young_person(journey, case_id)
        with fake_clamd() as address:
            uploads = _service(journey, tmp_path, address)
            with pytest.raises(UploadRefused) as refused:
                uploads.send(SendUpload(case_id, "identity", small_pdf() + EICAR_LIKE), young)
            clean = uploads.send(SendUpload(case_id, "identity", small_pdf()), young)
        expected = ("flagged", f"the virus scanner flagged the file ({SIGNATURE})", "clean")
        assert expected == (refused.value.reason, refused.value.message, clean.scan)
        assert [clean.storage_key] == [p.name for p in _stored(tmp_path)]

    def test_a_configured_scanner_that_does_not_answer_stops_the_upload(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """No scan, no file: an unreachable clamd is an error, not a silent 'not scanned'."""
        uploads = _service(journey, tmp_path, f"tcp://127.0.0.1:{free_port()}")
        with pytest.raises(ScannerUnavailable):
            uploads.send(
                SendUpload(case_id, "identity", small_pdf()), _young_person(journey, case_id)
            )
        assert not _stored(tmp_path)


class TestWhoProvidesWhat:
    """The checklist says who provides each document; a person sees only their own cases."""

    def test_the_guardian_sends_the_travel_authorisation_not_the_identity(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """`provided_by` decides: the guardian's documents for the guardian, and the reverse."""
        uploads = _service(journey, tmp_path)
        guardian, young = _guardian(journey, case_id), _young_person(journey, case_id)
        sent = uploads.send(SendUpload(case_id, "ast", small_pdf()), guardian)
        with pytest.raises(Forbidden):
            uploads.send(SendUpload(case_id, "identity", small_pdf()), guardian)
        with pytest.raises(Forbidden):
            uploads.send(SendUpload(case_id, "ast", small_pdf()), young)
        last = journey.history(case_id)[-1]
        assert ("guardian", guardian.id, "ast") == (sent.uploaded_role, last.actor, sent.document)

    def test_another_young_person_gets_a_404(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """Someone else's case and uploads answer as if they did not exist."""
        uploads = _service(journey, tmp_path)
        sent = uploads.send(
            SendUpload(case_id, "identity", small_pdf()), _young_person(journey, case_id)
        )
        other_id = journey.person(first_name="Alex")
        other = portal_actor(other_id)
        with pytest.raises(NotFound):
            uploads.of_case(case_id, other)
        with pytest.raises(NotFound):
            uploads.send(SendUpload(case_id, "identity", small_pdf()), other)
        assert sent.id is not None


class TestDataProtection:
    """A person's files for an export, and their erasure."""

    def test_export_lists_the_files_and_erasure_deletes_them(
        self, journey: Journey, case_id: int, tmp_path: Path
    ) -> None:
        """The export has each file's hash; erasure deletes the files and keeps the hashes."""
        uploads = _service(journey, tmp_path)
        young = _young_person(journey, case_id)
        pdf, jpeg = small_pdf(), jpeg_head()
        for content in (pdf, jpeg):
            uploads.send(SendUpload(case_id, "identity", content), young)
        person_id = journey.case(case_id).person_id
        exported = [u.export() for u in uploads.files_of_person(person_id)]
        expected = [hashlib.sha256(c).hexdigest() for c in (pdf, jpeg)]
        assert expected == [e["sha256"] for e in exported]
        erased = uploads.erase_files_of_person(person_id)
        after = [(u.sha256, u.storage_key) for u in uploads.files_of_person(person_id)]
        assert (2, [], [(h, None) for h in expected]) == (erased, _stored(tmp_path), after)
        with pytest.raises(NotFound):
            uploads.download(exported[0]["id"], journey.advisor)

    def test_pseudonymisation_and_deletion_take_the_files_and_the_sign_in(
        self, journey: Journey, case_id: int
    ) -> None:
        """Retention's pseudonymisation deletes the person's files and sign-in links (their
        rows keep the hash); deletion removes the rows too, foreign keys included."""
        container = journey.container
        young = _young_person(journey, case_id)
        person_id = journey.case(case_id).person_id
        container.uploads.send(SendUpload(case_id, "identity", small_pdf()), young)
        folder = container.settings.uploads_dir
        with container.cases.store.uow() as uow:
            url = container.portal.mint(uow, person_id)
            uow.commit()
        token = url.rsplit("/", 1)[-1]
        files = [p for p in folder.rglob("*") if p.is_file()]
        container.pseudonymisation.pseudonymise(person_id, "test_rule")
        kept = [
            (u.storage_key, u.refusal_reason) for u in container.uploads.files_of_person(person_id)
        ]
        after = ([p for p in folder.rglob("*") if p.is_file()], kept)
        expected = (1, ([], [(None, None)]))  # one file sent; none left, the row without key
        assert expected == (len(files), after)
        assert container.portal.redeem(token).session is None
        container.pseudonymisation.delete(person_id, "test_rule")
        assert not container.uploads.files_of_person(person_id)


class TestMergedCases:
    """A duplicate case's uploads follow it into the surviving case."""

    def test_the_files_follow_the_merge(
        self, journey: Journey, case_id: int, directory: dict[str, Any]
    ) -> None:
        """Sent on the duplicate (another record of the same young person), the file is the
        survivor's after the merge — on its case, its person, its page — and the merge's history
        entry names it."""
        container = journey.container
        twin = journey.person(date(2005, 6, 15), first_name="Camille", email="camille@example.org")
        duplicate = journey.open(twin)
        sent = container.uploads.send(
            SendUpload(duplicate, "identity", small_pdf()), portal_actor(twin)
        )
        survivor_person = journey.case(case_id).person_id
        container.merges.merge(
            case_id, duplicate, "same young person", Actor.of(directory["supervisor"])
        )
        moved = container.uploads.of_case(case_id, journey.advisor)
        entry = journey.history(case_id)[-1]
        expected = ([(sent.id, survivor_person)], [], [sent.id])
        assert expected == (
            [(u.id, u.person_id) for u in moved],
            container.uploads.of_case(duplicate, journey.advisor),
            entry.payload["carried"]["uploads"],
        )
