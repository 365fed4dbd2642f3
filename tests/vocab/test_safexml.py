"""The XML guard reads documents as libxml2 reads them: tricks on the bytes do not pass.

Each attack here got through the earlier byte-pattern guard: a comment holding "<x"
before the DOCTYPE, UTF-16, deep nesting. Every path is tested: the harvest's RDF parsing
(``triples.parse``), ``parse_xml`` (CSW, OAI-PMH) and the files ``insyn validate`` reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from insyn.errors import UnsafeInputError, VocabError
from insyn.vocab import triples
from insyn.vocab.safexml import MAX_DEPTH, check_xml, parse_xml, rdfxml_view
from insyn.vocab.shacl import load_rdf_file

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def rdf_document(doctype: str, body: str) -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n'
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:dct="http://purl.org/dc/terms/">'
        f'<rdf:Description rdf:about="https://x.example/y"><dct:title>{body}</dct:title>'
        "</rdf:Description></rdf:RDF>"
    )


def laughs(levels: int = 9) -> str:
    entities = '<!ENTITY l0 "lollollollol">' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, levels + 1)
    )
    return f"<!DOCTYPE rdf:RDF [{entities}]>"


# A comment that looks like the start of the root element, before the DOCTYPE.
COMMENT_BEFORE = "<!-- <x -->"
FLAT_BOMB = (
    f'<!DOCTYPE rdf:RDF [<!ENTITY big "{"x" * 50_000}">]>',
    "&big;" * 10_000,
)
XXE = '<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
PARAMETER = "<!DOCTYPE rdf:RDF [<!ENTITY % p \"<!ENTITY q 'lol'>\"> %p;]>"
EXTERNAL_DTD = '<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:1/x.dtd">'

HOSTILE = {
    "laughs": rdf_document(laughs(), "&l9;"),
    "laughs after a comment": rdf_document(COMMENT_BEFORE + laughs(), "&l9;"),
    "flat repetition after a comment": rdf_document(COMMENT_BEFORE + FLAT_BOMB[0], FLAT_BOMB[1]),
    "xxe after a comment": rdf_document(COMMENT_BEFORE + XXE, "&secret;"),
    "parameter entity declaring entities": rdf_document(PARAMETER, "&q;"),
    "external dtd": rdf_document(EXTERNAL_DTD, "x"),
}
ENCODINGS = ["utf-8", "utf-16", "utf-16-be"]


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return text.encode()
    declared = text.replace(
        '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
    )
    data = declared.encode(encoding)
    return data if encoding == "utf-16" else b"\xfe\xff" + data


def harvest(data: bytes, tmp_path: Path) -> object:
    return triples.parse_triples(data, "xml", source="test")


def validate(data: bytes, tmp_path: Path) -> object:
    path = tmp_path / "in.rdf"
    path.write_bytes(data)
    return load_rdf_file(path)


def parse(data: bytes, tmp_path: Path) -> object:
    return parse_xml(data, source="test")


PATHS: dict[str, Callable[[bytes, Path], object]] = {
    "harvest": harvest,
    "validate": validate,
    "parse_xml": parse,
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("attack", HOSTILE)
def test_hostile_documents_are_refused_on_every_path(
    attack: str, encoding: str, path: str, tmp_path: Path
) -> None:
    data = encoded(HOSTILE[attack], encoding)
    with pytest.raises(UnsafeInputError):
        PATHS[path](data, tmp_path)


@pytest.mark.parametrize("path", PATHS)
def test_nesting_is_bounded(path: str, tmp_path: Path) -> None:
    depth = MAX_DEPTH + 50
    nested = "<rdf:Description>" * depth + "</rdf:Description>" * depth
    data = rdf_document("", nested).encode()
    with pytest.raises(VocabError):
        PATHS[path](data, tmp_path)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_namespace_abbreviations_still_work(encoding: str, tmp_path: Path) -> None:
    # RDF/XML often abbreviates namespaces with internal entities: those are allowed
    doctype = '<!DOCTYPE rdf:RDF [<!ENTITY dct "http://purl.org/dc/terms/">]>'
    document = rdf_document(doctype, "Badplatser").replace(
        'rdf:about="https://x.example/y"', 'rdf:about="https://x.example/y" dct:creator="&dct;x"'
    )
    data = encoded(document, encoding)
    index = triples.parse_triples(data, "xml", source="test")
    assert len(index.properties("https://x.example/y")) == 2
    graph = validate(data, tmp_path)
    assert len(graph) == 2
    assert b"<!DOCTYPE" not in rdfxml_view(data)


def test_documents_without_a_dtd_pass_unchanged() -> None:
    data = rdf_document("", "Badplatser").encode()
    assert check_xml(data) is False
    assert rdfxml_view(data) is data
