"""Documents uploaded by the young person or a guardian, and the advisor's validation.

An upload is checked (size, type by its first bytes), scanned (clamd when configured), kept in
the file store under a random key with its SHA-256, and recorded in the case's history. It
counts in the checklist only once an advisor validates it: the document is then recorded by the
one document path (CaseRecords.record_document_in, hence CaseStore.record), in the same
transaction. A refusal keeps the reason the young person sees.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

import structlog

from ipm_workflow.domain import policy, text
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import Forbidden, InvalidInput, NotFound
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.domain.uploads import Upload, UploadLimits, UploadRefused, check_file
from ipm_workflow.services.case_records import CaseRecords
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import DecideUpload, RecordDocument, SendUpload, check_validity
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.upload_ports import FileStore, Scanner
from ipm_workflow.services.upload_stages import DocumentToSend, UploadDecided

log = structlog.get_logger("ipm_workflow.uploads")


class UploadService:
    """Send, list, validate, refuse and download uploads; a person's files for data rights."""

    def __init__(
        self,
        store: CaseStore,
        records: CaseRecords,
        files: FileStore,
        *,
        scanner: Scanner,
        limits: UploadLimits,
        new_key: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        self.store = store
        self.records = records
        self.files = files
        self.scanner = scanner
        self.limits = limits
        self.new_key = new_key

    def _own_case(self, uow: UnitOfWork, case_id: int, actor: Actor) -> Case:
        # The policy's see_case: staff by missions locales, the young person by their own cases.
        case, _ = self.store.load(uow, case_id, actor)
        return case

    def _sendable(self, uow: UnitOfWork, cmd: SendUpload, actor: Actor) -> Case:
        case = self._own_case(uow, cmd.case_id, actor)
        declared = self.store.workflow_of(case).definition.documents
        spec = declared.get(cmd.document)
        if spec is None:
            raise InvalidInput(
                "unknown document",
                [{"field": "document", "message": f"'{cmd.document}' is not in the checklist"}],
            )
        if not policy.provides(actor, spec.provided_by):
            raise Forbidden(f"the document '{cmd.document}' is not one you provide")
        return case

    def send(self, cmd: SendUpload, actor: Actor) -> Upload:
        """Check, scan, store and record a file; UploadRefused says why one is not taken."""
        policy.require(actor, Action.UPLOADS_SEND)
        check_validity(cmd.valid_from, cmd.valid_until)
        try:
            media_type = check_file(cmd.content, self.limits)
            with self.store.uow(readonly=True) as uow:
                self._sendable(uow, cmd, actor)
            verdict = self.scanner.scan(cmd.content)
            if verdict.signature is not None:
                raise UploadRefused(
                    "flagged", f"the virus scanner flagged the file ({verdict.signature[:100]})"
                )
        except UploadRefused as refused:
            log.info("upload_refused", case_id=cmd.case_id, reason=refused.reason, actor=actor.id)
            raise
        key = self.new_key()
        self.files.put(key, cmd.content)

        def work(uow: UnitOfWork) -> Upload:
            case = self._sendable(uow, cmd, actor)
            assert case.id is not None  # noqa: S101 - loaded cases have ids
            now, expected = self.store.clock.now(), case.version
            upload = Upload(
                None,
                case.id,
                case.person_id,
                cmd.document,
                media_type,
                len(cmd.content),
                hashlib.sha256(cmd.content).hexdigest(),
                key,
                actor.id,
                actor.role,
                now,
                "clean" if verdict.scanned else "not_scanned",
                cmd.valid_from,
                cmd.valid_until,
            )
            upload.id = uow.uploads.add(upload)
            case.updated_at = now
            payload = {
                "document": cmd.document,
                "upload_id": upload.id,
                "media_type": media_type,
                "size": upload.size,
                "scan": upload.scan,
            }
            change = Change("document_uploaded", payload)
            self.store.record(
                uow, case, expected, change, actor=actor, now=now, request_id=cmd.request_id
            )
            return upload

        try:
            upload = self.store.transaction(work, blind=True)
        except BaseException:
            self.files.delete(key)  # the row never existed: no file without its row
            raise
        log.info(
            "document_uploaded",
            case_id=cmd.case_id,
            upload_id=upload.id,
            document=cmd.document,
            scan=upload.scan,
            actor=actor.id,
        )
        return upload

    def of_case(self, case_id: int, actor: Actor) -> list[Upload]:
        """A case's uploads, newest first (the young person sees their own cases' only)."""
        policy.require(actor, Action.UPLOADS_READ)
        with self.store.uow(readonly=True) as uow:
            self._own_case(uow, case_id, actor)
            return uow.uploads.for_case(case_id)

    def awaiting(self, actor: Actor, limit: int = 200) -> list[Upload]:
        """Uploads received and still to validate on the cases the actor sees, oldest first."""
        policy.require(actor, Action.CASES_DOCUMENT)
        with self.store.uow(readonly=True) as uow:
            return uow.uploads.awaiting(policy.narrow(actor, None), limit)

    def to_send(self, case_id: int, actor: Actor) -> list[DocumentToSend]:
        """The checklist's documents the actor provides, each with its latest upload."""
        policy.require(actor, Action.UPLOADS_READ)
        with self.store.uow(readonly=True) as uow:
            case = self._own_case(uow, case_id, actor)
            uploads = uow.uploads.for_case(case_id)
        latest: dict[str, Upload] = {}
        for upload in uploads:  # newest first
            latest.setdefault(upload.document, upload)
        declared = self.store.workflow_of(case).definition.documents
        return [
            DocumentToSend(
                name, spec.label, spec.expires, case.documents.get(name), latest.get(name)
            )
            for name, spec in declared.items()
            if policy.provides(actor, spec.provided_by) and spec.provided_by
        ]

    def _undecided(self, uow: UnitOfWork, upload_id: int, actor: Actor) -> tuple[Upload, Case]:
        upload = uow.uploads.get(upload_id)
        case = self._own_case(uow, upload.case_id, actor)
        if upload.status != "received":
            raise UploadDecided(f"upload {upload_id} is already {upload.status}")
        return upload, case

    def validate(self, cmd: DecideUpload, actor: Actor) -> Case:
        """Validate an upload: the case's checklist records the document, validated."""
        policy.require(actor, Action.CASES_DOCUMENT)
        check_validity(cmd.valid_from, cmd.valid_until)

        def work(uow: UnitOfWork) -> Case:
            upload, case = self._undecided(uow, cmd.upload_id, actor)
            upload.valid_from = cmd.valid_from or upload.valid_from
            upload.valid_until = cmd.valid_until or upload.valid_until
            record = RecordDocument(
                upload.case_id,
                upload.document,
                "validated",
                upload.valid_from,
                upload.valid_until,
                cmd.expected_version,
                cmd.request_id,
            )
            case = self.records.record_document_in(
                uow, record, actor, source={"upload_id": upload.id}
            )
            upload.status, upload.decided_by = "validated", actor.id
            upload.decided_at = self.store.clock.now()
            uow.uploads.update(upload)
            return case

        case = self.store.transaction(work, blind=cmd.expected_version is None)
        log.info("upload_validated", case_id=case.id, upload_id=cmd.upload_id, actor=actor.id)
        return case

    def refuse(self, cmd: DecideUpload, actor: Actor) -> Upload:
        """Refuse an upload with a reason the young person sees; the checklist is unchanged."""
        policy.require(actor, Action.CASES_DOCUMENT)
        reason = text.check({"reason": text.reason}, {"reason": text.blank_is_none(cmd.reason)})
        if not reason["reason"]:
            raise invalid_field(
                "a refusal needs a reason", "reason", "say what is wrong with the file"
            )

        def work(uow: UnitOfWork) -> Upload:
            upload, case = self._undecided(uow, cmd.upload_id, actor)
            self.store.expect(case, cmd.expected_version)
            now, expected = self.store.clock.now(), case.version
            upload.status, upload.decided_by, upload.decided_at = "refused", actor.id, now
            upload.refusal_reason = reason["reason"]
            uow.uploads.update(upload)
            case.updated_at = now
            payload = {
                "document": upload.document,
                "upload_id": upload.id,
                "reason": upload.refusal_reason,
            }
            self.store.record(
                uow,
                case,
                expected,
                Change("upload_refused", payload),
                actor=actor,
                now=now,
                request_id=cmd.request_id,
            )
            return upload

        upload = self.store.transaction(work, blind=cmd.expected_version is None)
        log.info("upload_refused_by_advisor", case_id=upload.case_id, upload_id=upload.id)
        return upload

    def download(self, upload_id: int, actor: Actor) -> tuple[Upload, bytes]:
        """The file of an upload, for staff who may see it (404 as for a missing one)."""
        policy.require(actor, Action.UPLOADS_DOWNLOAD)
        with self.store.uow(readonly=True) as uow:
            upload = uow.uploads.get(upload_id)
            self._own_case(uow, upload.case_id, actor)
        if upload.storage_key is None:
            raise NotFound(f"the file of upload {upload_id} has been erased")
        log.info("upload_downloaded", case_id=upload.case_id, upload_id=upload_id, actor=actor.id)
        return upload, self.files.read(upload.storage_key)

    # --- data protection: called by the rights and retention services, which check the policy

    def files_of_person(self, person_id: int) -> list[Upload]:
        """Every upload of a person (metadata and SHA-256; `Upload.export()` for an export)."""
        with self.store.uow(readonly=True) as uow:
            return uow.uploads.for_person(person_id)

    def erase_files_of_person(self, person_id: int) -> int:
        """Delete a person's stored files; their rows stay (hash, dates, status) without
        a file nor a refusal text. Return how many files were deleted."""

        erased = self.store.transaction(lambda uow: self.erase_files_in(uow, person_id))
        log.info("person_files_erased", person_id=person_id, files=erased)
        return erased

    def erase_files_in(self, uow: UnitOfWork, person_id: int) -> int:
        """The same inside the caller's transaction (pseudonymisation, deletion): the files go
        at once (a file store has no transaction), the rows lose their key and refusal text."""
        erased = 0
        for upload in uow.uploads.for_person(person_id):
            if upload.storage_key is None:
                continue
            self.files.delete(upload.storage_key)
            upload.storage_key, upload.refusal_reason = None, None
            uow.uploads.update(upload)
            erased += 1
        return erased
