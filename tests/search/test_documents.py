"""The flat index document built from model records."""

from __future__ import annotations

import json
from datetime import date, datetime

from insyn.search.documents import (
    FACET_FIELDS,
    FILTER_FIELDS,
    diarienummer_keys,
    index_document,
    is_own_public_view,
    public_view,
    title_sort_key,
)
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
    RESTRICTED,
    Agent,
    Case,
    DataService,
    Dataset,
    Distribution,
    Document,
    Governance,
    Party,
    to_dict,
)
from tests.search.fixtures import documents, records

EU = "http://publications.europa.eu/resource/authority/"


def _doc(record, **names):  # type: ignore[no-untyped-def]
    names.setdefault("publisher_name", None)
    names.setdefault("owner_name", None)
    names.setdefault("source", "test")
    return index_document("r1", record, **names)


def test_dataset_fields() -> None:
    dataset = Dataset(
        uri="https://example.se/ds/1",
        title={"sv": "Luftkvalitet", "en": "Air quality"},
        description={"sv": "Mätningar av partiklar.", "en": "Particle measurements."},
        publisher=Agent(uri="https://example.se/org/miljo", name={"sv": "Miljöförvaltningen"}),
        keyword={"sv": ["luft", "partiklar"], "en": ["air"]},
        theme=[EU + "data-theme/ENVI", "https://example.se/tema/okänt"],
        issued=date(2020, 1, 1),
        modified=datetime(2024, 6, 30, 23, 30),  # naive: Stockholm time
        governance=Governance(information_owner="https://example.se/org/mhn"),
        distributions=[
            Distribution(format=EU + "file-type/CSV", license=EU + "licence/CC_BY_4_0"),
            Distribution(media_type="application/json"),
            Distribution(format="text/csv"),
        ],
    )
    doc = _doc(dataset, owner_name="Miljö- och hälsoskyddsnämnden")
    assert doc["kind"] == "dataset" and doc["id"] == "r1" and doc["source"] == "test"
    assert doc["title"] == "Luftkvalitet" and doc["title_en"] == "Air quality"
    assert doc["keywords"] == ["luft", "partiklar", "air"]
    assert doc["publisher"] == "Miljöförvaltningen"
    assert doc["publisher_id"] == "https://example.se/org/miljo"
    assert doc["owner"] == "Miljö- och hälsoskyddsnämnden"
    assert doc["owner_id"] == "https://example.se/org/mhn"
    assert doc["themes"] == ["ENVI", "https://example.se/tema/okänt"]
    assert doc["theme_labels"] == ["Miljö", "okänt"]
    assert doc["formats"] == ["CSV", "JSON"]
    assert doc["licences"] == ["CC_BY_4_0"]
    assert doc["access_rights"] == "PUBLIC" and doc["is_public"] is True
    assert doc["year"] == 2020  # issued
    assert doc["modified"] == "2024-06-30T21:30:00Z"
    assert "miljöförvaltningen" in doc["publisher_keys"]
    assert "miljö" in doc["theme_keys"] and "envi" in doc["theme_keys"]
    assert "Miljöförvaltningen" in doc["text"] and "Miljö" in doc["text"]
    assert doc["suggest"] == ["Luftkvalitet", "luft", "partiklar", "air"]


def test_every_document_has_every_field() -> None:
    docs = documents()
    fields = set(docs[0])
    for doc in docs:
        assert set(doc) == fields
        json.dumps(doc)
        assert isinstance(doc["is_public"], bool)
    for field in [*FACET_FIELDS.values(), *FILTER_FIELDS.values()]:
        assert field in fields


def test_visibility() -> None:
    assert _doc(Dataset(title={"sv": "x"}))["is_public"] is True
    # The access right concerns the data: restricted data is listed as it is.
    restricted = _doc(Dataset(title={"sv": "x"}, governance=Governance(access_rights=RESTRICTED)))
    assert restricted["is_public"] is True and restricted["public"] is None
    assert restricted["access_rights"] == "RESTRICTED"
    odd = _doc(Dataset(governance=Governance(access_rights="public")))
    assert odd["is_public"] is True
    # A secrecy provision or K3 shows the record masked, whatever its access right.
    for governance in (
        Governance(access_rights=PUBLIC, secrecy_provision="39 kap. 3 § OSL"),
        Governance(access_rights=PUBLIC, confidentiality=3),
    ):
        marked = _doc(
            Dataset(
                title={"sv": "Lönelista"},
                distributions=[Distribution(format=f"{EU}file-type/CSV")],
                governance=governance,
            )
        )
        assert marked["is_public"] is True and marked["title"] == "Lönelista"
        shown = public_view(marked)
        assert shown["title"].startswith("Uppgift omfattas av sekretess")
        assert shown["formats"] == [] and "Lönelista" not in json.dumps(shown)
    # Only an internal description is hidden, a provision with it too.
    for governance in (
        Governance(access_rights=PUBLIC, description_visibility="internal"),
        Governance(
            access_rights=NON_PUBLIC,
            secrecy_provision="OSL",
            description_visibility="internal",
        ),
    ):
        hidden = _doc(Dataset(title={"sv": "x"}, governance=governance))
        assert hidden["is_public"] is False and hidden["public"] is None


def test_case_fields_and_private_parties() -> None:
    case = Case(
        title={"sv": "Bygglov Eken 4"},
        diarienummer="BN 2024/00123",
        diarienummer_normalised="",
        opened=date(2024, 1, 15),
        responsible_unit="Bygglovsenheten",
        status="Pågående",
        parties=[Party("Anna Andersson", is_private_individual=True), Party("Bolaget AB")],
    )
    doc = _doc(case)
    assert doc["diarienummer"] == "BN 2024/00123"
    assert doc["diarienummer_normalised"] == "BN 2024/123"
    assert doc["diarienummer_keys"] == ["bn 2024/123", "2024/123"]
    assert doc["year"] == 2024
    assert doc["parties"] == ["Bolaget AB"]
    assert doc["parties_restricted"] == ["Anna Andersson"]
    assert "Anna Andersson" not in doc["text"] and "Bolaget AB" in doc["text"]
    assert public_view(doc)["parties_restricted"] == []
    assert doc["responsible_unit"] == "Bygglovsenheten"


def test_a_public_copy_exactly_when_masking_changes_what_the_public_document_holds() -> None:
    """Masking only private parties' names and identifiers changes nothing the public
    document holds (no second copy); a private name in the text does (a masked copy)."""
    quiet = Case(
        title={"sv": "Bygglov Eken 4"},
        description={"sv": "Nybyggnad av carport"},
        diarienummer="BN 2024/00123",
        parties=[
            Party("Anna Andersson", is_private_individual=True, identifier="19121212-1212"),
            Party("Bolaget AB", identifier="556677-8899"),
        ],
    )
    named = Case(
        title={"sv": "Bygglov för Anna Andersson"},
        diarienummer="BN 2024/00124",
        parties=[Party("Anna Andersson", is_private_individual=True)],
    )
    for data in (None, to_dict(quiet)):
        doc = index_document(
            "r1", quiet, publisher_name=None, owner_name=None, source="test", data=data
        )
        assert doc["public"] is None and is_own_public_view(doc) is False
        shown = public_view(doc)
        assert shown["parties_restricted"] == [] and shown["parties"] == ["Bolaget AB"]
        assert "1212" not in json.dumps(shown)
    for data in (None, to_dict(named)):
        doc = index_document(
            "r2", named, publisher_name=None, owner_name=None, source="test", data=data
        )
        assert doc["public"] is not None
        assert "Anna Andersson" in doc["title"]
        assert "Anna Andersson" not in json.dumps(public_view(doc), ensure_ascii=False)


def test_document_keys_include_its_own_number() -> None:
    document = Document(
        title={"sv": "Beslut"},
        case_diarienummer="KS.2024.0045",
        document_number="7",
        date=date(2023, 12, 31),
        document_type="Beslut",
    )
    doc = _doc(document)
    assert doc["diarienummer_keys"] == ["ks 2024/45", "2024/45", "ks 2024/45-7", "2024/45-7"]
    assert doc["year"] == 2023
    assert doc["document_type"] == "Beslut"


def test_unparseable_diarienummer_kept_as_written() -> None:
    assert diarienummer_keys("Ä-12/2024") == ["ä-12/2024"]


def test_data_service_formats_and_licence() -> None:
    service = DataService(
        title={"en": "Open API"},
        format=[EU + "file-type/JSON", "GeoJSON"],
        license="https://example.se/licens",
    )
    doc = _doc(service)
    assert doc["kind"] == "dataservice"
    assert doc["formats"] == ["JSON", "GEOJSON"]
    assert doc["licences"] == ["https://example.se/licens"]
    assert doc["title"] == "Open API" and doc["title_sv"] == "" and doc["title_en"] == "Open API"
    assert doc["year"] is None and doc["modified"] is None


def test_untagged_and_other_languages_count_as_swedish() -> None:
    assert _doc(Dataset(title={"": "Otaggad"}))["title_sv"] == "Otaggad"
    assert _doc(Dataset(title={"fi": "Ilmanlaatu"}))["title_sv"] == "Ilmanlaatu"


def test_title_sort_key_is_swedish() -> None:
    titles = ["Örebro", "Ängar", "Åar", "Zon", "ett", "Éa", "Bro"]
    assert sorted(titles, key=title_sort_key) == [
        "Bro",
        "Éa",
        "ett",
        "Zon",
        "Åar",
        "Ängar",
        "Örebro",
    ]


def test_fixture_records_are_varied() -> None:
    kinds = {record.kind for _, record, _, _ in records()}
    assert kinds == {"dataset", "dataservice", "case", "document"}


def test_a_document_is_its_own_public_view_exactly_when_public_view_says_so() -> None:
    """Backends write one copy for both partitions when ``is_own_public_view``: it must
    never say so of a document whose public view differs."""
    variants = []
    for document in documents():
        variants += [
            document,
            {k: v for k, v in document.items() if k != "public"},  # built by hand
            {**document, "public": None, "parties_restricted": ["Anna Andersson"]},
            {**document, "public": None, "secrecy_provision": "OSL 26:1"},
            {**document, "public": None, "secrecy_provision": None},
            {**document, "public": None, "title": "Ring 811228-9874"},
        ]
    answers = set()
    for document in variants:
        body = {k: v for k, v in document.items() if k != "public"}
        own = is_own_public_view(document)
        answers.add(own)
        if own:
            assert public_view(document) == body, document["id"]
        elif "public" in document and document["public"] is not None:
            assert public_view(document) != body, document["id"]
    assert answers == {True, False}
