"""Untrusted XML: every check runs on the parser's own view of the document.

Every XML document from a source (RDF/XML, CSW, OAI-PMH, FGS) and every file that
``insyn validate`` reads goes through here. The checks do not scan bytes with patterns
(a comment before the DOCTYPE, or UTF-16, fooled that once): libxml2 reads the document,
in whatever encoding it declares, and the checks look at what it read.

- ``check_xml``: reads up to the root element with entity resolution, DTD loading and
  network access off, and refuses an external DTD, external entities (XXE), and an
  entity (general or parameter) whose value refers to other entities or holds markup.
- ``parse_xml``: the same checks, then the whole document; internal entities are
  expanded by libxml2, whose amplification limit refuses entity bombs (``huge_tree``
  off), and elements may nest at most ``MAX_DEPTH`` deep.
- ``rdfxml_view``: RDF/XML as the RDF parsers should see it: unchanged when it has no
  internal DTD subset, else re-serialised from ``parse_xml``'s tree (entities expanded
  under libxml2's limits, no DOCTYPE left). Nesting is bounded too: RDF/XML parsers
  take quadratic time on deep nesting.

``xml_parser()`` gives an lxml parser with the same settings, for connectors that stream.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from lxml import etree

from insyn.errors import UnsafeInputError, VocabError

# A real document nests a few dozen elements deep; thousands is an attack on the parser.
MAX_DEPTH = 200
# How much of a file ``check_xml`` reads at most to reach the root element.
MAX_PROLOG_BYTES = 1_000_000
_CHUNK = 64 * 1024


# What every lxml parser of untrusted XML is given: no DTD, no network, no entity resolved.
SAFE_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}


def xml_parser(*, recover: bool = False, resolve_internal: bool = False) -> etree.XMLParser:
    """Return an lxml parser that loads no DTD, reaches no network and resolves no
    external entity (internal ones only with ``resolve_internal``)."""
    return etree.XMLParser(
        **SAFE_PARSER_OPTIONS | {"resolve_entities": "internal" if resolve_internal else False},
        dtd_validation=False,
        recover=recover,
        remove_blank_text=False,
    )


def _syntax_error(exc: etree.XMLSyntaxError, source: str | None) -> VocabError:
    line, column = exc.position if exc.position else (None, None)
    # libxml2 stops an entity bomb with a syntax error of its own.
    if "amplification" in str(exc.msg).lower():
        return UnsafeInputError(
            "XML-dokumentets entiteter skulle växa för mycket (entitetsbomb); dokumentet vägras",
            source=source,
        )
    return VocabError(
        f"XML-dokumentet är inte välformat: {exc.msg}",
        source=source,
        position=f"rad {line}, kolumn {column}" if line else None,
    )


def _first_element(data: bytes, source: str | None) -> etree._Element | None:
    """Return the root element as the parser first sees it (None for no element)."""
    parser = etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for offset in range(0, min(len(data), MAX_PROLOG_BYTES), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            for _, element in parser.read_events():
                return element
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, source) from exc
    return None


def root_element_name(head: bytes) -> tuple[str, str] | None:
    """The root element's namespace and local name, read from the document's first bytes;
    None when they show no well-formed root (the caller's parser then names the error)."""
    try:
        root = _first_element(head, None)
    except VocabError:
        return None
    if root is None:
        return None
    name = etree.QName(root)
    return name.namespace or "", name.localname


def _check_doctype(root: etree._Element, source: str | None) -> bool:
    """Refuse what the DOCTYPE may not hold; return whether it declares entities."""
    docinfo = root.getroottree().docinfo
    if docinfo.system_url or docinfo.public_id:
        raise UnsafeInputError(
            "XML-dokumentet hänvisar till en extern DTD, vilket inte tillåts", source=source
        )
    dtd = docinfo.internalDTD
    if dtd is None:
        return False
    declared = False
    for entity in dtd.iterentities():
        declared = True
        name = entity.name
        if entity.system_url:
            raise UnsafeInputError(
                f"Entiteten '{name}' är extern (SYSTEM/PUBLIC), vilket inte tillåts (XXE-skydd)",
                source=source,
            )
        value = entity.orig if entity.orig is not None else entity.content or ""
        # A value that refers to entities, or holds markup (a parameter entity declaring
        # more entities), is how bombs are built; namespace abbreviations need neither.
        if "&" in value or "%" in value or "<" in value:
            raise UnsafeInputError(
                f"Entiteten '{name}' hänvisar till andra entiteter (entitetsbomb), "
                "vilket inte tillåts",
                source=source,
            )
    return declared


def check_xml(data: bytes, *, source: str | None = None) -> bool:
    """Refuse XML that could read local files, reach the network or explode in memory.

    Reads only up to the root element. Returns whether the document declares internal
    entities (their expansion is then bounded by ``parse_xml``).

    Raises:
        UnsafeInputError: naming the entity and what is wrong with it.
        VocabError: the prolog is not well-formed.
    """
    root = _first_element(data, source)
    if root is None:
        return False
    return _check_doctype(root, source)


def _depths(root: etree._Element) -> Iterator[int]:
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        yield depth
        stack.extend((child, depth + 1) for child in element)


def _check_depth(root: etree._Element, source: str | None) -> None:
    if any(depth > MAX_DEPTH for depth in _depths(root)):
        raise UnsafeInputError(
            f"XML-dokumentet är nästlat djupare än {MAX_DEPTH} nivåer; dokumentet vägras",
            source=source,
        )


def parse_xml(data: bytes, *, source: str | None = None) -> etree._Element:
    """Check and parse an XML document; return its root element.

    Raises:
        UnsafeInputError: refused by ``check_xml``, an entity bomb, or nested too deep.
        VocabError: not well-formed, with line and column.
    """
    check_xml(data, source=source)
    try:
        root = etree.fromstring(data, parser=xml_parser(resolve_internal=True))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, source) from exc
    _check_depth(root, source)
    return root


def _streamed_depth_ok(data: bytes, source: str | None) -> None:
    """Check nesting without keeping the tree (for documents without entities)."""
    depth = 0
    try:
        for event, element in etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        ):
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise UnsafeInputError(
                        f"XML-dokumentet är nästlat djupare än {MAX_DEPTH} nivåer; "
                        "dokumentet vägras",
                        source=source,
                    )
            else:
                depth -= 1
                element.clear()
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, source) from exc


def rdfxml_view(data: bytes, *, source: str | None = None) -> bytes:
    """Return RDF/XML as the RDF parsers may see it (see the module docstring).

    Raises:
        UnsafeInputError: refused by ``check_xml``, an entity bomb, or nested too deep.
        VocabError: not well-formed XML.
    """
    if not check_xml(data, source=source):
        _streamed_depth_ok(data, source)
        return data
    root = parse_xml(data, source=source)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
