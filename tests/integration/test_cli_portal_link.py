"""A sign-in link handed over in person (`people link`): for the people an advisor follows, a
guardian only while the young person is a minor, once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from typer.testing import Result

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person, User
from ipm_workflow.domain.policy import Actor
from ipm_workflow.services.portal_links import LinkOutcome

Cli = Callable[..., Result]


def _token(result: Result) -> str:
    url = result.stdout.strip()
    assert "/my/link/" in url, result.output
    return url.rsplit("/", 1)[-1]


class TestHandedLink:
    """`ipm-workflow people link` as an advisor, the operator and another mission locale's."""

    def test_advisor_hands_a_link_that_signs_in_once(
        self, cli: Cli, container: Container, advisor: Actor, directory: Mapping[str, User]
    ) -> None:
        """The advisor's link opens the young person's pages once; the operator (no case work)
        is refused, another mission locale's advisor does not see the person."""
        pid = container.people.register(
            Person(None, "Sacha", "Exemple", date(2000, 5, 1)), advisor
        ).person.id
        assert pid is not None
        handed = cli("people", "link", str(pid), "--hours", "2", "--as", "advisor.a")
        token = _token(handed)
        first, second = container.portal.redeem(token), container.portal.redeem(token)
        assert first.session is not None
        outcomes = (first.outcome, first.session.person_id, second.outcome)
        assert (LinkOutcome.SIGNED_IN, pid, LinkOutcome.USED) == outcomes
        operator = cli("people", "link", str(pid))
        other = cli("people", "link", str(pid), "--as", "advisor.b")
        refusals = (operator.exit_code != 0, "forbidden" in operator.output)
        assert refusals == (True, True)
        assert (True, "not-found" in other.output) == (other.exit_code != 0, True)

    def test_a_guardians_link_only_while_a_minor(
        self, cli: Cli, container: Container, advisor: Actor, directory: Mapping[str, User]
    ) -> None:
        """A guardian of a minor gets a link; the guardian of an adult does not."""
        today = container.cases.today()
        minor_birth = date(today.year - 15, 1, 1)
        adult_birth = date(today.year - 20, 1, 1)
        ids = []
        for birth in (minor_birth, adult_birth):
            pid = container.people.register(
                Person(None, "Noa", "Exemple", birth), advisor
            ).person.id
            assert pid is not None
            guardian = container.person_records.add_guardian(
                pid, {"name": "Parent Exemple", "email": "parent@example.org"}, advisor
            )
            ids.append((pid, guardian.id))
        (minor_id, minor_guardian), (adult_id, adult_guardian) = ids
        handed = cli(
            "people", "link", str(minor_id), "--guardian", str(minor_guardian), "--as", "advisor.a"
        )
        redeemed = container.portal.redeem(_token(handed))
        assert redeemed.session is not None
        assert (minor_id, minor_guardian) == (
            redeemed.session.person_id,
            redeemed.session.guardian_id,
        )
        refused = cli(
            "people", "link", str(adult_id), "--guardian", str(adult_guardian), "--as", "advisor.a"
        )
        assert (True, "not-found" in refused.output) == (refused.exit_code != 0, True)


class TestDemoLink:
    """`make run` prints a demo young person's link (their pages without a mail server)."""

    def test_demo_link_signs_the_first_demo_young_person_in(
        self, cli: Cli, container: Container
    ) -> None:
        """No demo data: no link; after `demo`: a link to jeune1's pages, handed by their
        advisor."""
        from ipm_workflow.services import demo  # noqa: PLC0415 - the module under test

        before = demo.young_person_link(container.portal, container.people)
        loaded = cli("demo")
        url = demo.young_person_link(container.portal, container.people)
        assert (before, loaded.exit_code) == (None, 0)
        assert url is not None
        redeemed = container.portal.redeem(url.rsplit("/", 1)[-1])
        assert redeemed.session is not None
        person = container.people.get(redeemed.session.person_id)
        assert (person.email, redeemed.outcome) == ("jeune1@example.org", LinkOutcome.SIGNED_IN)
