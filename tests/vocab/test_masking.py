"""Public masking: secrecy text, private individuals, personnummer (who sees what at all:
``test_visibility.py``)."""

from __future__ import annotations

from datetime import date

from insyn.vocab.masking import (
    PERSONNUMMER_MASK,
    mask_personnummer,
    public_of_data,
    public_record,
    secrecy_text,
)
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
    Attachment,
    Case,
    ContactPoint,
    DataService,
    Dataset,
    Distribution,
    Document,
    Governance,
    Party,
    to_dict,
)


def test_secrecy_text() -> None:
    assert secrecy_text("26 kap. 1 § OSL") == (
        "Uppgift omfattas av sekretess enligt 26 kap. 1 § OSL"
    )
    assert secrecy_text("bestämmelse ej angiven").endswith(
        "offentlighets- och sekretesslagen (OSL)"
    )


def test_personnummer_are_masked_only_when_luhn_valid() -> None:
    text = "Pnr 19121212-1212, 121212-1212 och 1212121212; fel 121212-1213; ordernr 12345678901234"
    masked = mask_personnummer(text)
    assert masked.count(PERSONNUMMER_MASK) == 3
    assert "121212-1213" in masked and "12345678901234" in masked
    assert mask_personnummer("samordningsnummer 701063-2391") == (
        f"samordningsnummer {PERSONNUMMER_MASK}"
    )


def test_secret_marked_document_keeps_register_fields_and_loses_secret_ones() -> None:
    document = Document(
        title={"sv": "Läkarintyg för Kalle"},
        description={"sv": "Diagnos"},
        keyword={"sv": ["diagnos"]},
        case_diarienummer="KS 2024/7",
        document_number="3",
        date=date(2024, 5, 3),
        direction="incoming",
        document_type="Intyg",
        parties=[Party("Kalle Karlsson", "avsändare", True, "19121212-1212")],
        attachments=[Attachment("kalle-journal.pdf", "PDF")],
        extras={"sekretess_förklaring": ["hälsa"]},
        governance=Governance(access_rights=NON_PUBLIC, secrecy_provision="25 kap. 1 § OSL"),
    )
    shown = public_record(document)
    assert isinstance(shown, Document)
    text = "Uppgift omfattas av sekretess enligt 25 kap. 1 § OSL"
    assert shown.title == {"sv": text} and shown.description == {"sv": text}
    assert shown.keyword == {} and shown.extras == {}
    assert [p.name for p in shown.parties] == [text] and shown.parties[0].identifier is None
    assert [a.name for a in shown.attachments] == [text]
    assert (shown.case_diarienummer, shown.document_number, shown.document_type) == (
        "KS 2024/7",
        "3",
        "Intyg",
    )
    assert shown.governance.secrecy_provision == "25 kap. 1 § OSL"
    assert document.title == {"sv": "Läkarintyg för Kalle"}  # the original is untouched


def test_public_case_masks_private_individuals_and_numbers_everywhere() -> None:
    case = Case(
        title={"sv": "Bygglov"},
        description={"sv": "Sökande 121212-1212"},
        parties=[Party("Anna A", "sökande", True, "121212-1212"), Party("Bolaget AB", "ombud")],
        extras={"anteckning": ["ring 1212121212"]},
        governance=Governance(access_rights=PUBLIC),
    )
    shown = public_record(case)
    assert shown is not None
    assert [p.name for p in shown.parties] == ["Enskild", "Bolaget AB"]
    assert all(p.identifier is None for p in shown.parties)
    assert shown.description["sv"] == f"Sökande {PERSONNUMMER_MASK}"
    assert shown.extras == {"anteckning": [f"ring {PERSONNUMMER_MASK}"]}
    # The stored-data path masks alike, and so it does for a record without digits, which
    # it returns without scrubbing (no personnummer can be in it).
    assert public_of_data(to_dict(case)) == shown
    plain = Case(
        title={"sv": "Bygglov för Anna Andersson, Storgatan"},
        parties=[Party("Anna Andersson", "sökande", True)],
        keyword={"sv": ["bygglov"]},
        governance=Governance(access_rights=PUBLIC),
    )
    shown = public_record(plain)
    assert shown is not None and shown.title == {"sv": "Bygglov för [namn], Storgatan"}
    assert public_of_data(to_dict(plain)) == shown


def test_hidden_records_have_no_public_form() -> None:
    internal = Governance(access_rights=NON_PUBLIC, description_visibility="internal")
    assert public_record(Dataset(governance=internal)) is None


def test_a_non_public_dataset_is_shown_with_its_access_right() -> None:
    dataset = Dataset(
        title={"sv": "Bygglovsarkiv"}, governance=Governance(access_rights=NON_PUBLIC)
    )
    shown = public_record(dataset)
    assert shown is not None
    assert shown.title == {"sv": "Bygglovsarkiv"}
    assert shown.governance.access_rights == NON_PUBLIC


def test_a_secret_marked_dataset_is_masked_and_keeps_whom_to_ask() -> None:
    dataset = Dataset(
        uri="https://x.se/ds/1",
        title={"sv": "Orosanmälningar"},
        description={"sv": "Alla anmälningar om barn"},
        keyword={"sv": ["barn"]},
        landing_page=["https://x.se/sida"],
        contact_point=[ContactPoint(name={"sv": "Socialkontoret"}, email="soc@x.se")],
        theme=["http://publications.europa.eu/resource/authority/data-theme/SOCI"],
        distributions=[Distribution(title={"sv": "Orosanmälningar 2024"}, access_url="https://x")],
        provenance={"sv": "Ur verksamhetssystemet"},
        extras={"förklaring": ["hemligt"]},
        spatial=["Skyddat boende Kanelgatan"],
        bbox=["POLYGON((17.11 60.67,17.12 60.67,17.12 60.68,17.11 60.68,17.11 60.67))"],
        centroid=["POINT(17.115 60.675)"],
        geometry=['{"type": "Point", "coordinates": [17.115, 60.675]}'],
        has_version=["https://x.se/ds/orosanmalningar-barn-kanelgatan"],
        is_version_of=["https://x.se/ds/orosanmalningar"],
        governance=Governance(access_rights=NON_PUBLIC, secrecy_provision="26 kap. 1 § OSL"),
    )
    shown = public_record(dataset)
    # Links to the dataset's versions may name what is secret, like its other relations.
    assert shown.has_version == [] and shown.is_version_of == []
    assert isinstance(shown, Dataset)
    text = "Uppgift omfattas av sekretess enligt 26 kap. 1 § OSL"
    assert shown.title == {"sv": text} and shown.description == {"sv": text}
    assert shown.keyword == {} and shown.landing_page == [] and shown.extras == {}
    assert shown.distributions == [] and shown.provenance == {}
    assert shown.uri == dataset.uri and shown.theme == dataset.theme
    assert [c.email for c in shown.contact_point] == ["soc@x.se"]
    assert shown.governance.access_rights == NON_PUBLIC
    assert "Orosanmälningar" not in repr(shown) and "barn" not in repr(shown)
    # Where it is may tell the secret: no place, box, centroid or geometry.
    assert shown.spatial == shown.bbox == shown.centroid == shown.geometry == []
    assert "17.11" not in repr(shown) and "Kanelgatan" not in repr(shown)
    # The stored-data path masks alike.
    assert public_of_data(to_dict(dataset)) == shown


def test_a_secret_marked_data_service_keeps_its_endpoint_only() -> None:
    service = DataService(
        title={"sv": "Elevregister-API"},
        endpoint_url=["https://api.x.se/elever"],
        endpoint_description=["https://api.x.se/elever/openapi.json"],
        serves_dataset=["https://x.se/ds/elever"],
        governance=Governance(confidentiality=3),
    )
    shown = public_record(service)
    assert isinstance(shown, DataService)
    assert shown.endpoint_url == ["https://api.x.se/elever"]
    assert shown.endpoint_description == [] and shown.serves_dataset == []
    assert shown.title == {
        "sv": "Uppgift omfattas av sekretess enligt offentlighets- och sekretesslagen (OSL)"
    }
