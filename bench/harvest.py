"""Harvest benchmark: the command a person runs, ``insyn harvest``, beside rdflib's parse.

``make bench`` runs ``.venv/bin/python bench/harvest.py``. For each ``--datasets`` size
(default 20,000 and 100,000; about 33 triples each) it

1. writes a DCAT-AP catalogue of that many datasets to a file, streamed to disk;
2. times plain rdflib ``Graph().parse`` of that file in a subprocess: the least a
   CKAN/ckanext-dcat harvest must do;
3. times the command ``insyn --home H harvest NAME`` as a process of its own (the search
   index catch-up that the command does after the harvest included): the first harvest
   into an empty SQLite catalogue, ``--full`` of the unchanged file (its bytes are those
   the last run read, so it is not parsed), the same statements with other bytes (a
   comment line added: parsed and digested, nothing mapped), and the file again with 1 %
   of the datasets changed (a revised title);
4. prints wall time, CPU time and peak memory of each process tree (``RUSAGE_CHILDREN``
   of a small interpreter that only waits for it), the ratio to rdflib, and PASS/MISS
   against the targets (``--json`` prints the figures as JSON), with the load average.

``--profile`` runs the ``insyn`` commands under cProfile and prints the top functions.
See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from machine import machine

BENCH_DIR = Path(__file__).resolve().parent
SEED = 20_240_501
SOURCE_NAME = "bench-dcat"

TARGET_FIRST_S = 45.0  # the whole command, first harvest of 100,000 datasets
TARGET_REHARVEST_S = 10.0  # the whole command, re-harvest of an unchanged catalogue
TARGET_PEAK_MB = 1536.0  # peak memory of any insyn harvest process
TARGET_RATIO = 0.5  # insyn harvest (first) / rdflib parse, wall time
TARGET_DATASETS = 100_000  # the seconds targets are set for this size; scaled linearly
SIZES = (20_000, 100_000)

# --- namespaces -------------------------------------------------------------------------

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ORG = "http://www.w3.org/ns/org#"
INSYN = "https://w3id.org/insyn/ns#"
EU = "http://publications.europa.eu/resource/authority/"
ADMS_TYPE = "http://purl.org/adms/publishertype/"
IANA = "https://www.iana.org/assignments/media-types/"
BASE = "https://data.norrvik.se/"

PREFIXES = {
    "rdf": RDF,
    "xsd": XSD,
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "vcard": VCARD,
    "org": ORG,
    "insyn": INSYN,
    "theme": EU + "data-theme/",
    "ft": EU + "file-type/",
    "ar": EU + "access-right/",
    "lang": EU + "language/",
    "freq": EU + "frequency/",
    "adms": ADMS_TYPE,
    "nv": BASE,
}

# --- word lists (a fictional municipality, Norrvik, and its companies) ------------------

MUNICIPALITY = ("kommun", "Norrviks kommun", "Norrvik Municipality", "212000-0999", None)
# (slug, Swedish name, English name, organisationsnummer, ADMS type)
ORGANISATIONS = [
    MUNICIPALITY,
    ("kommunstyrelsen", "Kommunstyrelsen", "Municipal Executive Board", None, None),
    ("tekniska-namnden", "Tekniska nämnden", "Technical Services Committee", None, None),
    (
        "miljonamnden",
        "Miljö- och hälsoskyddsnämnden",
        "Environment and Health Committee",
        None,
        None,
    ),
    ("byggnadsnamnden", "Byggnadsnämnden", "Building Committee", None, None),
    ("utbildningsnamnden", "Utbildningsnämnden", "Education Committee", None, None),
    ("socialnamnden", "Socialnämnden", "Social Services Committee", None, None),
    ("vard-och-omsorg", "Vård- och omsorgsnämnden", "Health and Social Care Committee", None, None),
    ("kultur-fritid", "Kultur- och fritidsnämnden", "Culture and Leisure Committee", None, None),
    ("valnamnden", "Valnämnden", "Election Committee", None, None),
    ("overformyndare", "Överförmyndarnämnden", "Chief Guardian Committee", None, None),
    ("raddningstjansten", "Räddningstjänsten Norrvik", "Norrvik Fire and Rescue", None, None),
    ("stadsbyggnad", "Stadsbyggnadsförvaltningen", "City Planning Office", None, None),
    ("miljoforvaltningen", "Miljöförvaltningen", "Environment Office", None, None),
    ("tekniska-forvaltningen", "Tekniska förvaltningen", "Technical Services Office", None, None),
    ("utbildningsforvaltningen", "Utbildningsförvaltningen", "Education Office", None, None),
    ("socialforvaltningen", "Socialförvaltningen", "Social Services Office", None, None),
    ("kultur-fritidsforvaltningen", "Kultur- och fritidsförvaltningen", None, None, None),
    ("ekonomiavdelningen", "Ekonomiavdelningen", "Finance Department", None, None),
    ("hr-avdelningen", "HR-avdelningen", "Human Resources Department", None, None),
    ("kommunarkivet", "Kommunarkivet", "Municipal Archives", None, None),
    ("lantmateri", "Lantmäterienheten", "Land Survey Unit", None, None),
    ("gis-enheten", "GIS-enheten", "GIS Unit", None, None),
    (
        "norrvik-stadshus",
        "Norrviks Stadshus AB",
        "Norrvik City Hall Holding",
        "556000-1001",
        "Company",
    ),
    ("norrvik-energi", "Norrviks Energi AB", "Norrvik Energy", "556000-1002", "Company"),
    (
        "norrvik-vatten",
        "Norrvik Vatten och Avfall AB",
        "Norrvik Water and Waste",
        "556000-1003",
        "Company",
    ),
    ("norrvik-bostader", "Bostads AB Norrvikshem", "Norrvikshem Housing", "556000-1004", "Company"),
    ("norrvik-hamn", "Norrviks Hamn AB", "Port of Norrvik", "556000-1005", "Company"),
    ("norrvik-parkering", "Norrviks Parkerings AB", "Norrvik Parking", "556000-1006", "Company"),
    (
        "norrvik-lokaltrafik",
        "Norrviks Lokaltrafik AB",
        "Norrvik Local Transport",
        "556000-1007",
        "Company",
    ),
    ("norrvik-stadsnat", "Norrvik Stadsnät AB", "Norrvik City Network", "556000-1008", "Company"),
    ("norrvik-fastigheter", "Norrviks Kommunfastigheter AB", None, "556000-1009", "Company"),
    (
        "norrvik-naringsliv",
        "Norrvik Näringsliv AB",
        "Norrvik Business Agency",
        "556000-1010",
        "Company",
    ),
    ("norrvik-flygplats", "Norrvik Flygplats AB", "Norrvik Airport", "556000-1011", "Company"),
    ("norrvik-arena", "Norrvik Arena och Evenemang AB", None, "556000-1012", "Company"),
    ("norrvik-turism", "Destination Norrvik AB", "Visit Norrvik", "556000-1013", "Company"),
]

# (Swedish stem, English stem, keywords, EU data themes)
TOPICS = [
    ("Bygglov", "Building permits", ["bygglov", "plan- och bygglagen", "byggnation"], ["GOVE"]),
    ("Detaljplaner", "Detailed development plans", ["detaljplan", "samhällsbyggnad"], ["REGI"]),
    ("Luftkvalitet", "Air quality", ["luftkvalitet", "partiklar", "PM10", "kvävedioxid"], ["ENVI"]),
    ("Trafikflöden", "Traffic flows", ["trafik", "fordon", "trafikmätning", "vägar"], ["TRAN"]),
    ("Parkeringsplatser", "Parking spaces", ["parkering", "laddplatser", "gatumark"], ["TRAN"]),
    ("Gång- och cykelvägar", "Cycle paths", ["cykel", "gång- och cykelvägar"], ["TRAN", "REGI"]),
    ("Hållplatser för kollektivtrafik", "Public transport stops", ["busshållplatser"], ["TRAN"]),
    ("Badvattenkvalitet", "Bathing water quality", ["badvatten", "provtagning"], ["ENVI", "HEAL"]),
    ("Dricksvattenanalyser", "Drinking water analyses", ["dricksvatten", "VA"], ["HEAL", "ENVI"]),
    (
        "Energianvändning i kommunala fastigheter",
        "Energy use in municipal buildings",
        ["energi", "fastigheter", "fjärrvärme"],
        ["ENER"],
    ),
    ("Fjärrvärmeleveranser", "District heating deliveries", ["fjärrvärme", "värme"], ["ENER"]),
    ("Avfallsmängder", "Waste quantities", ["avfall", "återvinning", "hushållsavfall"], ["ENVI"]),
    ("Elever i grundskolan", "Pupils in compulsory school", ["skola", "elever"], ["EDUC", "SOCI"]),
    ("Förskoleplatser", "Pre-school places", ["förskola", "barnomsorg", "köer"], ["EDUC"]),
    ("Meritvärden i årskurs 9", "Grade points in year 9", ["betyg", "meritvärde"], ["EDUC"]),
    ("Bibliotekens utlån", "Library loans", ["bibliotek", "utlån", "kultur"], ["EDUC"]),
    ("Besök i idrottsanläggningar", "Visits to sports facilities", ["idrott", "fritid"], ["SOCI"]),
    ("Befolkning", "Population", ["befolkning", "folkmängd", "demografi"], ["SOCI", "REGI"]),
    ("Befolkningsprognos", "Population forecast", ["befolkning", "prognos"], ["SOCI"]),
    ("Bostadsbestånd", "Housing stock", ["bostäder", "lägenheter", "hyresrätter"], ["SOCI"]),
    ("Ekonomiskt bistånd", "Social assistance", ["försörjningsstöd", "socialtjänst"], ["SOCI"]),
    ("Beviljade hemtjänsttimmar", "Home care hours", ["hemtjänst", "äldreomsorg"], ["HEAL"]),
    (
        "Kommunens budget och utfall",
        "Municipal budget and outcome",
        ["budget", "ekonomi"],
        ["ECON", "GOVE"],
    ),
    ("Leverantörsfakturor", "Supplier invoices", ["inköp", "fakturor", "leverantörer"], ["ECON"]),
    ("Upphandlingar och avtal", "Procurements and contracts", ["upphandling", "LOU"], ["ECON"]),
    ("Sammanträdesprotokoll", "Minutes of meetings", ["protokoll", "nämnd", "beslut"], ["GOVE"]),
    ("Diarieförda ärenden", "Registered cases", ["diarium", "allmänna handlingar"], ["GOVE"]),
    (
        "Felanmälningar i gatumiljön",
        "Fault reports in the street environment",
        ["felanmälan", "gatubelysning", "underhåll"],
        ["TRAN", "GOVE"],
    ),
    ("Träd i parker och gatumiljö", "Trees in parks and streets", ["träd", "grönytor"], ["ENVI"]),
    (
        "Naturreservat",
        "Nature reserves",
        ["naturreservat", "skyddad natur", "friluftsliv"],
        ["ENVI"],
    ),
    ("Skyddsrum", "Civil defence shelters", ["skyddsrum", "beredskap"], ["JUST", "GOVE"]),
    ("Räddningstjänstens insatser", "Fire and rescue call-outs", ["bränder", "olyckor"], ["JUST"]),
    ("Bredbandstäckning", "Broadband coverage", ["bredband", "fiber"], ["TECH", "REGI"]),
    (
        "Livsmedelskontroller",
        "Food inspections",
        ["livsmedel", "tillsyn", "restauranger"],
        ["HEAL", "AGRI"],
    ),
    ("Bullerkartläggning", "Noise mapping", ["buller", "trafikbuller"], ["ENVI", "TRAN"]),
    ("Adresspunkter", "Address points", ["adresser", "belägenhetsadresser", "geodata"], ["REGI"]),
    ("Höjdkurvor", "Contour lines", ["höjddata", "geodata", "karta"], ["REGI"]),
    (
        "Snöröjning och halkbekämpning",
        "Snow clearance",
        ["snöröjning", "vinterväghållning"],
        ["TRAN"],
    ),
    ("Godsvolymer i hamnen", "Port freight volumes", ["hamn", "sjöfart", "gods"], ["TRAN", "ECON"]),
    (
        "Elproduktion från solceller",
        "Solar power production",
        ["solceller", "förnybar energi"],
        ["ENER", "ENVI"],
    ),
    ("Vattenförbrukning", "Water consumption", ["vatten", "förbrukning"], ["ENVI"]),
    ("Turistiska besöksmål", "Tourist attractions", ["turism", "besöksmål", "evenemang"], ["ECON"]),
    ("Föreningsbidrag", "Grants to associations", ["föreningar", "bidrag"], ["SOCI", "GOVE"]),
    ("Valresultat", "Election results", ["val", "valdistrikt", "demokrati"], ["GOVE"]),
    ("Medarbetarenkät", "Staff survey", ["personal", "arbetsmiljö"], ["GOVE"]),
    (
        "Sjukfrånvaro bland anställda",
        "Sick leave among staff",
        ["sjukfrånvaro", "personal"],
        ["GOVE", "HEAL"],
    ),
    ("Jordbruksmark och arrenden", "Farmland and leases", ["jordbruk", "arrende"], ["AGRI"]),
    ("Fiskevårdsområden", "Fishery management areas", ["fiske", "vattendrag"], ["AGRI", "ENVI"]),
]
QUALIFIERS = [
    "per stadsdel",
    "per månad",
    "per kvartal",
    "per skolenhet",
    "per mätstation",
    "per nämnd",
    "i tätorterna",
    "per valdistrikt",
    "för hela kommunen",
    "per postnummerområde",
    "per verksamhet",
    "per fastighet",
    "i centrala Norrvik",
    "per åldersgrupp",
]
AREAS = [
    "Centrum",
    "Norrmalm",
    "Söderhöjden",
    "Hagaberg",
    "Sjöviken",
    "Östra hamnen",
    "Västerslätt",
    "Kvarnbacken",
    "Lindvallen",
    "Björkhagen",
    "Ekudden",
    "Tallåsen",
    "Gärdet",
    "Åsby",
]
SYSTEMS = ["Ciceron", "Platina", "Procapita", "Agresso", "Public 360", "Castor", "NVDB", "Geosecma"]
FREQUENCIES = [
    ("DAILY", "dagligen"),
    ("WEEKLY", "varje vecka"),
    ("MONTHLY", "varje månad"),
    ("QUARTERLY", "varje kvartal"),
    ("ANNUAL", "en gång per år"),
    ("IRREG", "vid behov"),
]
SENTENCES = [
    "Datamängden innehåller {topic} {qualifier} för perioden {y0}–{y1}.",
    "Uppgifterna hämtas ur verksamhetssystemet {system} och uppdateras {frequency}.",
    "Varje rad motsvarar en observation med datum, plats och uppmätt eller registrerat värde.",
    "Koordinater anges i SWEREF 99 TM (EPSG:3006) och höjder i RH 2000.",
    "Personuppgifter har tagits bort före publicering i enlighet med dataskyddsförordningen.",
    "Värden före {y0} har samlats in med en annan metod och är inte direkt jämförbara.",
    "Datamängden publiceras av {org} som en del av kommunens arbete med öppna data.",
    "Frågor om innehållet besvaras av {org}; kontaktuppgifter finns i kontaktpunkten.",
    "Mätningarna görs vid {count} mätpunkter, bland annat i {area} och {area2}.",
    "Siffrorna för det senaste året är preliminära och kan komma att revideras.",
    "Till datamängden hör en beskrivning av fälten (kodbok) som en egen distribution.",
    "Uppgifterna redovisas på aggregerad nivå så att enskilda personer inte kan identifieras.",
    "Data har kvalitetsgranskats, men enstaka felaktiga eller saknade värden kan förekomma.",
    "Historiska uppgifter finns från {y0} och framåt; äldre material finns i kommunarkivet.",
    "Datamängden används i kommunens årsredovisning och i uppföljningen av miljömålen.",
    "Exporten från {system} körs automatiskt varje natt och publiceras morgonen därpå.",
    "Filerna är teckenkodade i UTF-8 och använder semikolon som fältavgränsare.",
    "Ändringar i datastrukturen meddelas på kommunens webbplats minst en månad i förväg.",
    "Tomma värden betyder att uppgiften saknas, inte att värdet är noll.",
    "Områdesindelningen följer kommunens statistikområden (NYKO) från {y1}.",
    "Uppgifter om {area} och {area2} redovisas sammanslagna på grund av få observationer.",
    "Datamängden ersätter den tidigare publicerade sammanställningen som upphörde {y0}.",
]
FORMATS = [
    # (EU file type, media type, extension, weight)
    ("CSV", "text/csv", "csv", 40),
    ("JSON", "application/json", "json", 15),
    ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", 12),
    ("GEOJSON", "application/geo+json", "geojson", 10),
    ("SHP", "application/zip", "zip", 5),
    ("PDF", "application/pdf", "pdf", 8),
    ("XML", "application/xml", "xml", 6),
    ("HTML", "text/html", "html", 4),
]
LICENCES = [
    ("http://creativecommons.org/publicdomain/zero/1.0/", 70),
    ("http://creativecommons.org/licenses/by/4.0/", 25),
    (EU + "licence/CC_BY_4_0", 5),
]
SECRECY = ["21 kap. 7 § OSL", "26 kap. 1 § OSL", "18 kap. 8 § OSL", "31 kap. 16 § OSL"]


# --- writing RDF, streamed ---------------------------------------------------------------


def literal(text: str, language: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal (also valid Turtle)."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if language:
        return f'"{escaped}"@{language}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


class RdfWriter:
    """Writes subject blocks as N-Triples or Turtle; objects come as N-Triples terms."""

    def __init__(self, handle: TextIO, fmt: str) -> None:
        self.handle = handle
        self.fmt = fmt
        self.triples = 0
        self._short: dict[str, str] = {}
        if fmt == "turtle":
            for prefix, namespace in PREFIXES.items():
                handle.write(f"@prefix {prefix}: <{namespace}> .\n")
            handle.write("\n")

    def _compact(self, term: str) -> str:
        """Prefixed form of an ``<iri>`` whose namespace is known (cached: vocabulary terms)."""
        found = self._short.get(term)
        if found is None:
            found = term
            if term.startswith("<"):
                iri = term[1:-1]
                for prefix, namespace in PREFIXES.items():
                    local = iri[len(namespace) :]
                    if (
                        iri.startswith(namespace)
                        and local
                        and local.replace("_", "").replace("-", "").isalnum()
                        and local.isascii()
                        and not local[0].isdigit()
                    ):
                        found = f"{prefix}:{local}"
                        break
            elif "^^<" in term:
                value, datatype = term.rsplit("^^", 1)
                return f"{value}^^{self._compact(datatype)}"
            if len(self._short) < 10_000:
                self._short[term] = found
        return found

    def block(self, subject: str, pairs: list[tuple[str, str]], shared: set[str]) -> None:
        """One subject's triples. ``shared`` holds objects worth compacting (vocabulary)."""
        self.triples += len(pairs)
        if self.fmt == "nt":
            self.handle.write("".join(f"{subject} {p} {o} .\n" for p, o in pairs))
            return
        compact = self._compact
        lines = [f"{compact(p)} {compact(o) if o in shared or '^^<' in o else o}" for p, o in pairs]
        lines[0] = lines[0].replace("rdf:type ", "a ", 1)
        self.handle.write(f"{subject} " + " ;\n    ".join(lines) + " .\n\n")


def iri(value: str) -> str:
    return f"<{value}>"


def _weighted(rng: random.Random, choices: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    return rng.choices(choices, weights=[choice[-1] for choice in choices])[0]


class CatalogueGenerator:
    """Generates the datasets of the Norrvik catalogue from word lists and a fixed seed."""

    def __init__(self, datasets: int, seed: int = SEED, *, changed_every: int = 0) -> None:
        self.datasets = datasets
        self.changed_every = changed_every  # every n-th dataset gets a revised title
        self.rng = random.Random(seed)
        self.catalog = iri(BASE + "katalog")
        self.vocabulary: set[str] = set()
        self.org_iris = [iri(f"{BASE}organisation/{slug}") for slug, *_ in ORGANISATIONS]
        p = {
            "type": iri(RDF + "type"),
            "title": iri(DCT + "title"),
            "description": iri(DCT + "description"),
            "identifier": iri(DCT + "identifier"),
            "keyword": iri(DCAT + "keyword"),
            "theme": iri(DCAT + "theme"),
            "publisher": iri(DCT + "publisher"),
            "contact": iri(DCAT + "contactPoint"),
            "issued": iri(DCT + "issued"),
            "modified": iri(DCT + "modified"),
            "access": iri(DCT + "accessRights"),
            "secrecy": iri(INSYN + "secrecyProvision"),
            "language": iri(DCT + "language"),
            "frequency": iri(DCT + "accrualPeriodicity"),
            "landing": iri(DCAT + "landingPage"),
            "distribution": iri(DCAT + "distribution"),
            "dataset": iri(DCAT + "dataset"),
            "access_url": iri(DCAT + "accessURL"),
            "download_url": iri(DCAT + "downloadURL"),
            "format": iri(DCT + "format"),
            "media_type": iri(DCAT + "mediaType"),
            "license": iri(DCT + "license"),
            "byte_size": iri(DCAT + "byteSize"),
            "fn": iri(VCARD + "fn"),
            "email": iri(VCARD + "hasEmail"),
        }
        self.p = p
        self.t_dataset = self._vocab(DCAT + "Dataset")
        self.t_distribution = self._vocab(DCAT + "Distribution")
        self.t_vcard = self._vocab(VCARD + "Organization")
        self.swedish = self._vocab(EU + "language/SWE")
        self.access = {
            code: self._vocab(EU + "access-right/" + code)
            for code in ("PUBLIC", "RESTRICTED", "NON_PUBLIC")
        }

    def _vocab(self, value: str) -> str:
        term = iri(value)
        self.vocabulary.add(term)
        return term

    def write(self, writer: RdfWriter) -> None:
        self._write_organisations(writer)
        self._write_catalog(writer)
        for number in range(1, self.datasets + 1):
            self._write_dataset(writer, number)

    def _write_organisations(self, writer: RdfWriter) -> None:
        municipality = self.org_iris[0]
        for organisation, (slug, name_sv, name_en, orgnr, kind) in zip(
            self.org_iris, ORGANISATIONS, strict=True
        ):
            pairs = [
                (iri(RDF + "type"), self._vocab(FOAF + "Organization")),
                (iri(FOAF + "name"), literal(name_sv, "sv")),
            ]
            if name_en:
                pairs.append((iri(FOAF + "name"), literal(name_en, "en")))
            adms = self._vocab(ADMS_TYPE + (kind or "LocalAuthority"))
            pairs.append((iri(DCT + "type"), adms))
            if orgnr:
                pairs.append((iri(DCT + "identifier"), literal(orgnr)))
            pairs.append((iri(FOAF + "homepage"), iri(f"https://www.norrvik.se/{slug}")))
            pairs.append((iri(FOAF + "mbox"), iri(f"mailto:{slug}@norrvik.se")))
            if organisation != municipality:
                pairs.append((iri(ORG + "unitOf"), municipality))
            self.vocabulary.add(organisation)
            writer.block(organisation, pairs, self.vocabulary)

    def _write_catalog(self, writer: RdfWriter) -> None:
        pairs = [
            (iri(RDF + "type"), self._vocab(DCAT + "Catalog")),
            (iri(DCT + "title"), literal("Norrviks kommuns datakatalog", "sv")),
            (iri(DCT + "title"), literal("Norrvik Municipality data catalogue", "en")),
            (
                iri(DCT + "description"),
                literal("Datamängder från Norrviks kommun, dess nämnder och helägda bolag.", "sv"),
            ),
            (iri(DCT + "publisher"), self.org_iris[0]),
            (iri(FOAF + "homepage"), iri("https://www.norrvik.se/oppnadata")),
            (iri(DCT + "language"), self.swedish),
            (iri(DCT + "license"), self._vocab(LICENCES[0][0])),
            (iri(DCAT + "themeTaxonomy"), self._vocab(EU + "data-theme")),
        ]
        writer.block(self.catalog, pairs, self.vocabulary)

    def _description(self, topic: str, org: str, y0: int, y1: int, frequency: str) -> str:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4, 5, 6, 8), weights=(6, 14, 22, 22, 16, 12, 8))[0]
        sentences = [SENTENCES[0], *rng.sample(SENTENCES[1:], count - 1)]
        area, area2 = rng.sample(AREAS, 2)
        return " ".join(
            sentence.format(
                topic=topic[0].lower() + topic[1:],
                qualifier=rng.choice(QUALIFIERS),
                y0=y0,
                y1=y1,
                system=rng.choice(SYSTEMS),
                frequency=frequency,
                org=org,
                count=rng.randint(3, 60),
                area=area,
                area2=area2,
            )
            for sentence in sentences
        )

    def _write_dataset(self, writer: RdfWriter, number: int) -> None:
        rng = self.rng
        p = self.p
        vocab = self._vocab
        stem_sv, stem_en, keywords, themes = rng.choice(TOPICS)
        org_index = rng.randrange(len(ORGANISATIONS))
        publisher = self.org_iris[org_index]
        org_slug, org_sv, _org_en, _orgnr, _kind = ORGANISATIONS[org_index]
        y1 = rng.randint(2012, 2025)
        y0 = y1 - rng.choice((0, 1, 2, 4, 5, 9))
        form = rng.random()
        if form < 0.4:
            title = f"{stem_sv} {rng.choice(QUALIFIERS)} {y1}"
        elif form < 0.7:
            title = f"{stem_sv} {rng.choice(QUALIFIERS)} {y0}–{y1}"
        elif form < 0.9:
            title = f"{stem_sv} i {rng.choice(AREAS)}, {y1}"
        else:
            title = f"{stem_sv}, {org_sv.lower() if org_index < 23 else org_sv}"
        if self.changed_every and number % self.changed_every == 0:
            title += " (reviderad)"  # after every random draw: the rest stays the same
        frequency_code, frequency_sv = rng.choice(FREQUENCIES)
        subject = iri(f"{BASE}dataset/{number:07d}")
        pairs = [
            (p["type"], self.t_dataset),
            (p["title"], literal(title, "sv")),
        ]
        if rng.random() < 0.3:
            years = f"{y1}" if form < 0.4 or y0 == y1 else f"{y0}–{y1}"
            pairs.append((p["title"], literal(f"{stem_en}, {years}", "en")))
        description = self._description(stem_sv, org_sv, y0, y1, frequency_sv)
        pairs.append((p["description"], literal(description, "sv")))
        pairs.append((p["identifier"], literal(f"norrvik-{org_slug}-{number:07d}")))
        extra = rng.sample(AREAS, 1)[0].lower() if rng.random() < 0.3 else "öppna data"
        pool = [*keywords, extra]
        for keyword in rng.sample(pool, min(len(pool), rng.randint(2, 4))):
            pairs.append((p["keyword"], literal(keyword, "sv")))
        chosen = list(themes) if rng.random() < 0.8 else themes[:1]
        for theme in chosen:
            pairs.append((p["theme"], vocab(EU + "data-theme/" + theme)))
        pairs.append((p["publisher"], publisher))
        contact = f"_:c{number}"
        pairs.append((p["contact"], contact))
        issued = date(y0, 1, 1) + timedelta(days=rng.randrange(365))
        modified = datetime(y1, 1, 1, 6) + timedelta(seconds=rng.randrange(365 * 86_400))
        pairs.append((p["issued"], literal(issued.isoformat(), datatype=XSD + "date")))
        pairs.append((p["modified"], literal(modified.isoformat(), datatype=XSD + "dateTime")))
        access = rng.random()
        if access < 0.93:
            pairs.append((p["access"], self.access["PUBLIC"]))
        else:
            code = "RESTRICTED" if access < 0.98 else "NON_PUBLIC"
            pairs.append((p["access"], self.access[code]))
            pairs.append((p["secrecy"], literal(rng.choice(SECRECY))))
        pairs.append((p["language"], self.swedish))
        pairs.append((p["frequency"], vocab(EU + "frequency/" + frequency_code)))
        if rng.random() < 0.5:
            pairs.append((p["landing"], iri(f"https://www.norrvik.se/oppnadata/{number}")))
        blank = rng.random() < 0.2
        count = rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
        distributions = [
            f"_:d{number}x{k}" if blank else iri(f"{BASE}distribution/{number:07d}-{k}")
            for k in range(1, count + 1)
        ]
        pairs.extend((p["distribution"], node) for node in distributions)
        writer.block(subject, pairs, self.vocabulary)
        writer.block(self.catalog, [(p["dataset"], subject)], self.vocabulary)

        writer.block(
            contact,
            [
                (p["type"], self.t_vcard),
                (p["fn"], literal(f"Kundtjänst, {org_sv}", "sv")),
                (p["email"], iri(f"mailto:{org_slug}@norrvik.se")),
            ],
            self.vocabulary,
        )
        for k, node in enumerate(distributions, 1):
            code, media_type, extension, _weight = _weighted(rng, FORMATS)
            licence = _weighted(rng, LICENCES)[0]
            url = f"https://data.norrvik.se/filer/{number:07d}/{k}.{extension}"
            dist = [
                (p["type"], self.t_distribution),
                (p["access_url"], iri(f"https://www.norrvik.se/oppnadata/{number}")),
            ]
            if rng.random() < 0.75:
                dist.append((p["download_url"], iri(url)))
            dist.append((p["format"], vocab(EU + "file-type/" + code)))
            if rng.random() < 0.2:
                dist.append((p["media_type"], vocab(IANA + media_type)))
            dist.append((p["license"], vocab(licence)))
            size = int(rng.lognormvariate(11, 2))
            dist.append((p["byte_size"], literal(str(size), datatype=XSD + "nonNegativeInteger")))
            if rng.random() < 0.25:
                dist.append((p["title"], literal(f"{stem_sv} ({code})", "sv")))
            writer.block(node, dist, self.vocabulary)


def generate(path: Path, datasets: int, fmt: str, *, changed_every: int = 0) -> dict[str, Any]:
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", buffering=1 << 20) as handle:
        writer = RdfWriter(handle, fmt)
        CatalogueGenerator(datasets, changed_every=changed_every).write(writer)
    return {
        "file": str(path),
        "format": fmt,
        "datasets": datasets,
        "triples": writer.triples,
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
    }


# --- the measured phases, each run in a subprocess of its own -----------------------------


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_rdflib(file: Path, fmt: str) -> dict[str, Any]:
    import rdflib

    started, cpu = time.perf_counter(), time.process_time()
    graph = rdflib.Graph()
    graph.parse(str(file), format="nt" if fmt == "nt" else "turtle")
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "triples": len(graph),
    }


def _child_oxigraph(file: Path, fmt: str) -> dict[str, Any]:
    import pyoxigraph

    started, cpu = time.perf_counter(), time.process_time()
    rdf_format = pyoxigraph.RdfFormat.N_TRIPLES if fmt == "nt" else pyoxigraph.RdfFormat.TURTLE
    triples = sum(1 for _ in pyoxigraph.parse(path=str(file), format=rdf_format))
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "triples": triples,
    }


def insyn_command() -> list[str]:
    """The ``insyn`` command of this interpreter's environment, as a person runs it."""
    script = Path(sys.executable).with_name("insyn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "insyn.cli.main"]


def _child_command(command: list[str], profile: Path | None) -> dict[str, Any]:
    """Run a command as its own process; report its wall and CPU time and its peak memory
    (the process tree's: ``RUSAGE_CHILDREN`` of this otherwise idle interpreter)."""
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summaries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": done.returncode,
        "stderr": done.stderr[-2000:],
        "summary": summaries[-1] if summaries else None,
    }


def run_child(phase: str, args: list[str]) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; return its figures (with wall time, peak MB)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", phase, *args]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0 or not done.stdout.strip():
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench: phase {phase} failed (exit {done.returncode})")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = wall
    # The one-minute load when the phase started and ended: on a shared machine wall time
    # says as much about the neighbours as about the code.
    figures["load"] = f"{load:.1f}-{os.getloadavg()[0]:.1f}"
    return figures


def child_main(args: argparse.Namespace) -> None:
    file = Path(args.file or ".")
    if args.child == "rdflib":
        figures = _child_rdflib(file, args.format)
    elif args.child == "oxigraph":
        figures = _child_oxigraph(file, args.format)
    else:
        profile = Path(args.profile_file) if args.profile_file else None
        print(json.dumps(_child_command(args.command, profile)))
        return
    figures["peak_mb"] = _peak_mb()
    print(json.dumps(figures))


# --- the machine, the report ------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def evaluate(figures: dict[str, Any]) -> dict[str, Any]:
    """Targets and PASS/MISS; the seconds targets scale with the number of datasets."""
    n = figures["catalogue"]["datasets"]
    scale = n / TARGET_DATASETS
    first = figures["insyn_first"]["seconds"]
    unchanged = figures["insyn_unchanged"]["seconds"]
    rewritten = figures["insyn_rewritten"]["seconds"]
    peak = max(figures[name]["peak_mb"] for name in INSYN_PHASES)
    checks: dict[str, Any] = {
        "first_harvest_s": {"value": first, "target": f"< {TARGET_FIRST_S * scale:g}"},
        "reharvest_s": {"value": unchanged, "target": f"< {TARGET_REHARVEST_S * scale:g}"},
        "reharvest_rewritten_s": {
            "value": rewritten,
            "target": f"< {TARGET_REHARVEST_S * scale:g}",
        },
        "peak_mb": {"value": peak, "target": f"< {TARGET_PEAK_MB:g}"},
    }
    checks["first_harvest_s"]["result"] = _verdict(first < TARGET_FIRST_S * scale)
    checks["reharvest_s"]["result"] = _verdict(unchanged < TARGET_REHARVEST_S * scale)
    checks["reharvest_rewritten_s"]["result"] = _verdict(rewritten < TARGET_REHARVEST_S * scale)
    checks["peak_mb"]["result"] = _verdict(peak < TARGET_PEAK_MB)
    if "rdflib" in figures:
        ratio = first / figures["rdflib"]["seconds"]
        checks["ratio_first_to_rdflib"] = {
            "value": ratio,
            "target": f"<= {TARGET_RATIO:g}",
            "result": _verdict(ratio <= TARGET_RATIO),
        }
    problems = []
    changed = n // CHANGED_EVERY
    for name, wanted in (
        ("insyn_first", {"added": n}),
        ("insyn_unchanged", {"unchanged": n}),
        ("insyn_rewritten", {"unchanged": n}),
        ("insyn_changed", {"updated": changed, "unchanged": n - changed}),
    ):
        phase = figures[name]
        summary = phase["summary"] or {}
        got = {field: summary.get(field) for field in wanted}
        if phase["exit"] != 0 or summary.get("status") != "completed" or got != wanted:
            problems.append(
                f"{name}: exit {phase['exit']}, expected {wanted}, got {summary}; "
                f"stderr: {phase['stderr'][-300:]}"
            )
    if "rdflib" in figures and figures["rdflib"]["triples"] != figures["catalogue"]["triples"]:
        problems.append(
            f"rdflib read {figures['rdflib']['triples']} triples, "
            f"the generator wrote {figures['catalogue']['triples']}"
        )
    checks["problems"] = problems
    return checks


INSYN_PHASES = ("insyn_first", "insyn_unchanged", "insyn_rewritten", "insyn_changed")
CHANGED_EVERY = 100  # 1 % of the datasets change between the harvests


def render(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    c = figures["catalogue"]
    checks = figures["checks"]
    n = c["datasets"]
    mb = c["bytes"] / 1024 / 1024
    lines = [
        f"Insyn harvest benchmark: {n:,} datasets, the command 'insyn --home H harvest NAME' "
        "(index catch-up included) as a process",
        f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gb']} GB RAM; "
        f"Python {m['python']}, SQLite {m['sqlite']}; load average {figures['load_average']}",
        f"catalogue: {c['file']}",
        f"  {c['format']}, {mb:,.1f} MB, {c['triples']:,} triples "
        f"({c['triples'] / n:.1f} per dataset), written in {c['seconds']:.1f} s",
    ]
    if figures.get("profiled"):
        lines.append("  NOTE: Insyn runs were profiled with cProfile; their times are inflated")
    lines += [
        "",
        f"{'measure':<46}{'wall s':>9}{'cpu s':>8}{'datasets/s':>12}{'peak MB':>9}  "
        f"{'target':<10}{'result':<7}{'load':<9}",
        "-" * 115,
    ]

    def row(label: str, phase: dict[str, Any], target: str = "", result: str = "") -> None:
        seconds = phase["seconds"]
        rate = f"{n / seconds:,.0f}" if seconds else ""
        lines.append(
            f"{label:<46}{seconds:>9.1f}{phase['cpu_seconds']:>8.1f}{rate:>12}"
            f"{phase['peak_mb']:>9,.0f}  {target:<10}{result:<7}{phase.get('load', '')}".rstrip()
        )

    if "rdflib" in figures:
        row("rdflib Graph().parse (baseline)", figures["rdflib"])
    if "oxigraph" in figures:
        row("pyoxigraph parse only (for reference)", figures["oxigraph"])
    first_check, again_check = checks["first_harvest_s"], checks["reharvest_s"]
    rewritten_check = checks["reharvest_rewritten_s"]
    row(
        "insyn harvest, empty catalogue",
        figures["insyn_first"],
        first_check["target"] + " s",
        first_check["result"],
    )
    row(
        "insyn harvest --full, nothing changed",
        figures["insyn_unchanged"],
        again_check["target"] + " s",
        again_check["result"],
    )
    row(
        "insyn harvest, same statements, new bytes",
        figures["insyn_rewritten"],
        rewritten_check["target"] + " s",
        rewritten_check["result"],
    )
    row(f"insyn harvest, 1 % changed ({n // CHANGED_EVERY:,})", figures["insyn_changed"])
    lines.append("-" * 115)
    peak = checks["peak_mb"]
    lines.append(
        f"{'peak memory, largest insyn harvest (MB)':<46}{peak['value']:>38,.0f}  "
        f"{peak['target']:<10}{peak['result']}"
    )
    if "ratio_first_to_rdflib" in checks:
        ratio = checks["ratio_first_to_rdflib"]
        lines.append(
            f"{'ratio insyn harvest / rdflib parse (wall)':<46}{ratio['value']:>9.2f}"
            f"{'':>29}  {ratio['target']:<10}{ratio['result']}"
        )
        cpu_ratio = figures["insyn_first"]["cpu_seconds"] / figures["rdflib"]["cpu_seconds"]
        lines.append(f"{'the same in CPU seconds (for reference)':<46}{'':>9}{cpu_ratio:>8.2f}")
    lines.append("")
    for name in INSYN_PHASES:
        s = figures[name]["summary"] or {}
        lines.append(
            f"{name:<16} status={s.get('status')} added={s.get('added')} "
            f"updated={s.get('updated')} unchanged={s.get('unchanged')} "
            f"failed={s.get('failed')} harvest alone={s.get('seconds')} s"
        )
    busy = [
        name
        for name in ("rdflib", *INSYN_PHASES)
        if name in figures
        and figures[name]["seconds"] > 1.0
        and figures[name]["cpu_seconds"] < 0.85 * figures[name]["seconds"]
    ]
    if busy:
        lines.append(
            f"NOTE: wall time well above CPU time in {', '.join(busy)}: the machine was busy "
            f"(load average {figures['load_average']}) or waiting on disk; compare cpu s"
        )
    for problem in checks["problems"]:
        lines.append(f"PROBLEM: {problem}")
    return "\n".join(lines)


def render_profile(path: Path, top: int = 30) -> str:
    """The top functions of a cProfile dump, by cumulative and by own time."""
    import pstats

    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = stats.stats  # type: ignore[attr-defined]

    def name(key: tuple[str, int, str]) -> str:
        filename, line, function = key
        for marker in ("site-packages/", "/main/", "/lib/python3.11/"):
            if marker in filename:
                filename = filename.split(marker, 1)[1]
                break
        return f"{function} ({filename}:{line})" if line else function

    lines = [f"profile {path.name}: total {total:.1f} s (cProfile overhead included)"]
    for title, column in (("cumulative", 3), ("own time", 2)):
        lines.append(f"  top {top} by {title}:      cum s   own s  share  calls")
        ranked = sorted(entries.items(), key=lambda item: item[1][column], reverse=True)
        for key, (_cc, calls, own, cumulative, _callers) in ranked[:top]:
            share = (cumulative if column == 3 else own) / total if total else 0
            lines.append(
                f"    {cumulative:8.2f} {own:7.2f} {share:6.1%} {calls:>9}  {name(key)[:110]}"
            )
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _touch(path: Path) -> None:
    """Give the file a new mtime, as a rewrite of the same content would."""
    old = path.stat().st_mtime_ns
    now = max(time.time_ns(), old + 1_000_000)
    os.utime(path, ns=(now, now))


def _installed_bytecode() -> None:
    """Time the command as installed: with its modules' bytecode compiled once and cached.

    With PYTHONDONTWRITEBYTECODE set (as in some shells and CI), every ``insyn`` process
    compiled Insyn's source again on start, about a second of CPU per command.
    """
    import compileall

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(BENCH_DIR.parent / "insyn", quiet=1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--datasets", type=int, nargs="+", default=list(SIZES), help="default 20000 100000"
    )
    parser.add_argument("--out", help="working directory (default: a temp dir in bench/out/)")
    parser.add_argument("--format", choices=("turtle", "nt"), default="turtle")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--skip-rdflib", action="store_true", help="no rdflib baseline")
    parser.add_argument(
        "--profile", action="store_true", help="profile the Insyn runs with cProfile"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--profile-file", help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child_main(args)
        return 0
    _installed_bytecode()
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        temporary = False
    else:
        (BENCH_DIR / "out").mkdir(exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix="harvest-", dir=BENCH_DIR / "out"))
        temporary = not (args.keep or args.profile)
    try:
        for datasets in args.datasets:
            figures = run(args, out, datasets)
            if args.json:
                print(json.dumps(figures, indent=2, ensure_ascii=False))
                continue
            print(render(figures))
            for name in INSYN_PHASES:
                profile = figures[name].get("profile")
                if profile:
                    print()
                    print(render_profile(Path(profile)))
            print()
    finally:
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, out: Path, datasets: int) -> dict[str, Any]:
    from insyn.connectors.http import DEFAULT_MAX_BYTES

    extension = "ttl" if args.format == "turtle" else "nt"
    file = out / f"catalogue-{datasets}.{extension}"
    meta_file = file.with_suffix(".json")
    wanted = {"datasets": datasets, "format": args.format, "seed": SEED}
    catalogue = json.loads(meta_file.read_text()) if meta_file.exists() else None
    if catalogue and file.exists() and {k: catalogue.get(k) for k in wanted} == wanted:
        _log(f"reusing {file}")
    else:
        _log(f"writing {datasets:,} datasets to {file}")
        catalogue = generate(file, datasets, args.format) | {"seed": SEED}
        meta_file.write_text(json.dumps(catalogue))
    _log(f"{catalogue['triples']:,} triples, {catalogue['bytes'] / 1e6:,.1f} MB")
    figures: dict[str, Any] = {"machine": machine(), "catalogue": catalogue}
    common = ["--file", str(file), "--format", args.format]
    if not args.skip_rdflib:
        _log("rdflib Graph().parse (baseline) ...")
        figures["rdflib"] = run_child("rdflib", common)
        _log(f"rdflib: {figures['rdflib']['seconds']:.1f} s")
    figures["oxigraph"] = run_child("oxigraph", common)
    home = out / "home"
    shutil.rmtree(home, ignore_errors=True)
    insyn = [*insyn_command(), "--home", str(home)]
    size = file.stat().st_size
    # A file over the default size limit needs the limit raised, as an admin would.
    options = ["--option", f"max_bytes={2 * size}"] if size > DEFAULT_MAX_BYTES else []
    subprocess.run([*insyn, "init"], check=True, capture_output=True)
    subprocess.run(
        [*insyn, "sources", "add", SOURCE_NAME, "--kind", "dcat", "--url", str(file), *options],
        check=True,
        capture_output=True,
    )
    changed = file.with_name(f"changed-{file.name}")
    for name, extra in (
        ("insyn_first", []),
        ("insyn_unchanged", ["--full"]),
        ("insyn_rewritten", []),
        ("insyn_changed", []),
    ):
        if name == "insyn_unchanged":
            _touch(file)
        if name == "insyn_rewritten":
            # Same statements, other bytes (as a portal that stamps each export): the file
            # is parsed and every record's digest is taken, but nothing is mapped again.
            with file.open("a", encoding="utf-8") as handle:
                handle.write("# written again\n")
            meta_file.unlink(missing_ok=True)
        if name == "insyn_changed":
            _log(f"rewriting the file with every {CHANGED_EVERY}th dataset changed")
            generate(changed, datasets, args.format, changed_every=CHANGED_EVERY)
            changed.replace(file)  # same path: the source stays as it was added
            meta_file.unlink(missing_ok=True)  # the next run writes the unchanged file again
        profile = ["--profile-file", str(out / f"profile-{name}.prof")] if args.profile else []
        command = [*insyn, "harvest", SOURCE_NAME, "--json", *extra]
        _log(f"{name}: {' '.join(command[-4:])} ...")
        figures[name] = run_child("command", [*profile, "--", *command])
        if args.profile:
            figures[name]["profile"] = profile[1]
        _log(f"{name}: {figures[name]['seconds']:.1f} s, {figures[name]['peak_mb']:.0f} MB")
    figures["profiled"] = args.profile
    figures["load_average"] = " ".join(f"{load:.1f}" for load in os.getloadavg())
    figures["checks"] = evaluate(figures)
    return figures


if __name__ == "__main__":
    sys.exit(main())
