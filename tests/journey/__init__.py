"""The one journey driver of the test suites, and the facts every suite shares.

`Journey` walks cases through the service layer; `ApiJourney` does the same over HTTP with the
same step names (person, open, fire, set, doc, case, history, reminders). Test modules import
it as `journey` (the tests directory is on the path through the root conftest).
"""

from .api import ME, ApiJourney
from .facts import (
    ADULT,
    ADVISOR_EMAIL,
    API,
    CASES,
    CHECKLIST,
    FINANCE_EMAIL,
    GRANT,
    GUARDIAN_EMAIL,
    HOST,
    HOST_EMAIL,
    ML_ACTOR,
    ML_EMAIL,
    NORMAL_PATH,
    OPENING,
    PARIS,
    PEOPLE,
    SUBJECTS,
    SUPERVISOR_EMAIL,
    WORKFLOW,
    YP_EMAIL,
    as_json,
    kept_logging,
    local_day,
    paris,
    utc,
)
from .service import Journey, assert_chains_ok, messages, refused_rules

__all__ = [
    "ADULT",
    "ADVISOR_EMAIL",
    "API",
    "CASES",
    "CHECKLIST",
    "FINANCE_EMAIL",
    "GRANT",
    "GUARDIAN_EMAIL",
    "HOST",
    "HOST_EMAIL",
    "ME",
    "ML_ACTOR",
    "ML_EMAIL",
    "NORMAL_PATH",
    "OPENING",
    "PARIS",
    "PEOPLE",
    "SUBJECTS",
    "SUPERVISOR_EMAIL",
    "WORKFLOW",
    "YP_EMAIL",
    "ApiJourney",
    "Journey",
    "as_json",
    "assert_chains_ok",
    "kept_logging",
    "local_day",
    "messages",
    "paris",
    "refused_rules",
    "utc",
]
