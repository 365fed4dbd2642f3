"""A personnummer finds its case on the staff side however it is typed, never in public."""

from __future__ import annotations

from pathlib import Path

import pytest

from insyn.search.backends.base import SearchRequest
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.documents import index_document
from insyn.search.query import parse_query
from insyn.vocab.model import NON_PUBLIC, PUBLIC, Agent, Case, Document, Governance, Party
from insyn.vocab.personal_data import personnummer_keys

KS = Agent(uri="https://data.exempelby.se/organisation/ks", name={"sv": "Kommunstyrelsen"})
CASE = Case(
    uri="https://diarium.exempelby.se/arende/KS-2025-12",
    title={"sv": "Medborgarförslag om belysning i Stadsparken"},
    publisher=KS,
    diarienummer="KS 2025/12",
    diarienummer_normalised="KS 2025/12",
    parties=[
        Party(name="Sven Svensson", is_private_individual=True, identifier="19121212-1212"),
        Party(name="Parkföreningen Ljuset", identifier="802400-0005"),
    ],
    governance=Governance(access_rights=PUBLIC),
)
APPLICATION = Document(
    uri="https://diarium.exempelby.se/handling/SN-2025-45-1",
    title={"sv": "Ansökan från 19900101-2385"},
    publisher=KS,
    case_diarienummer="SN 2025/45",
    document_number="1",
    governance=Governance(access_rights=NON_PUBLIC),
)


def test_every_spelling_is_one_key() -> None:
    spellings = ["19121212-1212", "191212121212", "121212-1212", "121212 1212", "1212121212"]
    assert {tuple(personnummer_keys([s])) for s in spellings} == {("1212121212",)}
    assert personnummer_keys(["802400-0005", "KS 2025/12", "Ansökan 2025"]) == []
    for spelling in [*spellings, "19121212 1212", "19121212\u20131212"]:
        assert parse_query(spelling).terms == ("1212121212",), spelling
    assert parse_query("1212121212 belysning").terms == ("1212121212", "belysning")
    # Not a personnummer (bad check digit, or part of a longer word): left as it is.
    assert parse_query("121212-1213").terms == ("121212-1213",)


@pytest.fixture
def backend(tmp_path: Path) -> EmbeddedBackend:
    index = EmbeddedBackend(tmp_path)
    index.ensure_index()
    index.bulk_upsert(
        [
            index_document(
                id_, record, publisher_name="Kommunstyrelsen", owner_name=None, source="d"
            )
            for id_, record in (("case-1", CASE), ("doc-1", APPLICATION))
        ]
    )
    return index


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("19121212-1212", "case-1"),  # the party's identifier, as the diarium wrote it
        ("191212121212", "case-1"),
        ("121212 1212", "case-1"),
        ("1212121212", "case-1"),
        ("199001012385", "doc-1"),  # written in the document's title with a hyphen
        ("900101 2385", "doc-1"),
        ("19900101-2385", "doc-1"),
    ],
)
def test_staff_find_it_however_typed_the_public_never(
    backend: EmbeddedBackend, typed: str, found: str
) -> None:
    staff = backend.search(SearchRequest(typed, public_only=False))
    assert [hit.id for hit in staff.hits] == [found]
    assert backend.search(SearchRequest(typed)).hits == []
