"""``parse_triples``' two paths and ``subject_digest``'s shared text give what one would."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from insyn.vocab import triples
from insyn.vocab.triples import TripleIndex, parse_triples, subject_digest

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
"""

CATALOGUE = (
    PREFIXES
    + """
<https://ex.se/ds/1> a dcat:Dataset ; dct:title "Ett"@sv ;
    dct:publisher <https://ex.se/org> ; dcat:contactPoint [ vcard:fn "Kontakt" ] ;
    dcat:distribution <https://ex.se/ds/1/csv> , [ dct:format "CSV" ; dct:title "b"@sv ] .
<https://ex.se/ds/1/csv> dcat:accessURL <https://ex.se/f.csv> ; dct:title "csv"@sv .
<https://ex.se/ds/2> a dcat:Dataset ; dct:title "Två"@sv ; dct:publisher <https://ex.se/org> .
<https://ex.se/ds/3> a dcat:Dataset ; dct:title "Tre"@sv ; dct:publisher <https://ex.se/org> .
<https://ex.se/org> a foaf:Organization ; foaf:name "Org"@sv ;
    foaf:member [ foaf:name "Person" ; foaf:knows [ foaf:name "Annan" ] ] .
[] a dcat:Dataset ; dct:title "Tom nod"@sv ; dct:publisher <https://ex.se/org> ;
    dct:isPartOf <https://ex.se/cat> .
<https://ex.se/cat> a dcat:Catalog ; dct:title "Katalog"@sv .
"""
).encode()


def _digests(index: TripleIndex) -> Counter[str]:
    """Every subject's digest (blank-node labels differ between parses; digests do not)."""
    return Counter(subject_digest(index, subject, "test") for subject in index.subjects)


def _lenient(monkeypatch: pytest.MonkeyPatch, data: bytes, **kwargs: str) -> TripleIndex:
    with monkeypatch.context() as patch:
        patch.setattr(triples, "_strict", lambda *args: None)
        return parse_triples(data, "turtle", **kwargs)


def test_a_valid_document_reads_the_same_on_the_strict_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    strict = parse_triples(CATALOGUE, "turtle")
    lenient = _lenient(monkeypatch, CATALOGUE)
    assert _digests(strict) == _digests(lenient)
    assert len(strict.subjects) == len(lenient.subjects) == 11
    assert not strict.problems and not strict.loose and not strict.unsure


def test_a_bad_statement_still_costs_only_itself() -> None:
    broken = CATALOGUE + b'<https://ex.se/ds/4> a dcat:Dataset ; dct:title "Fyra"@sv ; oops .\n'
    broken += b'<https://ex.se/ds/5> a dcat:Dataset ; dct:title "Fem"@sv .\n'
    index = parse_triples(broken, "turtle")
    assert "https://ex.se/ds/5" in index.subjects
    assert "https://ex.se/ds/1" in index.subjects
    assert any("kunde inte läsas" in problem for problem in index.problems["https://ex.se/ds/4"])


def test_an_invalid_iri_is_still_repaired() -> None:
    data = PREFIXES.encode() + b"<https://ex.se/ds/1> dcat:landingPage <https://ex.se/a b> .\n"
    index = parse_triples(data, "turtle")
    (page,) = index.objects("https://ex.se/ds/1", "http://www.w3.org/ns/dcat#landingPage")
    assert page.value == "https://ex.se/a%20b"
    assert index.problems["https://ex.se/ds/1"]


def test_an_email_made_relative_to_the_base_still_gets_mailto() -> None:
    # Valid for the strict parser once resolved, so the strict path must hand it over.
    data = PREFIXES.encode() + b"<https://ex.se/org> foaf:mbox <info@ex.se> .\n"
    index = parse_triples(data, "turtle", base_iri="https://ex.se/katalog.ttl")
    (mbox,) = index.objects("https://ex.se/org", "http://xmlns.com/foaf/0.1/mbox")
    assert mbox.value == "mailto:info@ex.se"


def test_a_shared_resource_kept_once_gives_each_record_its_own_digest() -> None:
    # The publisher's text is kept after it is met twice: a record digested after that
    # must get exactly the digest it gets in a fresh index, where it is the first.
    warm = parse_triples(CATALOGUE, "turtle")
    for subject in warm.subjects:
        subject_digest(warm, subject, "test")
    assert "https://ex.se/org" in warm.expanded
    for subject in warm.subjects:
        if subject.startswith("_:"):
            continue
        cold = parse_triples(CATALOGUE, "turtle")
        assert subject_digest(warm, subject, "test") == subject_digest(cold, subject, "test")


def test_the_digest_sees_a_change_in_a_blank_node_inside_a_shared_resource() -> None:
    changed = CATALOGUE.replace(b'"Annan"', b'"Ny"')
    before = parse_triples(CATALOGUE, "turtle")
    after = parse_triples(changed, "turtle")
    for subject in ("https://ex.se/ds/2", "https://ex.se/ds/3"):
        assert subject_digest(before, subject, "t") != subject_digest(after, subject, "t")
    assert subject_digest(before, "https://ex.se/cat", "t") == subject_digest(
        after, "https://ex.se/cat", "t"
    )


def test_statements_about_a_subject_apart_in_the_document_are_grouped_together() -> None:
    # The index makes a subject's key only when the subject changes: a subject met again
    # after another one must still get every statement, blank nodes included.
    data = b"""<https://ex.se/a> <https://ex.se/p> "1" .
_:b <https://ex.se/p> "2" .
<https://ex.se/c> <https://ex.se/p> "3" .
<https://ex.se/a> <https://ex.se/p> "4" .
_:b <https://ex.se/q> <https://ex.se/a> .
<https://ex.se/a> <https://ex.se/q> _:b .
"""
    index = parse_triples(data, "nt")
    assert sorted(index.subjects) == ["_:b", "https://ex.se/a", "https://ex.se/c"]
    assert sorted(term.value for term in index.objects("https://ex.se/a", "https://ex.se/p")) == [
        "1",
        "4",
    ]
    assert [term.value for term in index.objects("_:b", "https://ex.se/q")] == ["https://ex.se/a"]
    (blank,) = index.objects("https://ex.se/a", "https://ex.se/q")
    assert triples.node_key(blank) == "_:b"


def test_subjects_of_type_keep_document_order_and_name_each_subject_once() -> None:
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    data = f"""<https://ex.se/1> {rdf_type} <https://ex.se/A> .
<https://ex.se/2> <https://ex.se/p> "först något annat" .
<https://ex.se/3> {rdf_type} <https://ex.se/B> .
<https://ex.se/2> {rdf_type} <https://ex.se/B> .
<https://ex.se/2> {rdf_type} <https://ex.se/A> .
<https://ex.se/4> <https://ex.se/p> "ingen typ" .
""".encode()
    index = parse_triples(data, "nt")
    assert index.subjects_of_type("https://ex.se/A") == ["https://ex.se/1", "https://ex.se/2"]
    assert index.subjects_of_type("https://ex.se/B") == ["https://ex.se/2", "https://ex.se/3"]
    assert index.subjects_of_type("https://ex.se/B", "https://ex.se/A") == [
        "https://ex.se/1",
        "https://ex.se/2",
        "https://ex.se/3",
    ]
    assert index.subjects_of_type("https://ex.se/C") == []
    assert dict(index.types())["https://ex.se/2"] == ("https://ex.se/B", "https://ex.se/A")
    # A statement added later is seen by the next question.
    index.add("https://ex.se/4", triples.RDF_TYPE, ox.NamedNode("https://ex.se/A"))
    assert index.subjects_of_type("https://ex.se/A")[-1] == "https://ex.se/4"
