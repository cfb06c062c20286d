"""What the young person's own pages show and do: the journey in plain words, answering a
reminder, their preferences. Every act goes through the service that owns it (reminders,
people), with the portal actor (`young_person` or `guardian`), so it lands in the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import structlog

from ipm_workflow.domain import journey, policy
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.documents import document_line
from ipm_workflow.domain.errors import Forbidden, NotFound
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.people import CHANNELS, Guardian, Person
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.delivery import DeliveryService
from ipm_workflow.services.people import PeopleService
from ipm_workflow.services.person_records import PersonRecords
from ipm_workflow.services.portal_links import PortalSession, minor
from ipm_workflow.services.reminders import ReminderService

log = structlog.get_logger("ipm_workflow.portal")
# The recipients whose reminders the young person's pages show and let them answer.
THEIRS = ("young_person", "guardian")
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class ReminderItem:
    """A reminder addressed to the young person or guardian, in plain words."""

    id: int
    subject: str
    due: date
    answered: bool
    sent: bool


@dataclass(frozen=True)
class JourneyView:
    """One journey as its young person (or guardian) reads it, in their language."""

    case: Case
    person: Person
    title: str
    closed: bool
    steps: list[tuple[str, str]]
    now: tuple[str, str] | None
    next: str | None
    documents: list[str]
    documents_by: date | None
    reminders: list[ReminderItem]
    advisor_name: str | None
    advisor_email: str | None
    minor: bool
    guardian: Guardian | None = None
    others: list[int] = field(default_factory=list)  # the person's other journeys


def _pick(labels: Any, lang: str) -> str:
    return str(labels.fr if lang == "fr" else labels.en)


class JourneyService:
    """The journey page, acknowledging reminders and preferences, for the portal actor."""

    def __init__(
        self,
        store: CaseStore,
        reminders: ReminderService,
        people: PeopleService,
        records: PersonRecords,
        delivery: DeliveryService,
    ) -> None:
        self.store = store
        self.reminders = reminders
        self.people = people
        self.records = records
        self.delivery = delivery

    def is_minor(self, person: Person) -> bool:
        """Whether the person is a minor on the case clock's day."""
        return minor(person.birth_date, self.store.today())

    def case(self, session: PortalSession, case_id: int) -> Case:
        """One case of the signed-in person; NotFound for anybody else's, as for a missing one."""
        with self.store.uow(readonly=True) as uow:
            return self.store.load(uow, case_id, session.actor)[0]

    def latest_case(self, session: PortalSession) -> int | None:
        """The person's latest journey (the one the pages open on), if any."""
        with self.store.uow(readonly=True) as uow:
            return max(uow.people.case_ids_of(session.person_id), default=None)

    def view(self, session: PortalSession, case_id: int) -> JourneyView:
        """The journey page of one of the person's cases (NotFound for anybody else's)."""
        lang = session.language if session.language in LANGUAGES else "fr"
        today = self.store.today()
        with self.store.uow(readonly=True) as uow:
            case, birth_date = self.store.load(uow, case_id, session.actor)
            person = uow.people.get(case.person_id)
            advisor = uow.directory.user(case.advisor_id) if case.advisor_id else None
            stored = uow.reminders.for_case(case_id)
            others = [c for c in uow.people.case_ids_of(case.person_id) if c != case_id]
            guardian = next(
                (g for g in uow.guardians.of(case.person_id) if g.id == session.guardian_id),
                None,
            )
        definition = self.store.workflow_of(case).definition
        facts = case.facts(today, birth_date, definition.computed)
        where = journey.where(definition, case.state)
        following = journey.next_phase(definition, case.state)
        lacking = journey.expected_documents(definition, case.state, facts)
        start = case.data.get("planned_start")
        return JourneyView(
            case=case,
            person=person,
            title=_pick(definition.title, lang),
            closed=case.closed_at is not None,
            steps=[(_pick(s.title, lang), s.status) for s in journey.steps(definition, case.state)],
            now=(_pick(where[0], lang), _pick(where[1], lang)) if where else None,
            next=_pick(following, lang) if following else None,
            documents=[
                document_line(definition.documents[name].label, lang, problem)
                for name, problem in lacking.items()
            ],
            documents_by=date.fromisoformat(start) if isinstance(start, str) else None,
            reminders=self._reminders(stored, lang),
            advisor_name=advisor.display_name if advisor else None,
            advisor_email=advisor.email if advisor else None,
            minor=minor(person.birth_date, today),
            guardian=guardian,
            others=others,
        )

    def _reminders(self, stored: list[Reminder], lang: str) -> list[ReminderItem]:
        shown = [
            r
            for r in stored
            if r.recipient in THEIRS
            and r.kind == "reminder"
            and r.status in (Status.SENT, Status.ACKNOWLEDGED)
            and r.sent_at is not None  # the ones they received; what is to come is the to-do
        ]
        # One line per rule and anchor: the latest occurrence speaks for its repeats.
        latest: dict[tuple[str, Any], Reminder] = {}
        for r in sorted(shown, key=lambda r: (r.occurrence, r.id)):
            latest[(r.rule_id, r.anchor_at)] = r
        items = []
        for r in sorted(latest.values(), key=lambda r: r.due_at):
            subject = self.delivery.subject(r, lang)
            if subject is None:
                continue
            answered = r.acknowledged_at is not None or r.status == Status.ACKNOWLEDGED
            items.append(
                ReminderItem(
                    r.id, subject, self.store.today(r.due_at), answered, r.sent_at is not None
                )
            )
        return items

    def answer(self, session: PortalSession, case_id: int, reminder_id: int, help_: bool) -> None:
        """'I've done it' or 'I need help' on one of their reminders: its repeats and
        escalations stop; asking for help also tells the advisor."""
        with self.store.uow(readonly=True) as uow:
            self.store.load(uow, case_id, session.actor)
            reminder = uow.reminders.get(reminder_id)
        if (
            reminder is None
            or reminder.case_id != case_id
            or not policy.answers_reminder(session.actor, reminder.recipient)
        ):
            raise NotFound(f"reminder {reminder_id} not found on case {case_id}")
        self.reminders.acknowledge(case_id, reminder_id, session.actor, help_requested=help_)
        log.info("portal_reminder_answered", case_id=case_id, reminder_id=reminder_id, help=help_)

    def _guardian_consents(self, session: PortalSession, values: dict[str, Any]) -> None:
        """The guardian's own consents to be reached (`guardian_consent_<channel>`)."""
        wanted = {
            f"consent_{c}": bool(values[f"guardian_consent_{c}"])
            for c in CHANNELS
            if f"guardian_consent_{c}" in values
        }
        guardian_id = session.guardian_id
        if not wanted or guardian_id is None:
            return
        current = next(
            g for g in self.records.guardians_of(session.person_id) if g.id == guardian_id
        )
        changed = {k: v for k, v in wanted.items() if getattr(current, k) != v}
        if changed:
            changes = changed | {"consent_source": policy.GUARDIAN}
            self.records.update_guardian(session.person_id, guardian_id, changes, session.actor)

    def set_preferences(self, session: PortalSession, values: dict[str, Any]) -> None:
        """Channel, language and consent per channel, by the person (or their guardian, who
        alone gives a minor's consent), through the people service: source recorded."""
        changes: dict[str, Any] = {}
        if values.get("preferred_channel") in CHANNELS:
            changes["preferred_channel"] = values["preferred_channel"]
        if values.get("language") in LANGUAGES:
            changes["language"] = values["language"]
        with self.store.uow(readonly=True) as uow:
            person = uow.people.get(session.person_id)
        is_minor = minor(person.birth_date, self.store.today())
        source = policy.GUARDIAN if session.is_guardian else policy.YOUNG_PERSON
        for channel in CHANNELS:
            key = f"consent_{channel}"
            if key not in values:
                continue
            if not policy.gives_consent(session.actor, is_minor):
                raise Forbidden("while a minor, a guardian gives the consent to be reached")
            wanted = bool(values[key])
            if wanted != getattr(person, key):
                changes[key] = wanted
                changes[f"{key}_source"] = source
        if session.is_guardian:
            # A guardian sets the young person's consents, not their channel or language.
            changes = {k: v for k, v in changes.items() if k.startswith("consent_")}
            self._guardian_consents(session, values)
        if not changes:
            return
        if set(changes) - policy.PREFERENCE_FIELDS:
            raise invalid_field("not a preference", "preferences", "?")
        self.people.update(session.person_id, changes, session.actor)
        log.info("portal_preferences_changed", person_id=session.person_id, fields=sorted(changes))
