"""The history chain: any edit, deletion or broken link is found; erasing a payload is not one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ipm_workflow.domain.cases import (
    GENESIS_HASH,
    HistoryEntry,
    payload_digest,
    replay_state,
)
from ipm_workflow.domain.chain import ChainReport, erasure_payload, verify_chain

CASE_ID = 7
START = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)

# (kind, trigger, from_state, to_state, payload) of one history row.
Step = tuple[str, str | None, str | None, str | None, dict[str, Any]]
JOURNEY: list[Step] = [
    ("opened", None, None, "REFERRED", {"mission_locale_id": "ml-42"}),
    (
        "transition",
        "log_first_contact",
        "REFERRED",
        "CONTACTED",
        {"first_contact_date": "2025-03-11"},
    ),
    ("transition", "assess", "CONTACTED", "ASSESSED", {"programme": "erasmus_vet"}),
    ("note", None, None, None, {"text": "called the mission locale back"}),
    ("transition", "apply", "ASSESSED", "APPLIED", {"duplicate_check_passed": True}),
]


def sealed(entry: HistoryEntry) -> HistoryEntry:
    """Return the entry with its hash computed from its chained fields."""
    return replace(entry, hash=entry.computed_hash())


def make_entry(seq: int, prev_hash: str, step: Step) -> HistoryEntry:
    """Build one sealed history row as the service would append it."""
    kind, trigger, from_state, to_state, payload = step
    salt = f"salt-{seq}"
    return sealed(
        HistoryEntry(
            case_id=CASE_ID,
            seq=seq,
            at=START + timedelta(hours=seq),
            actor="user:12",
            role="advisor",
            kind=kind,
            trigger=trigger,
            from_state=from_state,
            to_state=to_state,
            workflow="erasmus_vet_long",
            workflow_version=1,
            request_id=f"req-{seq}",
            payload=payload,
            payload_salt=salt,
            payload_digest=payload_digest(salt, payload),
            prev_hash=prev_hash,
        )
    )


def journey() -> list[HistoryEntry]:
    """The sound chain of JOURNEY, each row linked to the one before."""
    entries: list[HistoryEntry] = []
    prev = GENESIS_HASH
    for seq, step in enumerate(JOURNEY, start=1):
        entry = make_entry(seq, prev, step)
        entries.append(entry)
        prev = entry.hash
    return entries


def relink(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """Recompute every prev_hash and hash, as a forger rewriting the whole chain would."""
    out: list[HistoryEntry] = []
    prev = GENESIS_HASH
    for entry in entries:
        out.append(sealed(replace(entry, prev_hash=prev)))
        prev = out[-1].hash
    return out


class TestSoundChain:
    def test_intact_chain_verifies(self) -> None:
        """An untouched chain is reported sound with its length."""
        expected = ChainReport(CASE_ID, 5, True)
        assert expected == verify_chain(CASE_ID, journey())

    def test_intact_chain_matches_the_current_state(self) -> None:
        """The state the history ends in agrees with the case's state."""
        assert verify_chain(CASE_ID, journey(), current_state="APPLIED").ok

    def test_empty_history_verifies(self) -> None:
        """A case with no history yet has nothing to contradict."""
        expected = ChainReport(CASE_ID, 0, True)
        assert expected == verify_chain(CASE_ID, [], current_state="REFERRED")

    def test_first_entry_links_to_genesis(self) -> None:
        """The first row's previous hash is the all-zero genesis hash."""
        expected = "0" * 64
        assert expected == journey()[0].prev_hash

    def test_hash_does_not_cover_the_payload(self) -> None:
        """Personal data stays out of the chained fields: the payload does not enter the hash."""
        entry = journey()[1]
        changed = replace(entry, payload={"first_contact_date": "1999-01-01"})
        assert entry.computed_hash() == changed.computed_hash()
        assert "payload" not in entry.chained_fields()

    def test_the_same_instant_in_any_time_zone_hashes_the_same(self) -> None:
        """Timestamps are normalised to UTC, so the database's time zone cannot break the chain."""
        entry = journey()[0]
        paris = replace(entry, at=entry.at.astimezone(timezone(timedelta(hours=2))))
        naive_utc = replace(entry, at=entry.at.replace(tzinfo=None))
        assert entry.computed_hash() == paris.computed_hash()
        assert entry.computed_hash() == naive_utc.computed_hash()

    def test_payload_digest_is_salted_and_key_order_free(self) -> None:
        """The digest depends on the salt, not on the order of the payload's keys."""
        assert payload_digest("a", {"x": 1, "y": 2}) == payload_digest("a", {"y": 2, "x": 1})
        assert payload_digest("a", {"x": 1}) != payload_digest("b", {"x": 1})


class TestTampering:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("actor", "user:99"),
            ("role", "supervisor"),
            ("at", START + timedelta(days=1)),
            ("trigger", "waitlist"),
            ("to_state", "SELECTED"),
            ("request_id", "req-forged"),
            ("workflow_version", 2),
            ("payload_digest", "f" * 64),
        ],
    )
    def test_modified_field_is_found(self, field: str, value: Any) -> None:
        """Editing a chained field without rehashing breaks that very entry."""
        entries = journey()
        entries[2] = replace(entries[2], **{field: value})
        expected = ChainReport(
            CASE_ID, 5, False, 3, "stored hash does not match the entry's content"
        )
        assert expected == verify_chain(CASE_ID, entries)

    def test_rehashed_modification_breaks_the_next_link(self) -> None:
        """Rehashing the edited entry moves the break to the entry after it."""
        entries = journey()
        entries[1] = sealed(replace(entries[1], actor="user:99"))
        expected = ChainReport(
            CASE_ID, 5, False, 3, "previous-hash link does not match the entry before it"
        )
        assert expected == verify_chain(CASE_ID, entries)

    def test_modified_payload_is_found(self) -> None:
        """A payload edited after the fact no longer matches its stored digest."""
        entries = journey()
        entries[3] = replace(entries[3], payload={"text": "never called anyone"})
        expected = ChainReport(CASE_ID, 5, False, 4, "payload does not match its digest")
        assert expected == verify_chain(CASE_ID, entries)

    def test_payload_with_a_fresh_digest_is_found(self) -> None:
        """Replacing payload and digest together breaks the entry's hash."""
        entries = journey()
        forged = {"text": "never called anyone"}
        entries[3] = replace(
            entries[3], payload=forged, payload_digest=payload_digest("salt-4", forged)
        )
        report = verify_chain(CASE_ID, entries)
        expected = (False, 4, "stored hash does not match the entry's content")
        assert expected == (report.ok, report.broken_seq, report.problem)

    def test_deleted_entry_leaves_a_sequence_gap(self) -> None:
        """Removing a row from the middle is found at the row after the gap."""
        entries = journey()
        del entries[1]
        expected = ChainReport(
            CASE_ID, 4, False, 3, "sequence number 3 where 2 was expected (entry missing?)"
        )
        assert expected == verify_chain(CASE_ID, entries)

    def test_deleted_last_entry_is_found_by_the_current_state(self) -> None:
        """Dropping the latest row leaves a history that ends elsewhere than the case."""
        entries = journey()[:-1]
        expected = ChainReport(
            CASE_ID, 4, False, 4, "history ends in ASSESSED but the case is in APPLIED"
        )
        assert expected == verify_chain(CASE_ID, entries, current_state="APPLIED")

    def test_reordered_entries_are_found(self) -> None:
        """Swapping two rows breaks the sequence."""
        entries = journey()
        entries[1], entries[2] = entries[2], entries[1]
        report = verify_chain(CASE_ID, entries)
        expected = (False, 3, "sequence number 3 where 2 was expected (entry missing?)")
        assert expected == (report.ok, report.broken_seq, report.problem)

    def test_broken_prev_hash_link_is_found(self) -> None:
        """An entry pointing at the wrong predecessor is found, even if its own hash is right."""
        entries = journey()
        entries[2] = sealed(replace(entries[2], prev_hash=entries[0].hash))
        expected = ChainReport(
            CASE_ID, 5, False, 3, "previous-hash link does not match the entry before it"
        )
        assert expected == verify_chain(CASE_ID, entries)

    def test_first_entry_not_linked_to_genesis_is_found(self) -> None:
        """A chain that does not start from the genesis hash is refused at its first row."""
        entries = relink(journey())
        entries[0] = sealed(replace(entries[0], prev_hash="1" * 64))
        report = verify_chain(CASE_ID, entries)
        expected = (False, 1)
        assert expected == (report.ok, report.broken_seq)

    def test_rewritten_chain_with_a_state_jump_is_found(self) -> None:
        """Even a fully rehashed chain cannot skip states: each move starts where the last ended."""
        entries = journey()
        entries[4] = replace(entries[4], from_state="SELECTED")
        report = verify_chain(CASE_ID, relink(entries))
        expected = ChainReport(
            CASE_ID, 5, False, 5, "starts from SELECTED but the entry before ended in ASSESSED"
        )
        assert expected == report

    def test_wrong_current_state(self) -> None:
        """A case whose state column disagrees with its history is reported at the last row."""
        report = verify_chain(CASE_ID, journey(), current_state="SELECTED")
        expected = ChainReport(
            CASE_ID, 5, False, 5, "history ends in APPLIED but the case is in SELECTED"
        )
        assert expected == report


def erased(
    entries: list[HistoryEntry], seqs: list[int], rule: str = "retention-5y"
) -> list[HistoryEntry]:
    """Erase some payloads and append the chained record that says so, as the service does."""
    out = [replace(e, payload={}, payload_salt=None) if e.seq in seqs else e for e in entries]
    step: Step = ("payload_erased", None, None, None, erasure_payload(seqs, rule))
    return [*out, make_entry(len(out) + 1, out[-1].hash, step)]


class TestErasure:
    def test_recorded_erasure_verifies(self) -> None:
        """An erased payload named by a later erasure record leaves the chain sound."""
        entries = erased(journey(), [4])
        expected = ChainReport(CASE_ID, 6, True)
        assert expected == verify_chain(CASE_ID, entries, current_state="APPLIED")

    def test_every_payload_erased_with_its_record_verifies(self) -> None:
        """Pseudonymising a whole case keeps every link and hash."""
        assert verify_chain(CASE_ID, erased(journey(), [1, 2, 3, 4, 5])).ok

    def test_erasure_keeps_the_digest_and_hash(self) -> None:
        """The erased entry's digest and hash are those it had before erasure."""
        entry = journey()[1]
        blank = replace(entry, payload={}, payload_salt=None)
        expected = (entry.payload_digest, entry.hash)
        assert expected == (blank.payload_digest, blank.computed_hash())

    def test_erased_payload_with_a_changed_digest_is_found(self) -> None:
        """Erasure must keep the digest: changing it still breaks the hash."""
        entries = erased(journey(), [4])
        entries[3] = replace(entries[3], payload_digest="")
        report = verify_chain(CASE_ID, entries)
        expected = (False, 4)
        assert expected == (report.ok, report.broken_seq)

    def test_forged_payload_with_its_salt_removed_is_found(self) -> None:
        """The reported input: a new payload and a NULL salt is neither verifiable nor erased."""
        entries = journey()
        forged = {"inputs": {"first_contact_date": "2020-01-01"}}
        entries[1] = replace(entries[1], payload=forged, payload_salt=None)
        expected = ChainReport(
            CASE_ID,
            5,
            False,
            2,
            "payload without its salt: neither verifiable nor erased (forged?)",
        )
        assert expected == verify_chain(CASE_ID, entries)

    @pytest.mark.parametrize("payload", [{"erased": True}, {"": None}, {"x": []}])
    def test_any_leftover_payload_without_salt_is_found_even_when_recorded(
        self, payload: dict[str, Any]
    ) -> None:
        """Even with an erasure record, an erased entry must hold nothing but the erased form."""
        entries = erased(journey(), [2])
        entries[1] = replace(entries[1], payload=payload)
        report = verify_chain(CASE_ID, entries)
        expected = (False, 2)
        assert expected == (report.ok, report.broken_seq)

    def test_erasure_without_its_record_is_found(self) -> None:
        """Blanking a payload and its salt, with no record of the erasure, is named."""
        entries = journey()
        entries[3] = replace(entries[3], payload={}, payload_salt=None)
        expected = ChainReport(
            CASE_ID,
            5,
            False,
            4,
            "payload erased, but no erasure record of this case names the entry",
        )
        assert expected == verify_chain(CASE_ID, entries)

    def test_record_naming_other_entries_does_not_cover_this_one(self) -> None:
        """A record erasing entry 2 does not excuse a blanked entry 3."""
        entries = erased(journey(), [2])
        entries[2] = replace(entries[2], payload={}, payload_salt=None)
        report = verify_chain(CASE_ID, entries)
        expected = (False, 3)
        assert expected == (report.ok, report.broken_seq)

    def test_an_erasure_record_cannot_itself_be_erased(self) -> None:
        """Removing the record's salt (to hide what it erased) is named on the record."""
        entries = erased(journey(), [2])
        entries[5] = replace(entries[5], payload={}, payload_salt=None)
        report = verify_chain(CASE_ID, entries)
        expected = (False, 2)  # the record no longer counts: entry 2 is unrecorded first
        assert expected == (report.ok, report.broken_seq)

    def test_a_record_cannot_erase_what_comes_after_it(self) -> None:
        """A record names earlier entries only; a later blanked entry stays unrecorded."""
        entries = journey()
        record = make_entry(
            6, entries[-1].hash, ("payload_erased", None, None, None, erasure_payload([7], "r"))
        )
        blank_step: Step = ("note", None, None, None, {"text": "x"})
        later = replace(make_entry(7, record.hash, blank_step), payload={}, payload_salt=None)
        report = verify_chain(CASE_ID, [*entries, record, later])
        expected = (False, 7)
        assert expected == (report.ok, report.broken_seq)


class TestReplayState:
    def test_replay_ends_in_the_last_state(self) -> None:
        """Replaying a history gives the state its last move led to."""
        expected = "APPLIED"
        assert expected == replay_state(journey())

    def test_entries_without_a_move_keep_the_state(self) -> None:
        """A note (no to_state) after a move does not change the replayed state."""
        expected = "ASSESSED"
        assert expected == replay_state(journey()[:4])

    def test_empty_history_has_no_state(self) -> None:
        """No history means no state."""
        assert replay_state([]) is None

    def test_replay_accepts_any_iterable(self) -> None:
        """A generator of entries replays like a list."""
        expected = "CONTACTED"
        assert expected == replay_state(e for e in journey()[:2])
