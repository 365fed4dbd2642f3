"""How the FGS connector reads an export's bytes: fed to lxml's pull parser case by case,
so that each case file's own bytes can be digested, and a case stored unchanged need not
be parsed at all (``stream``; the connector's ``_Export.unread`` decides).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

from insyn.vocab.safexml import SAFE_PARSER_OPTIONS

# Where a case file ends in the bytes, whatever prefix its namespace has. A match that is
# no end tag only ends a piece early: the checks in ``stream`` keep digests whole.
_AGGREGATION_END = re.compile(rb"aggregation\s*>")
_BLOCK = 1 << 20  # bytes read at a time; also the most fed at once without a case's end
# A plain systemIdentifier attribute, and the name of the element whose start tag it is in
# (an attribute value cannot hold "<": the last "<" before it opens that tag).
SYSTEM_ID = re.compile(rb"""systemIdentifier\s*=\s*(?:"([\w.:-]+)"|'([\w.:-]+)')""")
_TAG_NAME = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
# The common writing, found in one pass: no prefix, the identifier the first attribute.
_PLAIN_START = re.compile(rb'<(aggregation|record)\s+systemIdentifier\s*=\s*"([\w.:-]+)"')


def plain_keys(piece: bytes) -> list[str] | None:
    """The keys ``fgs._Export._keys`` gives the case file in ``piece``, read from its bytes,
    or None where they might not be all of them.

    Keys are read from plain ``systemIdentifier`` attributes of aggregation and record
    start tags, and must be as many as such start tags could be in the bytes (counted
    generously): a record whose key cannot be read makes it None. Text that only looks
    like a start tag (a comment) adds a key that nothing was stored with, which the
    caller's check of every key against the stored digest refuses.
    """
    starts = piece.count(b"<record") + piece.count(b":record")
    keys = _as_keys(_PLAIN_START.findall(piece), starts)
    return keys if keys is not None else _as_keys(_identified(piece), starts)


def _identified(piece: bytes) -> list[tuple[bytes, bytes]]:
    """(element name, systemIdentifier) of every start tag in ``piece`` with a plain one."""
    found = []
    for match in SYSTEM_ID.finditer(piece):
        if piece[match.start() - 1 : match.start()] not in (b" ", b"\t", b"\n", b"\r"):
            continue  # part of a longer name
        name = _TAG_NAME.match(piece, piece.rfind(b"<", 0, match.start()))
        if name is not None:
            found.append((name.group(1), match.group(1) or match.group(2)))
    return found


def _as_keys(found: list[tuple[bytes, bytes]], record_starts: int) -> list[str] | None:
    """The keys of one aggregation and its records, when ``found`` names one aggregation
    and as many records as ``record_starts``, each once; else None."""
    cases = ["arende:" + value.decode("ascii") for name, value in found if name == b"aggregation"]
    documents = ["handling:" + value.decode("ascii") for name, value in found if name == b"record"]
    keys = cases + documents
    if len(cases) != 1 or not documents or len(documents) != record_starts:
        return None
    return keys if len(set(keys)) == len(keys) else None


def _lines(piece: bytes) -> int:
    """The line ends in ``piece`` as the parser counts them: CR, LF and CRLF each end one."""
    count = piece.count(b"\n")
    return count + piece.count(b"\r") - piece.count(b"\r\n") if b"\r" in piece else count


def stream(
    path: Path, ns: str, unread: Callable[[bytes, hashlib._Hash], list[str] | None]
) -> Iterator[tuple[etree._Element | None, bytes | list[str] | None]]:
    """The end of every ``control``, ``aggregation`` and ``record`` element, streaming: for
    an aggregation in <aggregations>, with the digest of file bytes known to hold all of
    it (else None); for a case file ``unread`` names, (None, its keys) instead.

    The file is fed to the parser up to each case file's end tag, so that a case ends as
    its bytes are fed: its bytes are those fed since the previous case ended. They hold
    the whole case when it starts on a later line than they do (a case nested in another,
    or sharing a line with the one before it, is serialised instead).

    A case whose bytes ``unread`` finds stored is not fed: the parser gets as many line
    ends instead, so later line numbers stay true. Such bytes come, as they did when they
    were parsed and stored, right after a case's end tag in <aggregations> (the digest
    covers them, the salt the namespaces and encoding, and ``unread`` only looks where the
    parser has just ended a case there); bytes the parser accepted there then, it accepts
    there now, leaving it where it was: the file is as well-formed as if they were fed.
    """
    parser = etree.XMLPullParser(
        events=("end",),
        tag=(ns + "control", ns + "aggregation", ns + "record"),
        **SAFE_PARSER_OPTIONS,
        remove_comments=True,
        remove_pis=True,
    )
    aggregation, cases = ns + "aggregation", ns + "aggregations"
    raw = hashlib.blake2b(digest_size=16)  # of the bytes fed since the last case ended
    first_line = line = 1  # the line those bytes start on; the line feeding has reached
    after_case = False  # the last byte fed ended a case in <aggregations>
    pending = b""
    with path.open("rb") as handle:
        while True:
            block = handle.read(_BLOCK)
            data = pending + block if pending else block
            ends = [match.end() for match in _AGGREGATION_END.finditer(data)]
            pieces = [(end, True) for end in ends]
            if not block or len(data) - (ends[-1] if ends else 0) > _BLOCK:
                # The end of the file, or too long without a case end: fed as it is.
                pieces.append((len(data), False))
            start = 0
            for end, at_case_end in pieces:
                piece = data[start:end]
                start = end
                keys = unread(piece, raw) if after_case and at_case_end else None
                if keys is not None:
                    lines = _lines(piece)
                    parser.feed(b"\n" * lines)
                    line += lines
                    raw, first_line = hashlib.blake2b(digest_size=16), line
                    yield None, keys
                    continue
                parser.feed(piece)
                raw.update(piece)
                line += _lines(piece)
                ended = after_case = False
                for _, element in parser.read_events():
                    if element.tag != aggregation:
                        after_case = False
                        yield element, None
                        continue
                    parent = element.getparent()
                    ended, after_case = True, parent is not None and parent.tag == cases
                    whole = after_case and (element.sourceline or 0) > first_line
                    yield element, raw.digest() if whole else None
                after_case = after_case and at_case_end
                if ended:
                    raw, first_line = hashlib.blake2b(digest_size=16), line
            pending = data[start:]
            if not block:
                break
    parser.close()
    for _, element in parser.read_events():
        yield element, None
