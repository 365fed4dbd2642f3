"""A stored record as people read it: every DCAT-AP-SE field in plain Swedish words.

``record_view`` builds what the record page shows (sections of labelled values, the
distributions, the governance panel, provenance); ``public_data`` is the record's data
for the JSON API, with private individuals masked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from insyn.catalogue.models import CatalogueRecord, HarvestRun
from insyn.catalogue.store import Catalogue
from insyn.vocab import masking, quality
from insyn.vocab.masking import PRIVATE_INDIVIDUAL
from insyn.vocab.model import (
    Agent,
    Case,
    ContactPoint,
    DataService,
    Dataset,
    Distribution,
    Document,
    PeriodOfTime,
    Record,
    text_in,
)
from insyn.web import present
from insyn.web.access import Principal
from insyn.web.queries import ids_for_uris

MASKED_NAME = PRIVATE_INDIVIDUAL
AVAILABILITY = {
    "AVAILABLE": "Tillgänglig",
    "EXPERIMENTAL": "Experimentell",
    "STABLE": "Stabil",
    "TEMPORARY": "Tillfällig",
}
DIRECTIONS = {"incoming": "Inkommande", "outgoing": "Utgående", "drawn-up": "Upprättad"}


@dataclass
class Value:
    """One value: text, optionally a link (only safe schemes), optionally a language."""

    text: str
    href: str | None = None
    external: bool = True


@dataclass
class Row:
    label: str
    values: list[Value]


@dataclass
class DistributionView:
    title: str
    description: str
    format: str
    access_url: str | None
    download_url: str | None
    rows: list[Row]
    summary: list[str] = field(default_factory=list)


@dataclass
class Dimension:
    label: str
    points: float
    max_points: int

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.max_points) if self.max_points else 0

    @property
    def bar(self) -> int:
        """The percentage to the nearest ten (the CSS has a width class per ten)."""
        return min(100, 10 * round(self.percent / 10))


@dataclass
class QualityView:
    """A dataset's metadata quality (data.europa.eu MQA) as the record page shows it."""

    points: float
    max_points: int
    rating: str
    rating_label: str
    dimensions: list[Dimension]
    improvements: list[tuple[str, float]]  # advice, points it would add
    assumed: bool  # link reachability assumed, not probed

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.max_points)


def quality_view(row: CatalogueRecord, top: int = 3) -> QualityView | None:
    """Score a dataset from its public data only (None for other kinds or hidden records).

    The score is computed from what the public may see (``masking.public_data``), so it
    can never reveal a field the page does not show.
    """
    if row.kind != "dataset":
        return None
    data = masking.public_data(row.data)
    score = quality.score_data(data) if data is not None else None
    if score is None:
        return None
    return QualityView(
        points=score.points,
        max_points=quality.MAX_POINTS,
        rating=score.rating,
        rating_label=score.rating_label,
        dimensions=[
            Dimension(quality.DIMENSION_LABELS[name], score.dimensions[name], top_points)
            for name, top_points in quality.DIMENSIONS.items()
        ],
        improvements=[(item.advice, item.points) for item in score.missing[:top]],
        assumed=bool(score.assumed),
    )


@dataclass
class RecordView:
    id: str
    kind: str
    kind_label: str
    kind_definite: str
    title: str
    title_en: str
    description: list[str]
    keywords: list[str]
    themes: list[Value]
    publisher: Value | None
    facts: list[Row]
    distributions: list[DistributionView]
    governance: list[Row]
    provenance: list[Row]
    extras: list[Row] = field(default_factory=list)
    quality: QualityView | None = None
    secrecy: str | None = None  # the OSL provision the record is marked with
    non_public: bool = False


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _link(uri: str | None, text: str | None = None) -> Value:
    return Value(text or uri or "", present.safe_url(uri))


def _links(uris: list[str]) -> list[Value]:
    return [_link(uri) for uri in uris if uri]


def _labelled(vocabulary: str, uris: list[str | None]) -> list[Value]:
    values = []
    for uri in uris:
        if uri:
            values.append(Value(_capital(present.label(vocabulary, uri)), None))
    return values


def _plain(*texts: str | None) -> list[Value]:
    return [Value(t) for t in texts if t]


def _rows(*rows: tuple[str, list[Value]]) -> list[Row]:
    return [Row(label, values) for label, values in rows if values]


def _period(period: PeriodOfTime) -> Value:
    start = present.swedish_date(period.start) if period.start else ""
    end = present.swedish_date(period.end) if period.end else ""
    return Value(f"{start} – {end}".strip())


def _contact(contact: ContactPoint) -> list[Value]:
    values = _plain(text_in(contact.name))
    if contact.email:
        email = contact.email.removeprefix("mailto:")
        values.append(Value(email, present.safe_url(f"mailto:{email}")))
    if contact.telephone:
        values.append(Value(contact.telephone))
    if contact.url:
        values.append(_link(contact.url))
    address = ", ".join(
        p
        for p in (
            contact.street_address,
            " ".join(p for p in (contact.postal_code, contact.locality) if p),
            contact.country,
        )
        if p
    )
    values += _plain(address)
    return values


def _agent(agent: Agent | None) -> list[Value]:
    if agent is None:
        return []
    return [_link(agent.homepage or agent.uri, text_in(agent.name) or agent.uri)]


def _internal(uris: list[str], internal: dict[str, str]) -> list[Value]:
    """Link URIs to Insyn's own pages where the catalogue holds a visible record."""
    values = []
    for uri in uris:
        if uri in internal:
            values.append(Value(uri, f"/datasets/{internal[uri]}", external=False))
        else:
            values.append(_link(uri))
    return values


def _distribution(distribution: Distribution, internal: dict[str, str]) -> DistributionView:
    availability = (distribution.availability or "").rstrip("/").rsplit("/", 1)[-1]
    fmt = present.format_label(distribution.format or distribution.media_type)
    rows = _rows(
        ("Format", _plain(fmt)),
        ("Medietyp", _plain(present.media_type_label(distribution.media_type))),
        (
            "Licens",
            [_link(distribution.license, present.label("licences", distribution.license))]
            if distribution.license
            else [],
        ),
        ("Åtkomst", _labelled("access_rights", [distribution.access_rights])),
        ("Storlek", _plain(present.byte_size(distribution.byte_size))),
        (
            "Utgiven",
            _plain(present.swedish_date(distribution.issued) if distribution.issued else None),
        ),
        (
            "Senast ändrad",
            _plain(present.swedish_date(distribution.modified) if distribution.modified else None),
        ),
        ("Språk", _labelled("languages", list(distribution.language))),
        ("Tillgänglighet", _plain(AVAILABILITY.get(availability, availability))),
        ("Status", _plain(distribution.status.rsplit("/", 1)[-1] if distribution.status else None)),
        ("Följer standard", _links(distribution.conforms_to)),
        ("Dokumentation", _links(distribution.page)),
        ("Åtkomsttjänst", _internal(distribution.access_service, internal)),
        ("Kontrollsumma (SHA-1)", _plain(distribution.checksum)),
    )
    title = text_in(distribution.title) or (f"{fmt}-fil" if fmt else "Distribution")
    return DistributionView(
        title=title,
        description=text_in(distribution.description),
        format=fmt,
        access_url=present.safe_url(distribution.access_url or distribution.download_url),
        download_url=present.safe_url(distribution.download_url),
        rows=rows,
        summary=[
            text
            for text in (
                present.label("licences", distribution.license) if distribution.license else "",
                present.byte_size(distribution.byte_size),
            )
            if text
        ],
    )


def _facts(record: Record, internal: dict[str, str]) -> list[Row]:
    rows: list[tuple[str, list[Value]]] = [
        ("Utgivare", _agent(record.publisher)),
        ("Kontakt", [v for c in record.contact_point for v in _contact(c)]),
        ("Utgiven", _plain(present.swedish_date(record.issued) if record.issued else None)),
        (
            "Senast ändrad",
            _plain(present.swedish_date(record.modified) if record.modified else None),
        ),
        ("Webbsida", _links(record.landing_page)),
    ]
    if isinstance(record, Dataset):
        rows += [
            ("Uppdateras", _labelled("frequencies", [record.accrual_periodicity])),
            ("Tidsperiod", [_period(p) for p in record.temporal]),
            ("Geografiskt område", _links(record.spatial)),
            ("Språk", _labelled("languages", list(record.language))),
            ("Identifierare", _plain(*record.identifier)),
            ("Version", _plain(record.version)),
            ("Om versionen", _plain(text_in(record.version_notes))),
            ("Följer standard", _links(record.conforms_to)),
            ("Skapad av", [v for a in record.creator for v in _agent(a)]),
            ("Tillkomst", _plain(text_in(record.provenance))),
            ("Härledd från", _links(record.source)),
            ("Relaterade resurser", _links(record.relation)),
            ("Dokumentation", _links(record.page)),
            ("Kategori för värdefulla datamängder", _links(record.hvd_category)),
            ("Tillämplig lagstiftning", _links(record.applicable_legislation)),
            ("Ingår i serie", _links(record.in_series)),
        ]
    elif isinstance(record, DataService):
        rows += [
            ("Ändpunkt", _links(record.endpoint_url)),
            ("Beskrivning av ändpunkten", _links(record.endpoint_description)),
            ("Tillhandahåller datamängder", _internal(record.serves_dataset, internal)),
            ("Följer standard", _links(record.conforms_to)),
            ("Format", _plain(*(present.format_label(f) for f in record.format))),
            (
                "Licens",
                [_link(record.license, present.label("licences", record.license))]
                if record.license
                else [],
            ),
        ]
    elif isinstance(record, Case):
        rows += [
            ("Diarienummer", _plain(record.diarienummer)),
            ("Status", _plain(record.status)),
            ("Öppnat", _plain(present.swedish_date(record.opened) if record.opened else None)),
            ("Avslutat", _plain(present.swedish_date(record.closed) if record.closed else None)),
            ("Ansvarig enhet", _plain(record.responsible_unit)),
            ("Parter", _plain(*(_party(p.name, p.is_private_individual) for p in record.parties))),
        ]
    elif isinstance(record, Document):
        rows += [
            ("Ärendets diarienummer", _plain(record.case_diarienummer)),
            ("Handlingsnummer", _plain(record.document_number)),
            ("Datum", _plain(present.swedish_date(record.date) if record.date else None)),
            ("Riktning", _plain(DIRECTIONS.get(record.direction or "", record.direction))),
            ("Handlingstyp", _plain(record.document_type)),
            ("Parter", _plain(*(_party(p.name, p.is_private_individual) for p in record.parties))),
            ("Bilagor", _plain(*(a.name for a in record.attachments))),
        ]
    return _rows(*rows)


def _party(name: str, private: bool) -> str:
    return MASKED_NAME if private else name


def _governance(row: CatalogueRecord, record: Record, staff: bool) -> list[Row]:
    """The governance panel: what the public needs (who may use the data, secrecy,
    personal data, owner, retention); staff also see K/R/T and the process code."""
    governance = record.governance
    retention = governance.retention
    retention_text = None
    if retention is not None:
        retention_text = _capital(retention.action)
        if retention.period:
            retention_text += f" ({retention.period})"
    owner = row.owner.name_sv if row.owner else governance.information_owner
    public = _rows(
        ("Åtkomsträttigheter", _labelled("access_rights", [governance.access_rights])),
        ("Sekretess", _plain(governance.secrecy_provision or "Ingen sekretessbestämmelse angiven")),
        ("Innehåller personuppgifter", _plain(present.yes_no(governance.contains_personal_data))),
        ("Kategorier av personuppgifter", _plain(*governance.personal_data_categories)),
        ("Informationsägare", _plain(owner)),
        ("Bevarande och gallring", _plain(retention_text or "Ej angivet")),
    )
    if not staff:
        return public
    return public + _rows(
        ("Processkod (klassificeringsstruktur)", _plain(governance.process_code)),
        ("Konfidentialitet (K)", _plain(present.level_text(governance.confidentiality))),
        ("Riktighet (R)", _plain(present.level_text(governance.integrity))),
        ("Tillgänglighet (T)", _plain(present.level_text(governance.availability))),
    )


def _provenance(row: CatalogueRecord, run: HarvestRun | None) -> list[Row]:
    harvested = run.finished_at if run and run.finished_at else None
    return _rows(
        ("Källa", _plain(f"{row.source.name} ({row.source.kind})" if row.source else None)),
        ("Först inhämtad", _plain(present.swedish_datetime(row.first_seen))),
        ("Senast ändrad i katalogen", _plain(present.swedish_datetime(row.last_changed))),
        ("Senast skördad", _plain(present.swedish_datetime(harvested) if harvested else "Okänt")),
        ("Identifierare i källan", [_link(row.source_key)] if row.source_key else []),
    )


def record_view(
    catalogue: Catalogue, principal: Principal, row: CatalogueRecord, record: Record
) -> RecordView:
    """Return what the record page shows of a record ``principal`` may see."""
    linked: list[str] = []
    if isinstance(record, Dataset):
        linked = [s for d in record.distributions for s in d.access_service]
    elif isinstance(record, DataService):
        linked = list(record.serves_dataset)
    internal = ids_for_uris(catalogue, principal, linked)
    run = catalogue.last_completed_run(row.source_id) if row.source_id else None
    keywords = [k for lang in ("sv", "", "en") for k in record.keyword.get(lang, [])]
    keywords += [
        k for lang, ks in record.keyword.items() if lang not in ("sv", "", "en") for k in ks
    ]
    description = text_in(record.description)
    return RecordView(
        id=row.id,
        kind=record.kind,
        kind_label=present.KIND_LABELS.get(record.kind, record.kind),
        kind_definite=present.KIND_DEFINITE.get(record.kind, "posten"),
        title=text_in(record.title) or row.title,
        title_en=record.title.get("en", "") if record.title.get("sv") else "",
        description=[p.strip() for p in description.split("\n") if p.strip()],
        keywords=list(dict.fromkeys(keywords)),
        themes=[Value(present.label("data_themes", t), None) for t in record.theme],
        publisher=_agent(record.publisher)[0] if record.publisher else None,
        facts=_facts(record, internal),
        distributions=[_distribution(d, internal) for d in getattr(record, "distributions", [])],
        governance=_governance(row, record, principal.signed_in),
        provenance=_provenance(row, run),
        extras=[
            Row(key[:1].upper() + key[1:], _plain(*values))
            for key, values in sorted(record.extras.items())
            if values
        ],
        quality=quality_view(row, top=3 if principal.signed_in else 0),
        secrecy=record.governance.secrecy_provision,
        non_public=not record.governance.is_public,
    )


def public_data(record_data: dict[str, Any]) -> dict[str, Any]:
    """Return a record's stored data for public views: private individuals masked.

    Names of private individuals become "Enskild" and no party's identifier
    (personnummer, organisationsnummer) is ever shown.
    """
    data = copy.deepcopy(record_data)
    for party in data.get("parties") or []:
        if party.get("is_private_individual"):
            party["name"] = MASKED_NAME
        party["identifier"] = None
    return data
