"""FGS Ärendehantering connector: a diarium exported as E-ARK CITS ERMS XML.

FGS Ärendehantering 2.0 is the E-ARK CITS ERMS specification (schema 3, namespace
https://DILCIS.eu/XML/ERMS; 2.1.2 uses the same namespace). An export holds one
``<control>`` (who delivered it) and ``<aggregations>`` of case files, each with its
registered documents as ``<record>`` children (or, rarely, ``<records>`` alone).

The file is streamed through lxml's ``XMLPullParser`` (entities not resolved, no network,
the prolog checked by ``safexml.check_xml`` first), fed up to each case's end tag, and
every case is cleared from memory as soon as it is mapped: memory is bounded by the
largest single case file, never by the export. Validation is streaming too: each case
(control + that one aggregation) is checked against the bundled XSD and Schematron
rules, so errors name the line in the original file. A violation is a warning on the
record it sits in (``on_invalid=warn``, the default) or makes that record a failure
(``on_invalid=skip``); the rest of the export is harvested either way. A file that is
not well-formed fails the run: nothing stored is lost.

Unchanged cases are not validated or mapped again: every case file (with its documents)
has a source digest, a hash of the file's own bytes that hold it (or, where they cannot
be told apart, of its serialised element) salted with the mapping version, the options,
``<control>`` and the encoding. A case whose every record the engine has stored with
that digest (``Config.stored_digest``, which the engine sets) is yielded as unchanged,
unread; where its keys can be read from its bytes, it is not even parsed (``fgs_stream``).
Only records that had nothing to report carry the digest: a record with a warning, or
one that failed (``on_invalid=skip``, a mapping error), is never stored with it, so its
case is validated and mapped again in every run and reports the same finding each time.

Options: ``OPTIONS`` below (``schematron=svk`` is Svenska kyrkan's ERMS-SVK-ARENDE profile;
``diarium`` defaults to urn:insyn:diarium:<arkivbildare or file name>, ``name`` to
"Diarium – <arkivbildare>").

The mapping is in ``insyn.vocab.profiles.erms_read``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lxml import etree

from insyn import __version__
from insyn.connectors.base import Cursor, Done, Failure, Item, LazyItem, RecordGuard, Yielded
from insyn.connectors.fgs_stream import SYSTEM_ID, plain_keys, stream
from insyn.connectors.options import Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab.model import Case, Record
from insyn.vocab.profiles import erms_read
from insyn.vocab.profiles.erms_read import Context, Mapped, Violation
from insyn.vocab.safexml import MAX_PROLOG_BYTES, check_xml

KIND = "fgs"
# Part of every digest: a new mapping (or a new Insyn) reads every case again.
MAPPING_VERSION = f"fgs-{erms_read.MAPPING_VERSION}-insyn-{__version__}"

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
    # Set by the engine: the source digest a key's live record is stored with, if any.
    stored_digest: Callable[[str], str | None] | None = None

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
        self.salt: hashlib._Hash | None = None  # the digest of everything but the case
        self.digest: str | None = None  # the current unit's
        self.control_text = b""  # <control> serialised, for the digests and the rules
        # The namespaces in scope in the <aggregations> the last case sat in, and that
        # element: part of a digest of a case's own bytes, which do not declare them.
        self.scope = b""
        self.scope_of: etree._Element | None = None

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
        config = self.config
        self.salt = hashlib.blake2b(digest_size=16)
        settings = (MAPPING_VERSION, config.validate, config.schema, config.schematron)
        more = (config.on_invalid, config.diarium, config.name, config.owner, config.path.stem)
        self.salt.update(repr(settings + more).encode())
        self.control_text = etree.tostring(control, with_tail=False)
        self.salt.update(self.control_text)
        # The same bytes mean other characters in another encoding.
        self.salt.update(repr(control.getroottree().docinfo.encoding).encode())

    def _context(self) -> Context:
        if self.context is None:
            raise ConnectorError(
                "Exporten saknar <control> före ärendena; filen följer inte FGS/ERMS"
            )
        return self.context

    def unit(
        self, element: etree._Element, container: str, raw: bytes | None = None
    ) -> Iterator[Yielded]:
        """Map and validate one aggregation (with its records) or one lone record; or,
        when the engine has stored all of them with this unit's digest, only name them.

        ``raw``, when the reader has it (``fgs_stream``), is the digest of the file's own
        bytes that hold the whole unit: then the unit is not serialised to be compared."""
        context = self._context()
        assert self.salt is not None  # set with the context
        digest = self.salt.copy()
        text: bytes | None = None
        if raw is not None:
            parent = element.getparent()
            assert parent is not None  # ``raw`` comes for a case in <aggregations> only
            if parent is not self.scope_of:
                names = sorted((prefix or "", uri) for prefix, uri in parent.nsmap.items())
                self.scope, self.scope_of = repr(names).encode(), parent
            self.digest = self.raw_digest(raw)
        else:
            text = etree.tostring(element, with_tail=False)
            digest.update(text)
            self.digest = digest.hexdigest()
        # The first unit is always read: it also carries the findings in <control>.
        if self.register is None and self.config.stored_digest is not None:
            keys = self._keys(element, container)
            stored = self.config.stored_digest
            if all(stored(key) == self.digest for key in keys):
                for key in keys:
                    yield LazyItem(key, self.digest, _not_read)
                return
        if text is None and self.validator is not None:
            text = etree.tostring(element, with_tail=False)
        violations = self._validate(element, container, text or b"")
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

    def raw_digest(self, raw: bytes) -> str:
        """A case's digest from the digest of its own bytes (``fgs_stream``). The marker keeps
        it apart from a serialised case's: a case digested the other way is read again."""
        assert self.salt is not None  # set with the context
        digest = self.salt.copy()
        digest.update(b"\0raw\0" + self.scope + raw)
        return digest.hexdigest()

    def unread(self, piece: bytes, raw: hashlib._Hash) -> list[str] | None:
        """The keys of the case file in ``piece`` (bytes that follow the end of a case in
        <aggregations> and end with another's end tag) when the engine holds every one of
        them with its digest: then that case is neither parsed, validated nor mapped.

        ``raw`` is the digest of the bytes before ``piece`` since that case ended. Keys
        are read from the bytes only where they cannot be misread: one aggregation start
        tag, then records, each with one plain ``systemIdentifier``; else None, and the
        case is parsed. A start tag in a comment or CDATA only adds a key that cannot be
        stored with this digest (none was read from these bytes), so the case is parsed.
        """
        stored = self.config.stored_digest
        if stored is None or self.register is not None or self.scope_of is None:
            return None
        # The first key alone first: in a first harvest no case is stored, and reading
        # every key of every case would cost a tenth of the connector's time for nothing.
        first = SYSTEM_ID.search(piece)
        if first is None or stored("arende:" + (first[1] or first[2]).decode("ascii")) is None:
            return None
        keys = plain_keys(piece)
        if keys is None:
            return None
        whole = raw.copy()
        whole.update(piece)
        digest = self.raw_digest(whole.digest())
        if not all(stored(key) == digest for key in keys):
            return None
        self.digest = digest
        return keys

    def _keys(self, element: etree._Element, container: str) -> list[str]:
        """The keys of the records ``unit`` yields for this element."""
        if container == "records":
            return [self._key(element, "handling")]
        records = self.reader.children(element, "record")
        keys = [self._key(record, "handling") for record in records]
        if element.get("aggregationType") == "caseFile" or records:
            keys.insert(0, self._key(element, "arende"))
        return keys

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
        warnings = mapped.warnings + [str(v) for v in fresh]
        # Only a record with nothing to report is skipped when unchanged: one with warnings
        # is read again, so every run reports them.
        yield Item(key, mapped.record, warnings, None if warnings or own else self.digest)

    def _validate(self, element: etree._Element, container: str, text: bytes) -> list[Violation]:
        if self.validator is None:
            return []
        return self.validator.check(self.control, element, container, self.control_text + text)

    @staticmethod
    def _key(element: etree._Element, kind: str) -> str:
        ident = element.get("systemIdentifier")
        if not ident:
            object_id = element.find("{*}objectId")
            ident = (object_id.text or "").strip() if object_id is not None else ""
        return f"{kind}:{ident or 'rad-' + str(element.sourceline)}"


def _not_read() -> tuple[Record, list[str]]:
    # Yielded only for records the engine holds with this very digest, which it skips
    # without mapping them; were it ever asked, that record fails rather than be guessed.
    raise ConnectorError("Ärendet är oförändrat och lästes inte om")


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
    control, record, lone = ns + "control", ns + "record", ns + "records"
    try:
        for element, raw in stream(path, ns, export.unread):
            if isinstance(raw, list):  # a case stored unchanged, not parsed (``unread``)
                digest = export.digest or ""
                for key in raw:
                    yield LazyItem(key, digest, _not_read)
                continue
            assert element is not None
            tag = element.tag
            if tag == record:
                parent = element.getparent()
                if parent is None or parent.tag != lone:
                    continue  # mapped with its aggregation
                yield from export.unit(element, "records")
            elif tag == control:
                export.on_control(element)
                continue
            else:
                yield from export.unit(element, "aggregations", raw)
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
