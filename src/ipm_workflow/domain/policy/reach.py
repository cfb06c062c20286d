"""Which cases, people and cohorts an actor sees: their reach over missions locales, or, on the
young person's own pages, only that person's. Unseen things are reported as missing."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.policy.rights import ADVISOR, EVERYWHERE, Actor


def reach(actor: Actor) -> frozenset[str] | None:
    """Return the missions locales whose cases the actor sees (None: all of them)."""
    if actor.role in EVERYWHERE:
        return None
    return actor.mission_locales if actor.mission_locales is not None else frozenset()


def reaches(actor: Actor, mission_locale_id: str) -> bool:
    """Tell whether the actor sees the cases of a mission locale."""
    scope = reach(actor)
    return scope is None or mission_locale_id in scope


def narrow(actor: Actor, wanted: Iterable[str] | None) -> list[str] | None:
    """Intersect a listing's mission-locale filter with the actor's reach (None: no filter)."""
    scope = reach(actor)
    if scope is None:
        return None if wanted is None else sorted(wanted)
    return sorted(scope if wanted is None else scope & set(wanted))


def see_case(
    actor: Actor, case_id: int, mission_locale_id: str, person_id: int | None = None
) -> None:
    """Raise NotFound (as for a missing case) unless the actor sees the case; on their own
    pages a young person or guardian sees only the person's cases (`person_id`, the case's)."""
    if not _sees_own_or(actor, person_id, lambda: reaches(actor, mission_locale_id)):
        raise NotFound(f"case {case_id} not found")


def sees_person(
    actor: Actor, case_mission_locales: Collection[str], registered_by: str | None
) -> bool:
    """A person is seen by their cases' missions locales, their registrant and the wide roles."""
    scope = reach(actor)
    return scope is None or registered_by == actor.id or bool(scope & set(case_mission_locales))


def see_person(
    actor: Actor, person_id: int, case_mission_locales: Collection[str], registered_by: str | None
) -> None:
    """Raise NotFound (as for a missing person) unless the actor sees the person."""
    seen = _sees_own_or(
        actor, person_id, lambda: sees_person(actor, case_mission_locales, registered_by)
    )
    if not seen:
        raise NotFound(f"person {person_id} not found")


def sees_cohort(
    actor: Actor, member_mission_locales: Collection[str], created_by: str | None
) -> bool:
    """A cohort is seen like its cases: by its members' missions locales, and by its creator."""
    return sees_person(actor, member_mission_locales, created_by)


def see_cohort(
    actor: Actor, cohort_id: int, member_mission_locales: Collection[str], created_by: str | None
) -> None:
    """Raise NotFound (as for a missing cohort) unless the actor sees the cohort."""
    if not sees_cohort(actor, member_mission_locales, created_by):
        raise NotFound(f"cohort {cohort_id} not found")


def own_agenda(actor: Actor) -> int | None:
    """Return the advisor whose agenda this is (None: the whole reach, for supervisors)."""
    return actor.user_id if actor.role == ADVISOR else None


def takes_unnamed_case(actor: Actor, referral: bool) -> int | None:
    """Who follows a case opened without naming an advisor: the Ipm advisor who opens it; a
    mission locale's referral (an ML advisor, an import) stays unassigned for the coordinators."""
    return actor.user_id if actor.role == ADVISOR and not referral else None


def _sees_own_or(actor: Actor, person_id: int | None, staff_sees: Callable[[], bool]) -> bool:
    # On their own pages a young person or guardian sees only the person's own; staff, by reach.
    return person_id == actor.person_id if actor.person_id is not None else staff_sees()
