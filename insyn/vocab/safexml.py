"""Untrusted XML: refuse external entities and entity bombs before any parser sees it.

Every XML document from a source (RDF/XML, CSW, OAI-PMH, FGS) goes through
``check_xml`` first. The document type declaration, if any, sits before the root
element, so only the prolog needs reading:

- external entities (``SYSTEM``/``PUBLIC``) and parameter entities are refused (XXE);
- an entity whose value refers to another entity is refused (billion laughs needs nesting);
- the total text the entities would expand to is bounded, so a flat entity repeated a
  million times is refused too.

Internal entities that merely abbreviate namespaces (``&rdf;``, common in RDF/XML)
pass. ``xml_parser()`` gives an lxml parser with entity resolution, DTD loading and
network access off, for connectors that parse XML themselves.
"""

from __future__ import annotations

import re

from lxml import etree

from insyn.errors import UnsafeInputError, VocabError

_DOCTYPE = re.compile(rb"<!DOCTYPE\s[^\[>]*(\[(?P<subset>.*?)\])?\s*>", re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY\s+(?P<percent>%\s+)?(?P<name>[^\s]+)\s+(?P<rest>.*?)>", re.DOTALL)
_QUOTED = re.compile(rb"^\s*(?P<q>[\"'])(?P<value>.*?)(?P=q)\s*$", re.DOTALL)
_ROOT_START = re.compile(rb"<[A-Za-z_]")

# The prolog may hold a long internal subset, but not megabytes of it.
MAX_PROLOG_BYTES = 1_000_000
MIN_EXPANSION_BUDGET = 10_000_000


def _prolog(data: bytes) -> bytes:
    """Return the bytes before the root element (comments and PIs included)."""
    position = 0
    while True:
        match = _ROOT_START.search(data, position, MAX_PROLOG_BYTES)
        if match is None:
            return data[:MAX_PROLOG_BYTES]
        # A '<' inside the internal subset (an entity value) is not the root element.
        head = data[: match.start()]
        if head.count(b"[") > head.count(b"]") and b"<!DOCTYPE" in head:
            position = match.end()
            continue
        return head


def check_xml(data: bytes, *, source: str | None = None) -> None:
    """Refuse XML that could read local files, reach the network or explode in memory.

    Raises:
        UnsafeInputError: naming the entity and what is wrong with it.
    """
    prolog = _prolog(data)
    doctype = _DOCTYPE.search(prolog)
    if doctype is None:
        if b"<!DOCTYPE" in prolog:
            raise UnsafeInputError("Ofullständig DOCTYPE-deklaration i XML", source=source)
        return
    has_subset = doctype.group("subset") is not None
    header = prolog[doctype.start() : doctype.start("subset")] if has_subset else doctype.group(0)
    if re.search(rb"\b(SYSTEM|PUBLIC)\b", header):
        raise UnsafeInputError(
            "XML-dokumentet hänvisar till en extern DTD, vilket inte tillåts", source=source
        )
    subset = doctype.group("subset") or b""
    budget = max(MIN_EXPANSION_BUDGET, len(data))
    expansion = 0
    for entity in _ENTITY.finditer(subset):
        name = entity.group("name").decode("utf-8", "replace")
        if entity.group("percent"):
            raise UnsafeInputError(
                f"Parameterentiteten '{name}' tillåts inte i XML från källor", source=source
            )
        quoted = _QUOTED.match(entity.group("rest"))
        if quoted is None:
            raise UnsafeInputError(
                f"Entiteten '{name}' är extern (SYSTEM/PUBLIC), vilket inte tillåts (XXE-skydd)",
                source=source,
            )
        value = quoted.group("value")
        if b"&" in value or b"%" in value:
            raise UnsafeInputError(
                f"Entiteten '{name}' hänvisar till andra entiteter (entitetsbomb), "
                "vilket inte tillåts",
                source=source,
            )
        expansion += data.count(b"&" + entity.group("name") + b";") * len(value)
        if expansion > budget:
            raise UnsafeInputError(
                f"Entiteterna skulle växa till mer än {budget:,} byte; dokumentet vägras",
                source=source,
            )


def xml_parser(*, recover: bool = False) -> etree.XMLParser:
    """Return an lxml parser that resolves no entities and reaches no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=recover,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, *, source: str | None = None) -> etree._Element:
    """Check and parse an XML document; return its root element.

    Raises:
        UnsafeInputError: refused by ``check_xml``.
        VocabError: not well-formed, with line and column.
    """
    check_xml(data, source=source)
    try:
        return etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise VocabError(
            f"XML-dokumentet är inte välformat: {exc.msg}",
            source=source,
            position=f"rad {line}, kolumn {column}" if line else None,
        ) from exc
