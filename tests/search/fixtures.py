"""Small, realistic Swedish catalogue records for the search tests, built with the model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from insyn.search.documents import index_document, public_view
from insyn.vocab.model import (
    DESCRIPTION_INTERNAL,
    NON_PUBLIC,
    RESTRICTED,
    Agent,
    Attachment,
    Case,
    DataService,
    Dataset,
    Distribution,
    Document,
    Governance,
    Party,
    Record,
)

EU = "http://publications.europa.eu/resource/authority/"
ORG = "https://example.kommun.se/org/"


def theme(code: str) -> str:
    return f"{EU}data-theme/{code}"


def file_type(code: str) -> str:
    return f"{EU}file-type/{code}"


def agent(slug: str, name: str) -> Agent:
    return Agent(uri=ORG + slug, name={"sv": name})


SBK = agent("sbk", "Stadsbyggnadskontoret")
UTB = agent("utb", "Utbildningsförvaltningen")
MILJO = agent("miljo", "Miljö- och hälsoskyddsförvaltningen")
KLK = agent("klk", "Kommunledningskontoret")
SOC = agent("soc", "Socialförvaltningen")
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
CC_BY = f"{EU}licence/CC_BY_4_0"

# An internal description that also names a provision: hidden from the public.
SECRET = Governance(
    access_rights=NON_PUBLIC,
    secrecy_provision="26 kap. 1 § OSL",
    contains_personal_data=True,
    information_owner=ORG + "socn",
    description_visibility=DESCRIPTION_INTERNAL,
)


def _dataset(
    title: str,
    description: str,
    *,
    publisher: Agent,
    themes: list[str],
    formats: list[str],
    modified: date | None,
    keywords: list[str] | None = None,
    licence: str | None = CC0,
    governance: Governance | None = None,
    title_en: str | None = None,
) -> Dataset:
    dataset = Dataset(
        uri="https://example.kommun.se/data/" + "-".join(title.lower().split())[:40],
        title={"sv": title, **({"en": title_en} if title_en else {})},
        description={"sv": description},
        publisher=publisher,
        keyword={"sv": keywords or []},
        theme=[theme(t) for t in themes],
        modified=modified,
        distributions=[Distribution(format=file_type(f), license=licence) for f in formats],
    )
    if governance is not None:
        dataset.governance = governance
    return dataset


def records() -> list[tuple[str, Record, str, str]]:
    """Return (id, record, publisher name, owner name) for every fixture record."""
    owner_bn = "Byggnadsnämnden"
    items: list[tuple[str, Record, str, str]] = []

    def add(record_id: str, record: Record, owner: str = owner_bn) -> None:
        publisher = record.publisher.name["sv"] if record.publisher else ""
        items.append((record_id, record, publisher, owner))

    # --- public datasets and services
    add(
        "ds-bygglov-2023",
        _dataset(
            "Beviljade bygglov 2023",
            "Alla bygglov som beviljades av byggnadsnämnden under 2023, med fastighet och "
            "åtgärd. Uppdateras varje månad.",
            publisher=SBK,
            themes=["GOVE"],
            formats=["CSV"],
            modified=date(2024, 2, 1),
            keywords=["bygglov", "fastigheter"],
            title_en="Granted building permits 2023",
        ),
    )
    add(
        "ds-bygglovet-eken",
        _dataset(
            "Bygglovet för kvarteret Eken",
            "Underlag till bygglovet: ritningar och situationsplan för kvarteret Eken.",
            publisher=SBK,
            themes=["GOVE"],
            formats=["PDF"],
            modified=date(2023, 11, 5),
            licence=CC_BY,
        ),
    )
    add(
        "ds-bygglovs-handlaggning",
        _dataset(
            "Statistik över bygglovs handläggning",
            "Handläggningstider i veckor, per kvartal. Beviljade och avslagna ärenden.",
            publisher=SBK,
            themes=["GOVE"],
            formats=["CSV", "XLSX"],
            modified=date(2023, 6, 15),
        ),
    )
    add(
        "ds-bygglovsansokningar",
        _dataset(
            "Bygglovsansökningar per månad",
            "Antal inkomna ansökningar om lov per månad sedan 2015.",
            publisher=SBK,
            themes=["GOVE"],
            formats=["JSON", "CSV"],
            modified=date(2024, 4, 2),
        ),
    )
    add(
        "ds-skolenheter",
        _dataset(
            "Skolenheter i kommunen",
            "Förteckning över kommunens skolenheter och förskolor med adress, huvudman och "
            "antal elever.",
            publisher=UTB,
            themes=["EDUC"],
            formats=["CSV", "GEOJSON"],
            modified=date(2024, 5, 10),
            keywords=["skola", "förskola", "elever"],
        ),
        owner="Barn- och utbildningsnämnden",
    )
    add(
        "ds-badplatser",
        _dataset(
            "Badplatser och vattenprover",
            "Kommunens strandbad med resultat av vattenprover under badsäsongen.",
            publisher=MILJO,
            themes=["ENVI", "HEAL"],
            formats=["CSV"],
            modified=date(2022, 8, 1),
            keywords=["badvatten", "strandbad"],
        ),
        owner="Miljö- och hälsoskyddsnämnden",
    )
    add(
        "ds-vatten-avlopp",
        _dataset(
            "Vatten & avlopp <ledningsnät>",
            "Ledningar för vatten och avlopp inom verksamhetsområdet.",
            publisher=MILJO,
            themes=["ENVI"],
            formats=["GEOJSON"],
            modified=None,
            licence=None,
        ),
        owner="Tekniska nämnden",
    )
    add(
        "api-detaljplaner",
        DataService(
            uri="https://example.kommun.se/api/detaljplaner",
            title={"sv": "API för detaljplaner"},
            description={"sv": "Gällande och pågående detaljplaner som öppet API."},
            publisher=SBK,
            theme=[theme("REGI")],
            modified=datetime(2024, 3, 1, 9, 30),
            license=CC0,
            format=[file_type("JSON")],
        ),
    )
    # --- the public diarium
    add(
        "case-bn-2024-123",
        Case(
            title={"sv": "Ansökan om bygglov för nybyggnad av enbostadshus"},
            description={"sv": "Bygglov söks för fastigheten Eken 4. Lovet beviljades i februari."},
            publisher=SBK,
            diarienummer="BN 2024/00123",
            diarienummer_normalised="BN 2024/123",
            opened=date(2024, 1, 15),
            modified=date(2024, 2, 20),
            status="Avslutat",
            responsible_unit="Bygglovsenheten",
            parties=[
                Party("Anna Andersson", role="sökande", is_private_individual=True),
                Party("Byggbolaget i Norr AB", role="ombud"),
            ],
        ),
    )
    add(
        "doc-bn-2024-123-4",
        Document(
            title={"sv": "Beslut om bygglov, Eken 4"},
            publisher=SBK,
            case_diarienummer="BN.2024.123",
            document_number="4",
            date=date(2024, 2, 20),
            direction="outgoing",
            document_type="Beslut",
            parties=[Party("Anna Andersson", role="mottagare", is_private_individual=True)],
            attachments=[Attachment("beslut.pdf", format="PDF")],
        ),
    )
    add(
        "case-bn-2024-1234",
        Case(
            title={"sv": "Förhandsbesked för fritidshus"},
            publisher=SBK,
            diarienummer="BN-2024-1234",
            diarienummer_normalised="BN 2024/1234",
            opened=date(2024, 9, 2),
            modified=date(2024, 9, 2),
        ),
    )
    add(
        "case-ks-2024-45",
        Case(
            title={"sv": "Upphandling av skolskjuts"},
            description={"sv": "Upphandling av skolskjutsar för läsåren 2025–2027."},
            publisher=KLK,
            diarienummer="KS 2024/45",
            diarienummer_normalised="KS 2024/45",
            opened=date(2024, 3, 4),
            modified=date(2024, 3, 4),
            parties=[Party("Resebolaget Väst AB", role="anbudsgivare")],
        ),
        owner="Kommunstyrelsen",
    )
    add(
        "case-ks-2023-12",
        Case(
            title={"sv": "Budget och verksamhetsplan 2024"},
            publisher=KLK,
            diarienummer="KS.2023.0012",
            diarienummer_normalised="KS 2023/12",
            opened=date(2023, 2, 1),
            modified=date(2023, 12, 12),
        ),
        owner="Kommunstyrelsen",
    )
    # --- data that is not public, its description public: listed, masked when marked
    add(
        "ds-orosanmalningar",
        _dataset(
            "Orosanmälningar om kanarieblomster",
            "Anmälningar per skola om kanarieblomster i hemmen.",
            publisher=KLK,
            themes=["GOVE"],
            formats=["XML"],
            modified=date(2024, 7, 15),
            keywords=["kanarieblomster"],
            governance=Governance(access_rights=NON_PUBLIC, secrecy_provision="26 kap. 1 § OSL"),
        ),
    )
    add(
        "ds-lonestatistik",
        _dataset(
            "Lönestatistik per förvaltning",
            "Medellön per förvaltning och år.",
            publisher=KLK,
            themes=["ECON"],
            formats=["XLSX"],
            modified=date(2024, 1, 20),
            governance=Governance(access_rights=RESTRICTED),
        ),
    )
    add(
        "case-ks-2024-46",
        Case(
            title={"sv": "Sekretessbelagt ärende om bygglov för skyddat boende"},
            description={"sv": "Hemlig placering. Bygglovet gäller ombyggnad."},
            publisher=KLK,
            diarienummer="KS 2024/46",
            diarienummer_normalised="KS 2024/46",
            opened=date(2024, 3, 5),
            modified=date(2024, 7, 1),
            governance=Governance(access_rights=NON_PUBLIC, secrecy_provision="21 kap. 3 § OSL"),
        ),
        owner="Kommunstyrelsen",
    )
    # --- internal descriptions: hidden from the public
    add(
        "ds-skyddade-boenden",
        _dataset(
            "Skyddade boenden, adresser",
            "Adresser till skyddade boenden och zebrafinkar i jourlägenheter.",
            publisher=SOC,
            themes=["SOCI"],
            formats=["XML"],
            modified=date(2024, 6, 1),
            keywords=["skyddat boende", "zebrafinkar"],
            governance=SECRET,
        ),
        owner="Socialnämnden",
    )
    add(
        "ds-bygglovsarkiv-internt",
        _dataset(
            "Bygglovsarkiv, internt register",
            "Internt register över bygglov med personuppgifter om sökande.",
            publisher=SBK,
            themes=["GOVE", "JUST"],
            formats=["XLSX"],
            modified=date(2024, 8, 8),
            keywords=["bygglov", "personuppgifter"],
            governance=Governance(
                access_rights=RESTRICTED,
                contains_personal_data=True,
                description_visibility=DESCRIPTION_INTERNAL,
            ),
        ),
    )
    return items


def documents() -> list[dict[str, Any]]:
    """Return the index documents of every fixture record."""
    return [
        index_document(record_id, record, publisher_name=pub, owner_name=owner, source="fixtures")
        for record_id, record, pub, owner in records()
    ]


def public_documents() -> list[dict[str, Any]]:
    """Return the documents of the public partition, as the public sees them (masked)."""
    return [public_view(d) for d in documents() if d["is_public"]]


PUBLIC_IDS = frozenset(d["id"] for d in public_documents())
NON_PUBLIC_IDS = frozenset(d["id"] for d in documents()) - PUBLIC_IDS
# Records the public sees masked (secret-marked, description public).
MASKED_IDS = frozenset(d["id"] for d in documents() if d["is_public"] and d["public"])
