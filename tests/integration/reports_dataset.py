"""The reports' dataset, built through the service layer with a moving clock.

Five cases of four young people in 2026 (README "Reports and indicators" defines each figure;
the tests compute what each must be by hand from this story):

- c1, Alix (female, 20, QPV, level 4, registered job seeker, fewer opportunities) at ML A:
  referred Mon 5 Jan 09:00 UTC, contacted 24 h later; leaves Mon 2 Mar 08:00, back Thu 30 Apr;
  follow-up; outcome at +6 months: CDI (source: the young person).
- c2, Alix again at ML A (two cases in one period): referred Mon 1 Jun 09:00, contacted Thu
  4 Jun 09:00 (72 h: late, and after the 2 business days), withdrawn (family) the next day.
- c3, Bastien (male, 18, rural, no diploma, inactive) referred by ML A on Fri 9 Jan 15:00,
  contacted Mon 12 Jan 10:00 (67 h: late for 48 h, within 2 business days: Fri → Tue), moved
  to ML B and Advisor B on 14 Jan; postponed (planned start 16 Mar → 6 Apr) then resumed;
  leaves Mon 6 Apr 08:00, early return (personal) on 4 May; outcome at +6 months unknown.
- c4, Chloé (gender not declared, 16, lower secondary, in education) at ML B with Advisor B:
  referred Mon 2 Feb 09:00, never contacted (overdue).
- c5, Dani (female, 22, level 5, unregistered job seeker, RQTH) referred by ML A's own
  advisor, no Ipm advisor: referred Mon 2 Mar 09:00, contacted 24 h later, assessed; her
  identity document expired on 30 Jun (overdue document).

Reports run on Sun 1 Nov 2026 09:00 UTC over the year 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor, Reassign
from journey import ML_ACTOR, Journey

NOW = date(2026, 11, 1)
WF = "erasmus_vet_long"
GRANT_END = date(2028, 12, 31)


@dataclass(frozen=True)
class Dataset:
    """The case ids of the story."""

    c1: int
    c2: int
    c3: int
    c4: int
    c5: int


def build(container: Container, clock: ManualClock, directory: dict[str, User]) -> Dataset:
    """Walk the five cases through the service layer (see the module's story)."""
    advisor_a = Actor.of(directory["advisor_a"])
    advisor_b = Actor.of(directory["advisor_b"])
    supervisor = Actor.of(directory["supervisor"])
    a = Journey(container, advisor_a, clock)
    b = Journey(container, advisor_b, clock)
    alix = a.person(
        date(2005, 6, 15),
        "Alix",
        gender="female",
        qpv="yes",
        rural="no",
        departement="42",
        education_level="level_4",
        situation_at_entry="job_seeker_registered",
    )
    container.person_records.put_sensitive(
        alix, {"fewer_opportunities": True, "fewer_opportunities_reason": "economic"}, advisor_a
    )
    bastien = a.person(
        date(2007, 12, 1),
        "Bastien",
        gender="male",
        qpv="no",
        rural="yes",
        departement="69",
        education_level="none",
        situation_at_entry="inactive",
    )
    chloe = b.person(
        date(2009, 5, 1),
        "Chloé",
        departement="69",
        education_level="lower_secondary",
        situation_at_entry="in_education",
    )
    ml = Journey(container, advisor_a, clock, opener=ML_ACTOR)  # ML A's own advisor refers
    dani = ml.person(
        date(2003, 9, 10),
        "Dani",
        gender="female",
        departement="42",
        education_level="level_5",
        situation_at_entry="job_seeker_not_registered",
    )

    # In the order things happen (the clock only moves forward).
    a.move_to(date(2026, 1, 5), 9)
    c1 = a.open(alix)
    a.move_to(date(2026, 1, 6), 9)
    a.fire(c1, "log_first_contact", {"first_contact_date": a.today()})
    a.move_to(date(2026, 1, 9), 15)  # a Friday afternoon
    c3 = a.open(bastien)
    a.move_to(date(2026, 1, 12), 9)
    a.fire(c1, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
    a.fire(c1, "apply", {"duplicate_check_passed": True})
    a.fire(c1, "select", {"grant_project_code": "G-1", "grant_project_end": GRANT_END})
    a.match(c1, date(2026, 3, 2), date(2026, 4, 30))
    a.sign(c1)
    a.system(c1, "start_preparation")
    a.clear_for_departure(c1)
    a.move_to(date(2026, 1, 12), 10)
    a.fire(c3, "log_first_contact", {"first_contact_date": a.today()})
    a.move_to(date(2026, 1, 14), 9)
    container.cases.reassign(
        Reassign(c3, mission_locale_id="ml-b", advisor_id=directory["advisor_b"].id,
                 reason="moved house", moved_on=date(2026, 1, 14)),
        supervisor,
    )  # fmt: skip
    b.move_to(date(2026, 1, 19), 9)
    b.fire(c3, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
    b.fire(c3, "apply", {"duplicate_check_passed": True})
    b.fire(c3, "select", {"grant_project_code": "G-1", "grant_project_end": GRANT_END})
    b.match(c3, date(2026, 3, 16), date(2026, 4, 30))
    b.move_to(date(2026, 2, 2), 9)
    b.fire(c3, "postpone", {"planned_start": date(2026, 4, 6), "planned_end": date(2026, 5, 29)},
           reason="family event")  # fmt: skip
    c4 = b.open(chloe, mission_locale="ml-b")
    b.move_to(date(2026, 2, 16), 9)
    b.fire(c3, "resume")
    b.sign(c3)
    b.system(c3, "start_preparation")
    b.clear_for_departure(c3)
    a.move_to(date(2026, 3, 2), 8)
    a.fire(c1, "confirm_arrival", {"actual_start": date(2026, 3, 2)})
    a.move_to(date(2026, 3, 2), 9)
    c5 = ml.open(dani, advisor_id=None)
    container.person_records.put_sensitive(dani, {"rqth": True}, advisor_a)
    a.move_to(date(2026, 3, 3), 9)
    a.fire(c5, "log_first_contact", {"first_contact_date": a.today()})
    a.move_to(date(2026, 3, 4), 9)
    a.fire(c5, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
    a.doc(c5, "identity", valid_until=date(2026, 6, 30))
    b.move_to(date(2026, 4, 6), 8)
    b.fire(c3, "confirm_arrival", {"actual_start": date(2026, 4, 6)})
    a.move_to(date(2026, 4, 30), 16)
    a.system(c1, "confirm_return", {"actual_end": date(2026, 4, 30)})
    b.move_to(date(2026, 5, 4), 10)
    b.return_early(c3, date(2026, 5, 4), category="personal", reason="homesick")
    a.move_to(date(2026, 5, 5), 9)
    a.debrief(c1)
    a.system(c1, "start_follow_up")
    a.move_to(date(2026, 6, 1), 9)
    c2 = a.open(alix)  # Alix's second case of the year
    a.move_to(date(2026, 6, 4), 9)
    a.fire(c2, "log_first_contact", {"first_contact_date": a.today()})
    a.move_to(date(2026, 6, 5), 9)
    a.fire(c2, "withdraw", {"withdrawal_reason": "family"})
    # Six months after c1's return: a durable job.
    a.move_to(NOW, 9)
    a.outcome(c1, "m6", "cdi", source="young_person")
    return Dataset(c1, c2, c3, c4, c5)
