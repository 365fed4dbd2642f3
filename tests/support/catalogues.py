"""Small DCAT-AP catalogues written for tests (realistic Swedish, valid DCAT-AP)."""

from __future__ import annotations

from pathlib import Path

PREFIXES = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix insyn: <https://w3id.org/insyn/ns#> .
"""

PUBLISHER = """
<https://data.exempel.se/org/bn> a foaf:Agent ;
    foaf:name "Byggnadsnämnden"@sv ;
    dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
"""


def dataset_ttl(
    number: int, *, title: str | None = None, public: bool = True, internal: bool = False
) -> str:
    """A dataset in Turtle; ``public=False`` gives it non-public data and a secrecy provision
    (the public sees it masked), ``internal`` an internal description (hidden)."""
    access = "PUBLIC" if public else "NON_PUBLIC"
    secrecy = "" if public else '    insyn:secrecyProvision "26 kap. 1 § OSL" ;\n'
    if internal:
        secrecy += '    insyn:descriptionVisibility "internal" ;\n'
    return f"""
<https://data.exempel.se/dataset/{number}> a dcat:Dataset ;
    dcterms:title "{title or f"Bygglov {number}"}"@sv ;
    dcterms:description "Beviljade bygglov i kommunen, del {number}."@sv ;
    dcterms:publisher <https://data.exempel.se/org/bn> ;
    dcat:keyword "bygglov"@sv ;
    dcterms:accessRights <http://publications.europa.eu/resource/authority/access-right/{access}> ;
{secrecy}    dcat:distribution <https://data.exempel.se/distribution/{number}> .

<https://data.exempel.se/distribution/{number}> a dcat:Distribution ;
    dcat:accessURL <https://data.exempel.se/files/{number}.csv> ;
    dcterms:format <http://publications.europa.eu/resource/authority/file-type/CSV> .
"""


def catalogue_ttl(numbers: range | list[int], **titles: str) -> str:
    body = "".join(dataset_ttl(n, title=titles.get(f"d{n}")) for n in numbers)
    return PREFIXES + PUBLISHER + body


def write_catalogue(path: Path, numbers: range | list[int], **titles: str) -> Path:
    path.write_text(catalogue_ttl(numbers, **titles), encoding="utf-8")
    return path
