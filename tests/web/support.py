"""Catalogues, indexes and servers for the web tests.

``build_demo`` harvests the bundled Exempelby catalogue with the engine into a fresh
catalogue (its eight secret-marked datasets the public sees masked), adds records that
must never be shown (internal descriptions: with non-public, restricted or public data, K3,
a data service, and a PUBLIC record that names an OSL provision; a tombstoned one), and
indexes everything with ``index_document`` into an embedded backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import FastAPI

from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.catalogue.visibility import of_row
from insyn.harvester.engine import harvest_source
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.documents import index_document
from insyn.search.indexer import Indexer
from insyn.settings import Settings, load_settings
from insyn.vocab.model import from_dict
from insyn.vocab.visibility import Visibility
from insyn.web.access import ANONYMOUS, may_see
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from tests.support.catalogues import PREFIXES

DEMO_FILE = Path(str(resources.files("insyn.demo").joinpath("data", "exempelby-katalog.ttl")))

CONTRADICTORY = "https://data.exempelby.se/dataset/motsagelsefull"
TOMBSTONED = "https://data.exempelby.se/dataset/borttagen"
KEPT = "https://data.exempelby.se/dataset/kvar"
ACCESS = "http://publications.europa.eu/resource/authority/access-right/"


def _extra_ttl(with_tombstoned: bool) -> str:
    body = f"""
<{CONTRADICTORY}> a dcat:Dataset ;
    dcterms:title "Hemligstämplad lönelista med felaktig märkning"@sv ;
    dcterms:description "Märkt som publik men med sekretessbestämmelse."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcterms:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    insyn:descriptionVisibility "internal" ;
    insyn:secrecyProvision "39 kap. 3 § OSL" .

<https://data.exempelby.se/dataset/internt-ej-offentlig> a dcat:Dataset ;
    dcterms:title "Fakturor mandolinfisk till leverantörer"@sv ;
    dcterms:description "Internt register, ej offentliga data."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcterms:accessRights <{ACCESS}NON_PUBLIC> ;
    insyn:descriptionVisibility "internal" .

<https://data.exempelby.se/dataset/internt-begransad> a dcat:Dataset ;
    dcterms:title "Behörighetslista koralltrumpet"@sv ;
    dcterms:description "Internt register med begränsad åtkomst."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcterms:accessRights <{ACCESS}RESTRICTED> ;
    insyn:descriptionVisibility "internal" .

<https://data.exempelby.se/dataset/internt-oppen> a dcat:Dataset ;
    dcterms:title "Arbetskopia sjöborrevalsen"@sv ;
    dcterms:description "Öppna data, men beskrivningen är intern."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcterms:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    insyn:descriptionVisibility "internal" .

<https://data.exempelby.se/dataset/internt-k3> a dcat:Dataset ;
    dcterms:title "Larmplan tranbärskorall"@sv ;
    dcterms:description "Intern och klassad K3."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcterms:accessRights <{ACCESS}NON_PUBLIC> ;
    insyn:confidentiality 3 ;
    insyn:descriptionVisibility "internal" .

<https://data.exempelby.se/api/internt> a dcat:DataService ;
    dcterms:title "Internt gränssnitt pilgrimsmussla"@sv ;
    dcterms:description "Ett API för verksamhetssystemet."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcat:endpointURL <https://intern.exempelby.se/api/pilgrimsmussla> ;
    dcterms:accessRights <{ACCESS}RESTRICTED> ;
    insyn:descriptionVisibility "internal" .

<{KEPT}> a dcat:Dataset ;
    dcterms:title "Parkbänkar i Exempelby"@sv ;
    dcterms:description "Alla parkbänkar."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcterms:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> .
"""
    if with_tombstoned:
        body += f"""
<{TOMBSTONED}> a dcat:Dataset ;
    dcterms:title "Avvecklade soptunnor zeppelinare"@sv ;
    dcterms:description "En datamängd som har tagits bort ur källan."@sv ;
    dcterms:publisher <https://data.exempelby.se/organisation/byggnadsnamnden> ;
    dcterms:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> .
"""
    return PREFIXES + body


def harvest_demo(catalogue: Catalogue, work: Path, *, extras: bool = True) -> None:
    """Harvest the demo catalogue (and the hidden extras) into ``catalogue``."""
    catalogue.add_source("exempelby", "dcat", str(DEMO_FILE), {})
    assert harvest_source(catalogue, "exempelby").status == "completed"
    if not extras:
        return
    extra = work / "extra.ttl"
    extra.write_text(_extra_ttl(True), encoding="utf-8")
    catalogue.add_source("extra", "dcat", str(extra), {})
    assert harvest_source(catalogue, "extra").status == "completed"
    extra.write_text(_extra_ttl(False), encoding="utf-8")
    summary = harvest_source(catalogue, "extra", allow_deletions=True, full=True)
    assert summary.status == "completed" and summary.deleted == 1


def documents(catalogue: Catalogue, *, include_deleted: bool = False) -> list[dict]:
    """Index documents of the stored records (live ones, as the indexer keeps them)."""
    out = []
    with catalogue.session() as session:
        for row in session.query(CatalogueRecord).all():
            if row.deleted_at is not None and not include_deleted:
                continue
            out.append(
                index_document(
                    row.id,
                    from_dict(row.data),
                    publisher_name=row.publisher.name_sv if row.publisher else None,
                    owner_name=row.owner.name_sv if row.owner else None,
                    source=row.source.name,
                )
            )
    return out


def index_catalogue(catalogue: Catalogue, backend: EmbeddedBackend) -> int:
    """Index every record as the indexer does, its position stored: no change is pending."""
    backend.ensure_index()
    return Indexer(catalogue, backend).rebuild().upserted


@dataclass
class Site:
    """A demo catalogue behind the web app (and, when started, a real server)."""

    settings: Settings
    catalogue: Catalogue
    backend: EmbeddedBackend
    app: FastAPI
    base_url: str = ""

    def hidden_rows(self) -> list[CatalogueRecord]:
        """Records the public must never see: internal descriptions or tombstoned."""
        with self.catalogue.session() as session:
            rows = session.query(CatalogueRecord).all()
        return [row for row in rows if not may_see(ANONYMOUS, row)]

    def visible_rows(self) -> list[CatalogueRecord]:
        with self.catalogue.session() as session:
            rows = session.query(CatalogueRecord).all()
        return [row for row in rows if may_see(ANONYMOUS, row)]

    def masked_rows(self) -> list[CatalogueRecord]:
        """Visible records the public sees masked (secret-marked, description public)."""
        return [row for row in self.visible_rows() if of_row(row) is Visibility.MASKED]


def make_site(
    work: Path,
    base_url: str,
    *,
    config: WebConfig | None = None,
    extras: bool = True,
    database_url: str | None = None,
) -> Site:
    settings = load_settings(home=work, base_url=base_url, database_url=database_url)
    catalogue = Catalogue(settings.catalogue_url)
    harvest_demo(catalogue, work, extras=extras)
    backend = EmbeddedBackend(work / "search")
    index_catalogue(catalogue, backend)
    app = create_app(
        settings,
        catalogue=catalogue,
        backend=backend,
        config=config or WebConfig(rate_limit_per_minute=0),
    )
    return Site(settings, catalogue, backend, app, base_url)


def csrf_of(page: str) -> str:
    """The CSRF token of the form on ``page``."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
