"""FGS Ärendehantering connector: a diarium exported as E-ARK CITS ERMS XML.

FGS Ärendehantering 2.0 is the E-ARK CITS ERMS specification (schema 3, namespace
https://DILCIS.eu/XML/ERMS; 2.1.2 uses the same namespace). An export holds one
``<control>`` (who delivered it) and ``<aggregations>`` of case files, each with its
registered documents as ``<record>`` children (or, rarely, ``<records>`` alone).

The file is streamed with lxml ``iterparse`` (entities not resolved, no network, the
prolog checked by ``safexml.check_xml`` first) and every case is cleared from memory as
soon as it is mapped: memory is bounded by the largest single case file, never by the
export. Validation is streaming too: each case (control + that one aggregation) is
checked against the bundled XSD and Schematron rules, so errors name the line in the
original file. A violation is a warning on the record it sits in (``on_invalid=warn``,
the default) or makes that record a failure (``on_invalid=skip``); the rest of the export
is harvested either way. A file that is not well-formed fails the run: nothing stored is
lost.

Options: ``OPTIONS`` below (``schematron=svk`` is Svenska kyrkan's ERMS-SVK-ARENDE profile;
``diarium`` defaults to urn:insyn:diarium:<arkivbildare or file name>, ``name`` to
"Diarium – <arkivbildare>").

The mapping is in ``insyn.vocab.profiles.erms_read``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lxml import etree

from insyn.connectors.base import Cursor, Done, Failure, Item, RecordGuard, Yielded
from insyn.connectors.options import Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab.model import Case
from insyn.vocab.profiles import erms_read
from insyn.vocab.profiles.erms_read import Context, Mapped, Violation
from insyn.vocab.safexml import MAX_PROLOG_BYTES, check_xml

KIND = "fgs"

OPTIONS = (
    Option("validate", "bool", True, "Kontrollera mot FGS-schemat och Schematron."),
    Option(
        "schema",
        "choice",
        "v3",
        "Schemaversion: v3 (FGS 2.0), v2 (ERMS 2.1.2), auto (första ärendet avgör).",
        choices=("v3", "v2", "auto"),
    ),
    Option(
        "schematron",
        "choice",
        "erms",
        "Schematron-regler: erms, svk (ERMS-SVK-ARENDE) eller none.",
        choices=("erms", "svk", "none"),
    ),
    Option(
        "on_invalid",
        "choice",
        "warn",
        "Post som bryter mot schemat: warn (varning) eller skip (hoppas över).",
        choices=("warn", "skip"),
    ),
    Option("diarium", "str", None, "Registrets URI."),
    Option("name", "str", None, "Registrets namn."),
    Option("owner", "str", None, "Informationsägare för registrets poster."),
)


@dataclass
class Config:
    path: Path
    validate: bool = True
    schema: str = "v3"
    schematron: str = "erms"
    on_invalid: str = "warn"
    diarium: str | None = None
    name: str | None = None
    owner: str | None = None

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        values = parse(KIND, OPTIONS, options)
        if not url:
            raise ConfigError("En FGS-källa behöver --url (sökvägen till XML-filen)")
        parsed = urlparse(url)
        if parsed.scheme not in ("", "file"):
            raise ConfigError(
                "FGS-källan läser en fil; hämta exporten först och ange sökvägen som --url"
            )
        return cls(
            path=Path(parsed.path if url.startswith("file:") else url),
            validate=values["validate"],
            schema=values["schema"],
            schematron=values["schematron"],
            on_invalid=values["on_invalid"],
            diarium=values["diarium"] or None,
            name=values["name"] or None,
            owner=values["owner"] or None,
        )


def _root_namespace(head: bytes, path: Path) -> str:
    """The namespace of the root element, read from the head of the file."""
    try:
        for _, element in etree.iterparse(
            io.BytesIO(head),
            events=("start",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
        ):
            return etree.QName(element).namespace or ""
    except etree.XMLSyntaxError as exc:
        raise ConnectorError(f"{path} är inte välformad XML: {exc.msg}") from exc
    raise ConnectorError(f"{path} innehåller inget XML-element")


class _Export:
    """The state of one streamed export."""

    def __init__(self, config: Config, namespace: str) -> None:
        self.config = config
        self.reader = erms_read.reader(namespace)
        self.ns = "{" + namespace + "}"
        validating = config.validate and namespace == erms_read.ERMS_NS
        self.validator = (
            erms_read.ErmsValidator(config.schema, config.schematron) if validating else None
        )
        self.control: etree._Element | None = None
        self.context: Context | None = None
        self.register: Mapped | None = None  # yielded with the first unit's control findings
        self.reported: set[tuple[int | None, str]] = set()

    def on_control(self, control: etree._Element) -> None:
        self.control = control
        dataset, self.context = erms_read.register_with_context(
            self.reader.register(control),
            file_stem=self.config.path.stem,
            uri=self.config.diarium,
            title=self.config.name,
            owner=self.config.owner,
        )
        self.register = Mapped(dataset)

    def _context(self) -> Context:
        if self.context is None:
            raise ConnectorError(
                "Exporten saknar <control> före ärendena; filen följer inte FGS/ERMS"
            )
        return self.context

    def unit(self, element: etree._Element, container: str) -> Iterator[Yielded]:
        """Map and validate one aggregation (with its records) or one lone record."""
        context = self._context()
        violations = self._validate(element, container)
        if self.register is not None:
            # Findings in <control> go with the register, reported once.
            start = element.sourceline or 0
            self.register.warnings += [str(v) for v in violations if (v.line or 0) < start]
            yield Item("diarium", self.register.record, self.register.warnings)
            self.register = None
        violations = [v for v in violations if (v.line or 0) >= (element.sourceline or 0)]
        if container == "records":
            yield from self._emit(element, None, context, violations)
            return
        records = self.reader.children(element, "record")
        mapped_case: Mapped | None = None
        aggregation_type = element.get("aggregationType")
        if aggregation_type == "caseFile" or records:
            first_record = records[0].sourceline if records else None
            own = [v for v in violations if first_record is None or (v.line or 0) < first_record]
            mapped_case, failed = self._mapped(element, lambda: self.reader.case(element, context))
            if failed is not None:
                yield failed
                mapped_case = None
            else:
                assert mapped_case is not None
                yield from self._judged(self._key(element, "arende"), mapped_case, element, own)
        case = mapped_case.record if mapped_case is not None else None
        for index, record in enumerate(records):
            start = record.sourceline or 0
            end = records[index + 1].sourceline if index + 1 < len(records) else None
            own = [
                v
                for v in violations
                if (v.line or 0) >= start and (end is None or (v.line or 0) < end)
            ]
            yield from self._emit(record, case if isinstance(case, Case) else None, context, own)

    def _emit(
        self, record: etree._Element, case: Case | None, context: Context, own: list[Violation]
    ) -> Iterator[Yielded]:
        mapped, failed = self._mapped(record, lambda: self.reader.document(record, case, context))
        if failed is not None:
            yield failed
            return
        assert mapped is not None
        yield from self._judged(self._key(record, "handling"), mapped, record, own)

    def _mapped(self, element: etree._Element, read) -> tuple[Mapped | None, Failure | None]:
        name = etree.QName(element).localname
        key = self._key(element, "arende" if name == "aggregation" else "handling")
        mapped = None
        with RecordGuard(key, field=name, what=f"Rad {element.sourceline}: posten") as guard:
            mapped = read()
        return mapped, guard.failure

    def _judged(
        self, key: str, mapped: Mapped, element: etree._Element, own: list[Violation]
    ) -> Iterator[Yielded]:
        fresh = []
        for violation in own:
            marker = (violation.line, violation.message)
            if marker not in self.reported:
                self.reported.add(marker)
                fresh.append(violation)
        if own and self.config.on_invalid == "skip":
            yield Failure(
                key,
                "Posten följer inte schemat och hoppades över: " + "; ".join(str(v) for v in own),
                own[0].element,
            )
            return
        yield Item(key, mapped.record, mapped.warnings + [str(v) for v in fresh])

    def _validate(self, element: etree._Element, container: str) -> list[Violation]:
        if self.validator is None:
            return []
        return self.validator.check(self.control, element, container)

    @staticmethod
    def _key(element: etree._Element, kind: str) -> str:
        ident = element.get("systemIdentifier")
        if not ident:
            object_id = element.find("{*}objectId")
            ident = (object_id.text or "").strip() if object_id is not None else ""
        return f"{kind}:{ident or 'rad-' + str(element.sourceline)}"


def _release(element: etree._Element) -> None:
    """Free a mapped element: clear it and take it out of its parent (a finished node)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def records(config: Config) -> Iterator[Yielded]:
    """Yield the register, every case and every document of the export, streaming."""
    path = config.path
    with path.open("rb") as handle:
        head = handle.read(MAX_PROLOG_BYTES)
    check_xml(head, source=str(path))
    namespace = _root_namespace(head, path)
    if namespace not in erms_read.NAMESPACES:
        raise ConnectorError(
            f"{path} är ingen FGS/ERMS-export: rotelementet har namnrymden '{namespace}', "
            f"inte {erms_read.ERMS_NS}"
        )
    export = _Export(config, namespace)
    ns = export.ns
    events = etree.iterparse(
        str(path),
        events=("end",),
        tag=(ns + "control", ns + "aggregation", ns + "record"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for _, element in events:
            name = element.tag[len(ns) :]
            if name == "control":
                export.on_control(element)
                continue
            parent = element.getparent()
            parent_name = parent.tag[len(ns) :] if parent is not None else ""
            if name == "record":
                if parent_name != "records":
                    continue  # mapped with its aggregation
                yield from export.unit(element, "records")
            else:
                yield from export.unit(element, "aggregations")
            _release(element)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise ConnectorError(
            f"{path} är inte välformad XML på rad {line}, kolumn {column}: {exc.msg}. "
            "Inget från körningen sparades."
        ) from exc
    if export.context is None:
        raise ConnectorError(f"{path} saknar <control>; filen följer inte FGS/ERMS")
    if export.register is not None:  # an export without cases still describes its register
        yield Item("diarium", export.register.record, export.register.warnings)


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield the export's register, cases and documents; unchanged files are skipped."""
    path = config.path
    if not path.is_file():
        raise ConnectorError(f"Filen {path} finns inte")
    stat = path.stat()
    validators = {"etag": f"{stat.st_mtime_ns}-{stat.st_size}"}
    key = str(path)
    new_cursor = Cursor(http={key: validators})
    if cursor.http.get(key) == validators:
        yield Done(new_cursor, complete=False, not_modified=True)
        return
    yield from records(config)
    yield Done(new_cursor)
