"""The Erasmus+ Beneficiary Module's mobility import file for one grant agreement.

One row per mobility: a case of the grant agreement (`grant_project_code`) whose stay abroad
began. The columns and their values are domain/beneficiary_module.py's (with its sources). The
file carries each participant's fewer-opportunity flag, as the Module asks: only those with the
need to know sensitive data may produce it, and each flag read is kept like any other read of
sensitive data. The flag's reason, a disability or an inclusion-support justification never
reach the file.
"""

from __future__ import annotations

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.beneficiary_module import COLUMNS, Mobility, Sender, row
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.profile import SensitiveRead
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.ports import UnitOfWork

log = structlog.get_logger(__name__)

__all__ = ["COLUMNS", "BeneficiaryModuleService", "Sender"]


class BeneficiaryModuleService:
    """Build the Beneficiary Module's rows for a grant agreement."""

    def __init__(self, store: CaseStore, sender: Sender) -> None:
        self.store = store
        self.sender = sender

    def rows(self, grant: str, actor: Actor) -> list[dict[str, str | int]]:
        """The import file's rows (column -> value, in COLUMNS order), one per mobility of the
        grant agreement in the actor's missions locales; each fewer-opportunity read is kept."""
        policy.require(actor, Action.READ_SENSITIVE)
        grant = grant.strip()
        if not grant:
            raise InvalidInput("a grant agreement number is required", [{"field": "grant"}])
        now = self.store.clock.now()

        def work(uow: UnitOfWork) -> list[Mobility]:
            found = uow.mobilities.departed(grant, policy.narrow(actor, None))
            for m in found:
                read = SensitiveRead(m.person_id, actor.id, actor.role, now, m.case_id)
                uow.sensitive.record_read(read)
            return found

        mobilities = self.store.transaction(work)
        log.info("beneficiary_module_file", grant=grant, mobilities=len(mobilities), actor=actor.id)
        return [row(grant, m, self.sender) for m in mobilities]
