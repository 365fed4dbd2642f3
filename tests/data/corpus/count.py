"""Count the records in each corpus file, independently of Insyn, and write manifest.json.

    .venv/bin/python tests/data/corpus/count.py

The counts never come from Insyn's own readers, so that tests/connectors/test_corpus.py
compares Insyn with something else:

    dcat, schemaorg  rdflib: distinct subjects typed dcat:Dataset, dcat:DataService,
                     dcat:DatasetSeries or schema:Dataset (http and https schema.org), in
                     the default graph and every named graph
    ckan             raw JSON: an API envelope's result.results (package_search) or its one
                     result (package_show); a bare package dict is 1, a list of them its length
    iso19139         lxml: gmd:MD_Metadata and gmi:MI_Metadata elements anywhere in the file
    oaipmh           lxml: OAI record elements whose header is not status="deleted"

schema.org JSON-LD names its context by URL; rdflib would fetch it, so the count reads
that context as {"@vocab": "http://schema.org/"} (what the real context does for the
terms) and stays offline. A file that does not parse gets ``"records": null`` and the
parser's message under ``unparsable``; for a line-based format (Turtle, N-Triples) rdflib
is then asked again without each line it names (up to 10), and ``without_lines`` gives
those lines and the records it counts in the rest: what a reader that skips an
unreadable statement should find.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lxml import etree
from rdflib import RDF, Dataset, Namespace, URIRef

CORPUS = Path(__file__).resolve().parent
KINDS = ("dcat", "ckan", "iso19139", "oaipmh", "schemaorg")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
RECORD_CLASSES = (
    DCAT.Dataset,
    DCAT.DataService,
    DCAT.DatasetSeries,
    URIRef("http://schema.org/Dataset"),
    URIRef("https://schema.org/Dataset"),
)
RDF_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".jsonld": "json-ld", ".nt": "nt"}
MANIFEST_FORMATS = {"turtle": "turtle", "xml": "xml", "json-ld": "jsonld", "nt": "nt"}
SCHEMA_CONTEXTS = {"https://schema.org/", "https://schema.org", "http://schema.org/"}
GMD = "http://www.isotc211.org/2005/gmd"
GMI = "http://www.isotc211.org/2005/gmi"
OAI = "http://www.openarchives.org/OAI/2.0/"


def _offline_context(context: Any) -> Any:
    if isinstance(context, str) and context in SCHEMA_CONTEXTS:
        return {"@vocab": "http://schema.org/"}
    if isinstance(context, list):
        return [_offline_context(part) for part in context]
    return context


def rdf_graph(path: Path) -> Dataset:
    fmt = RDF_FORMATS[path.suffix]
    # A Dataset with the union as its default graph: JSON-LD may put a catalogue into a
    # named graph (an "@graph" with an "@id"), and its records count as well.
    graph = Dataset(default_union=True)
    if fmt != "json-ld":
        graph.parse(path, format=fmt)
        return graph
    document = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(document, dict) and "@context" in document:
        document["@context"] = _offline_context(document["@context"])
    graph.parse(data=json.dumps(document), format="json-ld")
    return graph


def count_rdf(path: Path) -> int:
    graph = rdf_graph(path)
    return len({s for cls in RECORD_CLASSES for s in graph.subjects(RDF.type, cls)})


def graph_without_bad_lines(path: Path) -> tuple[Dataset, list[int]] | None:
    """rdflib's graph once the lines it cannot read are left out (Turtle, N-Triples), and
    those lines; None for another format or when leaving out 10 lines is not enough."""
    fmt = RDF_FORMATS[path.suffix]
    if fmt not in ("turtle", "nt"):
        return None
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped: list[int] = []
    for _ in range(10):
        graph = Dataset(default_union=True)
        kept = [number for number in range(1, len(lines) + 1) if number not in dropped]
        try:
            graph.parse(data="".join(lines[number - 1] for number in kept), format=fmt)
        except Exception as exc:
            found = re.search(r"at line (\d+)", str(exc))
            if not found:
                return None
            # The line number is in the text without the dropped lines: map it back.
            dropped.append(kept[int(found.group(1)) - 1])
            continue
        return graph, sorted(dropped)
    return None


def count_without_bad_lines(path: Path) -> dict[str, Any] | None:
    found = graph_without_bad_lines(path)
    if found is None:
        return None
    graph, lines = found
    records = {s for cls in RECORD_CLASSES for s in graph.subjects(RDF.type, cls)}
    return {"lines": lines, "records": len(records)}


def count_ckan(path: Path) -> tuple[str, int]:
    document = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(document, list):
        return "ckan-package", len(document)
    if "result" in document:
        result = document["result"]
        if isinstance(result, dict) and "results" in result:
            return "ckan-search", len(result["results"])
        return "ckan-package", 1
    return "ckan-package", 1


def _xml(path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.parse(str(path), parser).getroot()


def count_iso(path: Path) -> int:
    root = _xml(path)
    found = root.iter(f"{{{GMD}}}MD_Metadata", f"{{{GMI}}}MI_Metadata")
    return sum(1 for _ in found)


def count_oai(path: Path) -> int:
    root = _xml(path)
    return sum(
        1
        for record in root.iter(f"{{{OAI}}}record")
        if record.find(f"{{{OAI}}}header") is not None
        and record.find(f"{{{OAI}}}header").get("status") != "deleted"
    )


def entry(kind: str, path: Path) -> dict[str, Any]:
    """The file's kind, format and record count; ``records`` is None when the file does not
    parse, with the parser's message under ``unparsable``."""
    try:
        return _entry(kind, path)
    except Exception as exc:  # an upstream file that is broken is kept, and said to be
        fmt = MANIFEST_FORMATS.get(RDF_FORMATS.get(path.suffix, ""), kind)
        # The parser names the file by its path on this machine: keep only the corpus path.
        message = " ".join(str(exc).split()).replace(path.resolve().as_uri(), path.name)
        message = message.replace(str(path.resolve()), path.name)[:300]
        found = {"kind": kind, "format": fmt, "records": None, "unparsable": message}
        if kind in ("dcat", "schemaorg") and (rest := count_without_bad_lines(path)):
            found["without_lines"] = rest
        return found


def _entry(kind: str, path: Path) -> dict[str, Any]:
    if kind in ("dcat", "schemaorg"):
        return {
            "kind": kind,
            "format": MANIFEST_FORMATS[RDF_FORMATS[path.suffix]],
            "records": count_rdf(path),
        }
    if kind == "ckan":
        fmt, records = count_ckan(path)
        return {"kind": kind, "format": fmt, "records": records}
    if kind == "iso19139":
        return {"kind": kind, "format": "iso19139", "records": count_iso(path)}
    return {"kind": kind, "format": "oaipmh", "records": count_oai(path)}


def manifest() -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        for path in sorted((CORPUS / kind).glob("*")):
            if path.is_file():
                files[f"{kind}/{path.name}"] = entry(kind, path)
    return files


def main() -> None:
    text = json.dumps(manifest(), indent=2, ensure_ascii=False) + "\n"
    (CORPUS / "manifest.json").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
