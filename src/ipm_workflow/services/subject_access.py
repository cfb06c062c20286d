"""Subject access: everything held on a person, as JSON values, and what an export holds.

The export (PrivacyService.export) checks the policy and records itself; this module gathers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ipm_workflow.domain.json_values import plain
from ipm_workflow.domain.policy import Actor
from ipm_workflow.domain.privacy import DataExport
from ipm_workflow.domain.profile import SensitiveRead
from ipm_workflow.services.people import visible_person
from ipm_workflow.services.ports import UnitOfWork

EXPORT_FORMATS = ("json", "html")
# The recipients whose messages are "sent to the person": themselves and their guardians.
THEIR_MESSAGES = ("young_person", "guardian")


def case_record(uow: UnitOfWork, case_id: int) -> dict[str, Any]:
    """One case as its export shows it: its fields, its history (without the chain's salts and
    hashes) and its contact attempts."""
    case, _ = uow.cases.get(case_id)
    out = plain(case)
    out["history"] = [
        {k: v for k, v in plain(e).items() if k not in ("payload_salt", "prev_hash", "hash")}
        for e in uow.history.for_case(case_id)
    ]
    out["contact_attempts"] = plain(uow.contacts.for_case(case_id))
    return dict(out)


def person_export(
    uow: UnitOfWork,
    person_id: int,
    actor: Actor,
    now: datetime,
    fmt: str,
    *,
    entry_point: str | None = None,
    with_sensitive: bool,
) -> dict[str, Any]:
    """Everything held on a person the actor sees (NotFound otherwise), inside the caller's
    transaction; records the export, and the read of the sensitive data when `with_sensitive`
    (withheld otherwise)."""
    person = visible_person(uow, person_id, actor)
    case_ids = uow.people.case_ids_of(person_id)
    sensitive: Any = None
    if with_sensitive:
        read = SensitiveRead(person_id, actor.id, actor.role, now, None, "export")
        uow.sensitive.record_read(read)
        sensitive = plain(uow.sensitive.get(person_id))
    uow.privacy.add_export(DataExport(person_id, actor.id, actor.role, now, fmt, entry_point))
    return {
        "generated_at": now.isoformat(),
        "generated_by": actor.id,
        "person": plain(person),
        "merged_records": uow.people.merged_into(person_id),
        "guardians": plain(uow.guardians.of(person_id)),
        "sensitive": sensitive,
        "sensitive_withheld": not with_sensitive,
        "cases": [case_record(uow, case_id) for case_id in case_ids],
        "uploads": [u.export() for u in uow.uploads.for_person(person_id)],
        "messages": plain(uow.privacy.sent_to(case_ids, THEIR_MESSAGES)),
        "consents": plain(uow.privacy.consents(person_id)),
        "sensitive_reads": plain(uow.sensitive.reads(person_id)),
        "exports": plain(uow.privacy.exports(person_id)),
        "erasure_requests": plain(uow.privacy.erasures(person_id)),
    }


def export_summary(export: Mapping[str, Any]) -> dict[str, int]:
    """How many of each kind of record an export holds (the CLI's and the page's summary)."""
    return {k: len(v) for k, v in export.items() if isinstance(v, list)}
