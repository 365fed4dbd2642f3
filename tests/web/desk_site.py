"""A demo catalogue with a secret-marked diarium, for the registrar's desk tests.

``make_desk_site`` harvests the Exempelby demo catalogue, stores (as a harvest would:
rows and change log) two secret-marked cases with a document each and one public case
whose party is a private individual, indexes everything into an embedded backend and
builds the web app. Every secret string carries a unique canary, so a test can tell
whether a page shows it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry
from insyn.catalogue.store import Catalogue
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.settings import load_settings
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
    Agent,
    Case,
    Document,
    Governance,
    Party,
    Record,
    content_hash,
    text_in,
    to_dict,
)
from insyn.web.access import AccessPolicy
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from tests.web.support import Site, harvest_demo, index_catalogue

KS = Agent(uri="https://data.exempelby.se/organisation/kommunstyrelsen", name={"sv": "KS"})
PROVISION = "26 kap. 1 § OSL"
TOKEN = uuid.uuid4().hex[:8]
SECRET_PARTY = f"Kalle Hemligsson{TOKEN}"
SECRET_TITLE = f"Placering av barn {TOKEN}"
SECRET_DOCUMENT = f"Läkarintyg {TOKEN}"
BN_TITLE = f"Skyddat boende {TOKEN}"
PRIVATE_PARTY = f"Anna Privatperson{TOKEN}"
PUBLIC_TITLE = "Bygglov för nybyggnad av friggebod"
# record id -> record; ids are fixed so that tests can name them.
RECORDS: dict[str, Record] = {
    "case-ks-123": Case(
        uri="https://diarium.exempelby.se/arende/KS-2024-123",
        title={"sv": SECRET_TITLE},
        description={"sv": "Utredning enligt socialtjänstlagen."},
        publisher=KS,
        diarienummer="KS 2024/123",
        diarienummer_normalised="KS 2024/123",
        opened=date(2024, 5, 2),
        responsible_unit="Socialkontoret",
        parties=[Party(name=SECRET_PARTY, role="part", is_private_individual=True)],
        governance=Governance(access_rights=NON_PUBLIC, secrecy_provision=PROVISION),
    ),
    "doc-ks-123-1": Document(
        uri="https://diarium.exempelby.se/handling/KS-2024-123-1",
        title={"sv": SECRET_DOCUMENT},
        publisher=KS,
        case_diarienummer="KS 2024/123",
        document_number="1",
        date=date(2024, 5, 3),
        direction="incoming",
        document_type="Intyg",
        parties=[Party(name=SECRET_PARTY, role="avsändare", is_private_individual=True)],
        governance=Governance(access_rights=NON_PUBLIC, secrecy_provision=PROVISION),
    ),
    "case-bn-123": Case(
        uri="https://diarium.exempelby.se/arende/BN-2024-123",
        title={"sv": BN_TITLE},
        publisher=KS,
        diarienummer="BN 2024/123",
        diarienummer_normalised="BN 2024/123",
        opened=date(2024, 6, 3),
        responsible_unit="Bygglovsenheten",
        parties=[Party(name=SECRET_PARTY, role="sökande", is_private_individual=True)],
        governance=Governance(access_rights=NON_PUBLIC, secrecy_provision="21 kap. 3 § OSL"),
    ),
    "case-bn-456": Case(
        uri="https://diarium.exempelby.se/arende/BN-2024-456",
        title={"sv": PUBLIC_TITLE},
        publisher=KS,
        diarienummer="BN 2024/456",
        diarienummer_normalised="BN 2024/456",
        opened=date(2024, 6, 4),
        responsible_unit="Bygglovsenheten",
        parties=[Party(name=PRIVATE_PARTY, role="sökande", is_private_individual=True)],
        governance=Governance(access_rights=PUBLIC),
    ),
}


def seed(catalogue: Catalogue, records: dict[str, Record], source: str = "diarium") -> None:
    """Store records as a harvest would (rows and change log) under a source of their own."""
    src = catalogue.add_source(source, "dcat", None, {})
    now = datetime.now(UTC)
    with catalogue.session() as session:
        for record_id, record in records.items():
            publisher_id = catalogue.upsert_organisation(session, record.publisher)
            governance = record.governance
            session.add(
                CatalogueRecord(
                    id=record_id,
                    kind=record.kind,
                    uri=record.uri,
                    source_id=src.id,
                    source_key=record.uri or record_id,
                    title=text_in(record.title),
                    content_hash=content_hash(record),
                    data=to_dict(record),
                    access_rights=governance.access_rights,
                    is_public=governance.is_public,
                    description_visibility=governance.description_visibility or "public",
                    contains_personal_data=governance.contains_personal_data,
                    publisher_id=publisher_id,
                    owner_id=publisher_id,
                    diarienummer=getattr(record, "diarienummer_normalised", None)
                    or getattr(record, "case_diarienummer", None),
                    first_seen=now,
                    last_changed=now,
                )
            )
            session.add(ChangeLogEntry(record_id=record_id, operation="upsert", changed_at=now))
        session.commit()


def make_desk_site(work: Path, base_url: str, access_policy: AccessPolicy | None = None) -> Site:
    settings = load_settings(home=work, base_url=base_url)
    catalogue = Catalogue(settings.catalogue_url)
    harvest_demo(catalogue, work, extras=False)
    seed(catalogue, RECORDS)
    backend = EmbeddedBackend(work / "search")
    index_catalogue(catalogue, backend)
    app = create_app(
        settings,
        catalogue=catalogue,
        backend=backend,
        config=WebConfig(rate_limit_per_minute=0),
        access_policy=access_policy or AccessPolicy(),
    )
    return Site(settings, catalogue, backend, app, base_url)
