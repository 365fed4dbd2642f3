"""What SCB's name lists mask in titles and descriptions (``insyn.vocab.names``).

Reads the title and description texts of the real-world corpus (tests/data/corpus), the
demo diarium (insyn/demo/data), the ERMS samples in the shared data folder and the test
diaria (tests/connectors/data), and prints every "Förnamn Efternamn" pair the lists
mask, with its text, and the totals. Whether a hit is a person is judged by reading it:
the README's security section gives that judgement.

    .venv/bin/python bench/names_list.py [--shared /work/shared/data]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from rdflib import Literal

from insyn.vocab.names import listed_name_spans
from insyn.vocab.safexml import parse_xml

ROOT = Path(__file__).resolve().parents[1]
TEXT_KEYS = {"title", "notes", "description", "name", "abstract", "headline"}
XML_TEXT = {"title", "description", "abstract", "otherTitle", "alternateTitle", "purpose"}
RDF_TEXT = ("title", "description", "name", "abstract", "alternative")


def _xml(path: Path) -> Iterator[str]:
    for element in parse_xml(path.read_bytes(), source=str(path)).iter():
        if not isinstance(element.tag, str) or not element.text or not element.text.strip():
            continue
        names = {etree.QName(element).localname}
        parent = element.getparent()
        if parent is not None and isinstance(parent.tag, str):
            names.add(etree.QName(parent).localname)
        if names & XML_TEXT:
            yield element.text.strip()


def _json(value: object, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _json(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _json(item, key)
    elif isinstance(value, str) and key.split(":")[-1].lower() in TEXT_KEYS:
        yield value


def _rdf(path: Path) -> Iterator[str]:
    # The corpus's own reader (JSON-LD contexts offline).
    spec = importlib.util.spec_from_file_location(
        "corpus_count", ROOT / "tests/data/corpus/count.py"
    )
    assert spec and spec.loader
    count = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(count)
    try:
        graph = count.rdf_graph(path)
    except Exception:  # a file the corpus keeps broken on purpose: its readable lines
        partial = count.graph_without_bad_lines(path)
        if partial is None:
            return
        graph = partial[0]
    for _, predicate, obj, *_ in graph.quads():
        if (
            isinstance(obj, Literal)
            and str(predicate).rsplit("/", 1)[-1].rsplit("#", 1)[-1] in RDF_TEXT
        ):
            yield str(obj)


def texts(path: Path) -> Iterator[str]:
    suffix = path.suffix.lower()
    if suffix == ".xml":
        yield from _xml(path)
    elif suffix == ".json":
        yield from _json(json.loads(path.read_text(encoding="utf-8")))
    elif suffix in (".ttl", ".rdf", ".jsonld"):
        yield from _rdf(path)
    elif suffix == ".csv":
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                yield from (v for k, v in row.items() if k and "titel" in k.lower() and v)


def files(shared: Path) -> list[Path]:
    found = [p for p in sorted((ROOT / "tests/data/corpus").rglob("*")) if p.is_file()]
    found += sorted((ROOT / "insyn/demo/data").glob("*.xml"))
    found += sorted((ROOT / "tests/connectors/data").glob("*"))
    found += sorted((shared / "fgs-arendehantering").rglob("*.xml"))
    return [
        p for p in found if p.suffix.lower() in {".xml", ".json", ".ttl", ".rdf", ".jsonld", ".csv"}
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    shared = parser.parse_args().shared
    total_texts = total_hits = 0
    for path in files(shared):
        seen = set()
        for text in texts(path):
            if text in seen:
                continue
            seen.add(text)
            total_texts += 1
            for start, end in listed_name_spans(text):
                total_hits += 1
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                print(f"{where}: {text[start:end]!r} in {text[:160]!r}")
    print(f"{total_texts} distinct texts, {total_hits} pairs masked")


if __name__ == "__main__":
    main()
