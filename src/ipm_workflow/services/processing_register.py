"""The record of processing (registre des traitements, GDPR art. 30), generated from what the
code, the workflow files, the access policy and the retention rules declare: which data, for
which purpose, kept how long, shown to whom. Nothing here is written by hand, so it cannot
drift from what the service does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from ipm_workflow.domain import policy
from ipm_workflow.domain.contacts import ContactAttempt
from ipm_workflow.domain.people import CONTACT_FIELDS, PROFILE_FIELDS, Guardian
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.domain.privacy import CONSENT_PURPOSES
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.sensitive_fields import SENSITIVE_FIELDS

CONTROLLER = "Ipm (the data controller); each mission locale for the referrals it makes"
RIGHTS = (
    "access: subject access export (JSON and printable HTML)",
    "rectification: every correctable field, each correction kept in the history",
    "erasure: recorded request, decided as deletion, pseudonymisation (audit duty) or refusal",
    "consent: given and withdrawn per purpose, messages follow the current consent",
)


@dataclass(frozen=True)
class Processing:
    """One line of the register: a category of data and what is done with it."""

    category: str
    data: list[str]
    purpose: str
    legal_basis: str
    shown_to: list[str]
    retention: list[str]


@dataclass(frozen=True)
class Register:
    """The whole record of processing."""

    controller: str
    processings: list[Processing]
    retention_rules: list[str]
    rights: tuple[str, ...]


def _roles(*actions: Action) -> list[str]:
    # Roles allowed every action named (the policy's table), staff roles and outside ones.
    return [r for r in policy.ROLES if all(r in policy.RIGHTS[a] for a in actions)]


def _rule_text(rule: Mapping[str, Any]) -> str:
    """A retention rule as the configuration declares it (config/retention.yaml), in one line."""
    until = rule.get("until") or {}
    ends = []
    if until.get("age") is not None:
        ends.append(f"until age {until['age']}")
    after = until.get("after_case_end")
    if isinstance(after, Mapping):
        counted = (
            f" of {after['date_field']} (else the case's end)" if after.get("date_field") else ""
        )
        year_end = ", from 31 December of that year" if after.get("from_end_of_year") else ""
        ends.append(f"{after.get('years')} years after the end{counted}{year_end}")
    covers = rule.get("covers") or {}
    scope = []
    if covers.get("workflows"):
        scope.append(f"journeys {', '.join(covers['workflows'])}")
    if covers.get("when_field"):
        scope.append(f"cases with {covers['when_field']} set")
    return (
        f"{rule.get('id')} ({', '.join(scope) or 'everyone'}): keeps {rule.get('keeps')} "
        f"{', whichever is later, '.join(ends)}; legal basis: {rule.get('legal_basis')}; "
        f"source: {rule.get('source')}"
    )


def processing_register(
    registry: WorkflowRegistry, retention_rules: Sequence[Mapping[str, Any]], actor: Actor
) -> Register:
    """Build the record of processing from the configuration and the workflow files."""
    policy.require(actor, Action.PRIVACY_REGISTER)
    rules = [_rule_text(r) for r in retention_rules]
    retention = rules or ["no retention rules configured (config/retention.yaml)"]
    person_data = ["first_name", "last_name", "birth_date", *CONTACT_FIELDS, *PROFILE_FIELDS]
    public_interest = "public-interest mission (GDPR art. 6(1)(e)); funders' reporting duties"
    lines = [
        Processing(
            "young person: identity, contact and profile",
            person_data,
            "follow the young person's journey; reach them; funders' reports (counts only)",
            public_interest,
            _roles(Action.PEOPLE_READ),
            retention,
        ),
        Processing(
            "legal guardians of minors",
            [f.name for f in fields(Guardian) if f.name not in ("id", "person_id")],
            "reach the guardians while the young person is a minor",
            public_interest,
            _roles(Action.PEOPLE_READ),
            retention,
        ),
        Processing(
            "sensitive data (special categories)",
            sorted(SENSITIVE_FIELDS),
            "raise age limits (RQTH), fewer-opportunity funding, prepare the stay",
            "GDPR art. 9(2)(g) substantial public interest, with the person's knowledge",
            _roles(Action.READ_SENSITIVE),
            retention,
        ),
        Processing(
            "contact attempts during the follow-up",
            [f.name for f in fields(ContactAttempt) if f.name not in ("id", "case_id")],
            "follow-up at +3, +6 and +12 months; outcome indicators",
            public_interest,
            _roles(Action.CASES_READ),
            retention,
        ),
        Processing(
            "messages sent and consents",
            [
                "subject",
                "body",
                "recipients",
                "channel",
                *(f"consent: {p}" for p in CONSENT_PURPOSES),
            ],
            "reminders and event messages to the young person and guardians, per consent",
            "consent (GDPR art. 6(1)(a)) for each channel and for photos and testimonials",
            _roles(Action.REMINDERS_READ),
            retention,
        ),
    ]
    for compiled in registry.latest():
        definition = compiled.definition
        data = [
            f"{name} ({spec.type}{', personal' if spec.personal else ''})"
            for name, spec in definition.fields.items()
        ]
        data += [f"document: {name}" for name in definition.documents]
        lines.append(
            Processing(
                f"journey {definition.name} v{definition.version}: {definition.title.en}",
                data,
                definition.description or definition.title.en,
                public_interest,
                _roles(Action.CASES_READ),
                retention,
            )
        )
    return Register(CONTROLLER, lines, rules, RIGHTS)


def register_markdown(register: Register) -> str:
    """The register as Markdown (the command line's default)."""
    out = [
        "# Record of processing (registre des traitements)",
        "",
        f"Controller: {register.controller}",
        "",
    ]
    for p in register.processings:
        out += [
            f"## {p.category}",
            "",
            f"- **Data**: {', '.join(p.data) or '-'}",
            f"- **Purpose**: {p.purpose}",
            f"- **Legal basis**: {p.legal_basis}",
            f"- **Shown to**: {', '.join(p.shown_to)}",
            f"- **Kept**: {'; '.join(p.retention)}",
            "",
        ]
    out += ["## Rights of the people concerned", "", *(f"- {r}" for r in register.rights), ""]
    return "\n".join(out)
