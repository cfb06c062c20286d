"""Attribution counts: referrals for the referring mission locale, outcomes for the current one.

The rule funders apply: a young person referred by one mission locale who moved to another
counts as a referral of the first; what became of them (departed, returned, closed with an
outcome) counts for the mission locale that follows them now. A person whose duplicate records
were merged counts once. The SQL lives in adapters/db/attribution_store.py; issue 14's reports
reuse these two functions.
"""

from __future__ import annotations

from collections.abc import Collection

from ipm_workflow.domain import policy
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.attribution_ports import MlCount, Period
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.commands import Actor

__all__ = ["AttributionService", "MlCount", "Period"]


class AttributionService:
    """The two attribution counts, per mission locale."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    def referrals_by_referring_ml(self, period: Period, actor: Actor) -> list[MlCount]:
        """Cases opened in the period (and distinct young people) per referring mission locale."""
        policy.require(actor, Action.AUDIT)
        with self.store.uow(readonly=True) as uow:
            return uow.attribution.referrals_by_referring_ml(period)

    def outcomes_by_current_ml(
        self, period: Period, states: Collection[str], actor: Actor
    ) -> list[MlCount]:
        """Cases that entered one of `states` in the period, per current mission locale."""
        policy.require(actor, Action.AUDIT)
        with self.store.uow(readonly=True) as uow:
            return uow.attribution.outcomes_by_current_ml(period, sorted(states))
