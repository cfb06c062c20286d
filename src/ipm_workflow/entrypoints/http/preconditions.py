"""`If-Match` as RFC 9110 §13.1.1 defines it, against a case's version (sent as ETag `"3"`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from litestar.exceptions import ClientException, HTTPException
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter

from ipm_workflow.entrypoints.http.schemas import PROBLEM_RESPONSES, Problem

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text (%x80-FF).
# Header bytes reach us decoded as Latin-1, one character per byte, so the ranges carry over.
_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|$)')
_LIST_GAP = re.compile(r"[ \t]*,")  # RFC 9110 §5.6.1: empty list elements are tolerated
_MAX_VERSION = 2**63 - 1

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        max_length=1000,
        description='The ETag of the case as read, e.g. "3"; `*` or a list of tags. Weak tags '
        "never match (strong comparison). Malformed: 400; no tag can match: 412; a stale "
        "version: 409 with the current one.",
    ),
]
IF_MATCH_RESPONSES = {
    **PROBLEM_RESPONSES,
    412: ResponseSpec(
        data_container=Problem,
        media_type="application/problem+json",
        description="If-Match names no tag that can match a version of this case",
        generate_examples=False,
    ),
}


def parse_if_match(header: str) -> list[tuple[bool, str]] | None:
    """Return the (weak, opaque tag) pairs of an If-Match value, None for `*`; ClientException
    (400) when the value is not `*` nor a list of quoted entity tags."""
    if header.strip() == "*":
        return None
    tags: list[tuple[bool, str]] = []
    position = 0
    while position < len(header):
        gap = _LIST_GAP.match(header, position)
        if gap:
            position = gap.end()
            continue
        match = _TAG.match(header, position)
        if match is None:
            raise ClientException(
                'If-Match must be `*` or a list of quoted entity tags such as "3" '
                "(RFC 9110 §13.1.1); got a malformed value"
            )
        tags.append((match.group(1) is not None, match.group(2)))
        position = match.end()
    if not tags:
        raise ClientException('If-Match is empty: send `*` or the case\'s ETag, e.g. "3"')
    return tags


def expected_version(
    if_match: str | None, body_version: int | None, current: Callable[[], int]
) -> int | None:
    """The version a change must find: from If-Match when sent (None for `*`), else the body's.

    A list matches if any tag does (`current` reads the case's version then); weak tags and tags
    that are not one of our versions never match: 412. A stale strong tag is left to the
    service's version check, which answers 409 with the current version."""
    if if_match is None:
        return body_version
    tags = parse_if_match(if_match)
    if tags is None:
        return None
    versions = sorted(
        {
            int(tag)
            for weak, tag in tags
            if not weak
            and tag.isascii()
            and tag.isdigit()
            and str(int(tag)) == tag
            and int(tag) <= _MAX_VERSION
        }
    )
    if not versions:
        raise HTTPException(
            status_code=412,
            detail="no entity tag in If-Match can match this case: weak tags never match "
            '(strong comparison) and a case\'s ETag is its version, e.g. "3"',
        )
    if len(versions) == 1:
        return versions[0]
    now = current()
    return now if now in versions else versions[-1]
