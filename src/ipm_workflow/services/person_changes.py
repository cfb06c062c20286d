"""How a change to a person reaches the history of each of their cases, and the territory
a commune gives (département, QPV, rural) from the communes reference."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ipm_workflow.domain.json_values import plain
from ipm_workflow.domain.profile import Territory, departement_of
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.ports import UnitOfWork

# Only the chain's bookkeeping moves on a case when its person changes.
_HISTORY_COLUMNS = ("history_seq", "history_head")


def record_on_cases(
    store: CaseStore,
    uow: UnitOfWork,
    person_id: int,
    kind: str,
    payload: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> int:
    """Write one history entry of a person's change on each of their cases; return how many."""
    case_ids = uow.people.case_ids_of(person_id)
    for case_id in case_ids:
        case, _ = uow.cases.get(case_id)
        change = Change(kind, plain(payload), columns=_HISTORY_COLUMNS)
        store.record(uow, case, case.version, change, actor=actor, now=now)
    return len(case_ids)


def derive_territory(uow: UnitOfWork, changes: dict[str, Any]) -> dict[str, Any]:
    """Fill département, QPV and rural flags from the communes reference when the commune
    changes and they are not given; an unknown commune leaves them unknown."""
    insee = changes.get("commune_insee")
    if "commune_insee" not in changes:
        return changes
    found = uow.communes.get(insee) if insee else None
    derived: dict[str, Any] = {
        "departement": found.departement if found else (departement_of(insee) if insee else None),
        "qpv": found.qpv.value if found else Territory.UNKNOWN.value,
        "rural": found.rural.value if found else Territory.UNKNOWN.value,
    }
    return derived | changes
