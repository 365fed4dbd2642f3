"""Write the demo catalogue of Exempelby kommun, a fictional Swedish municipality.

Run ``python scripts/generate_demo.py`` to rewrite ``insyn/demo/data/exempelby-katalog.ttl``.
The output is deterministic: the same data gives the same file, byte for byte, and a test
checks that the committed file is what this script writes.

The module reads from top to bottom: the organisation tree, the process classification,
contact points and places, the data services, the datasets (grouped by information
owner), and last the code that turns it all into DCAT-AP-SE 3.0 Turtle with Insyn's
governance extension (``insyn:``: secrecy provision, personal data, information owner,
process code, retention and K/R/T levels).

Everything here is invented: the municipality, its organisation numbers, addresses and
e-mail addresses. The secrecy provisions are real sections of the Swedish Public Access
to Information and Secrecy Act (offentlighets- och sekretesslagen, OSL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, RDF, RDFS, XSD
from rdflib.term import Node

from insyn.vocab.namespaces import (
    ACCESS_RIGHT,
    DATA_THEME,
    DCATAP,
    EU_AUTHORITY,
    FILE_TYPE,
    FREQUENCY,
    INSYN,
    LANGUAGE,
    LICENCE,
    VCARD,
)

PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
MEDIA_TYPE = Namespace("http://www.iana.org/assignments/media-types/")
AVAILABILITY = Namespace(EU_AUTHORITY + "planned-availability/")

OUTPUT = Path(__file__).resolve().parents[1] / "insyn" / "demo" / "data" / "exempelby-katalog.ttl"

BASE = "https://data.exempelby.se/"
CATALOGUE = URIRef(BASE + "katalog")
WEBSITE = "https://www.exempelby.se/"
FILES = BASE + "filer/"  # the open-data file server
TODAY = date(2026, 11, 25)  # the catalogue's "now": no date in it may be later

PREFIXES = {
    "adms-pt": PUBLISHER_TYPE,
    "dcat": DCAT,
    "dcatap": DCATAP,
    "dct": DCTERMS,
    "foaf": FOAF,
    "insyn": INSYN,
    "org": ORG,
    "rdf": RDF,
    "rdfs": RDFS,
    "vcard": VCARD,
    "xsd": XSD,
}


# --- organisations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    key: str  # the last part of the URI, and the key datasets use
    name_sv: str
    name_en: str | None  # companies go by their Swedish name
    identifier: str  # organisationsnummer
    publisher_type: str  # ADMS publisher type: "LocalAuthority" or "Company"
    parent: str | None
    homepage: str
    contact: str  # key into CONTACTS: the administration (förvaltning) that answers
    process_areas: tuple[str, ...]  # the parts of PROCESSES this body's records belong to
    files: str = FILES  # where the body's open-data files are published


# Committees (nämnder) are part of the municipality's legal person and so share its
# organisationsnummer; the URI tells them apart. The companies are legal persons of their
# own. The check digits are valid (Luhn), 212000-99xx is outside the numbers that real
# municipalities have, and the 556990 series is made up.
KOMMUN_ORGNR = "212000-9994"

ORGANISATIONS = (
    Organisation(
        "exempelby-kommun",
        "Exempelby kommun",
        "Exempelby Municipality",
        KOMMUN_ORGNR,
        "LocalAuthority",
        None,
        WEBSITE,
        "kommunledning",
        (),
    ),
    Organisation(
        "kommunstyrelsen",
        "Kommunstyrelsen",
        "Municipal Executive Board",
        KOMMUN_ORGNR,
        "LocalAuthority",
        "exempelby-kommun",
        WEBSITE + "kommun-och-politik/kommunstyrelsen",
        "kommunledning",
        ("1", "2"),
    ),
    Organisation(
        "byggnadsnamnden",
        "Byggnadsnämnden",
        "Building Committee",
        KOMMUN_ORGNR,
        "LocalAuthority",
        "exempelby-kommun",
        WEBSITE + "kommun-och-politik/namnder/byggnadsnamnden",
        "samhallsbyggnad",
        ("3.1",),
    ),
    Organisation(
        "socialnamnden",
        "Socialnämnden",
        "Social Services Committee",
        KOMMUN_ORGNR,
        "LocalAuthority",
        "exempelby-kommun",
        WEBSITE + "kommun-och-politik/namnder/socialnamnden",
        "social",
        ("3.2",),
    ),
    Organisation(
        "utbildningsnamnden",
        "Utbildningsnämnden",
        "Education Committee",
        KOMMUN_ORGNR,
        "LocalAuthority",
        "exempelby-kommun",
        WEBSITE + "kommun-och-politik/namnder/utbildningsnamnden",
        "utbildning",
        ("3.3",),
    ),
    Organisation(
        "tekniska-namnden",
        "Tekniska nämnden",
        "Technical Services Committee",
        KOMMUN_ORGNR,
        "LocalAuthority",
        "exempelby-kommun",
        WEBSITE + "kommun-och-politik/namnder/tekniska-namnden",
        "teknik",
        ("3.4",),
    ),
    Organisation(
        "kultur-och-fritidsnamnden",
        "Kultur- och fritidsnämnden",
        "Culture and Leisure Committee",
        KOMMUN_ORGNR,
        "LocalAuthority",
        "exempelby-kommun",
        WEBSITE + "kommun-och-politik/namnder/kultur-och-fritidsnamnden",
        "kultur",
        ("3.5",),
    ),
    Organisation(
        "miljo-och-halsoskyddsnamnden",
        "Miljö- och hälsoskyddsnämnden",
        "Environment and Public Health Committee",
        KOMMUN_ORGNR,
        "LocalAuthority",
        "exempelby-kommun",
        WEBSITE + "kommun-och-politik/namnder/miljo-och-halsoskyddsnamnden",
        "miljo",
        ("3.6",),
    ),
    Organisation(
        "exempelby-energi",
        "Exempelby Energi AB",
        None,
        "556990-0128",
        "Company",
        "exempelby-kommun",
        "https://www.exempelbyenergi.se/",
        "energi",
        ("3.7",),
        files="https://www.exempelbyenergi.se/oppna-data/",
    ),
    Organisation(
        "exempelbyhem",
        "Exempelbyhem AB",
        None,
        "556990-0136",
        "Company",
        "exempelby-kommun",
        "https://www.exempelbyhem.se/",
        "hem",
        ("3.8",),
        files="https://www.exempelbyhem.se/oppna-data/",
    ),
)
ORGANISATION = {org.key: org for org in ORGANISATIONS}

# A small classification in the style of KLASSA (SKR's classification of municipal
# processes): 1 steering, 2 support, 3 the core processes, one area per committee/company.
PROCESSES = {
    "1": "Styra och leda",
    "1.1": "Styra verksamheten",
    "1.1.1": "Ta fram budget och verksamhetsplan",
    "1.1.2": "Bereda och besluta politiska ärenden",
    "1.2": "Följa upp och analysera",
    "1.2.1": "Ta fram statistik och analyser",
    "1.3": "Utveckla kommunen",
    "1.3.1": "Främja digital infrastruktur och näringsliv",
    "1.4": "Hantera säkerhet och krisberedskap",
    "1.4.1": "Analysera risker och planera för kriser",
    "2": "Stödja verksamheten",
    "2.1": "Hantera ekonomi",
    "2.1.1": "Hantera leverantörsfakturor",
    "2.1.2": "Upphandla och avtala",
    "2.2": "Hantera personal",
    "2.2.1": "Anställa och administrera personal",
    "2.2.2": "Följa upp arbetsmiljö och personalstatistik",
    "2.3": "Hantera information och IT",
    "2.3.1": "Registrera och diarieföra handlingar",
    "2.3.2": "Tillhandahålla öppna data",
    "2.4": "Förvalta lokaler och säkerhet",
    "2.4.1": "Hantera lås, larm och passage",
    "3": "Verksamhetsprocesser",
    "3.1": "Samhällsbyggnad",
    "3.1.1": "Pröva bygglov",
    "3.1.2": "Upprätta översikts- och detaljplaner",
    "3.1.3": "Förvalta geodata och kartor",
    "3.2": "Socialtjänst",
    "3.2.1": "Ge stöd till barn, unga och familjer",
    "3.2.2": "Handlägga ekonomiskt bistånd",
    "3.2.3": "Ge stöd och omsorg till äldre",
    "3.2.4": "Ge stöd till personer med funktionsnedsättning",
    "3.2.5": "Administrera socialtjänstens personregister",
    "3.3": "Utbildning",
    "3.3.1": "Bedriva förskola",
    "3.3.2": "Bedriva grund- och gymnasieskola",
    "3.3.3": "Bedriva elevhälsa",
    "3.3.4": "Bedriva vuxenutbildning",
    "3.3.5": "Ordna skolskjuts och skolmåltider",
    "3.4": "Teknik och infrastruktur",
    "3.4.1": "Förvalta gator och trafik",
    "3.4.2": "Förvalta parker och grönområden",
    "3.4.3": "Producera och leverera dricksvatten",
    "3.4.4": "Samla in och behandla avfall",
    "3.4.5": "Förvalta kommunala fastigheter",
    "3.5": "Kultur och fritid",
    "3.5.1": "Bedriva biblioteksverksamhet",
    "3.5.2": "Tillhandahålla idrotts- och friluftsanläggningar",
    "3.5.3": "Främja konst och kultur",
    "3.5.4": "Stödja föreningslivet",
    "3.6": "Miljö och hälsoskydd",
    "3.6.1": "Utöva miljötillsyn",
    "3.6.2": "Utöva livsmedelskontroll",
    "3.6.3": "Övervaka miljö och hälsa",
    "3.7": "Energi",
    "3.7.1": "Driva elnät",
    "3.7.2": "Producera och leverera fjärrvärme",
    "3.7.3": "Tillhandahålla laddinfrastruktur",
    "3.7.4": "Producera förnybar el",
    "3.7.5": "Sälja energitjänster",
    "3.8": "Bostäder",
    "3.8.1": "Hyra ut bostäder",
    "3.8.2": "Förvalta bostadsfastigheter",
}

# key -> (vcard:fn, e-mail address)
CONTACTS = {
    "kommunledning": ("Kommunledningsförvaltningen", "kommunledning@exempelby.se"),
    "oppnadata": ("Öppna data, Exempelby kommun", "oppnadata@exempelby.se"),
    "samhallsbyggnad": ("Samhällsbyggnadsförvaltningen", "samhallsbyggnad@exempelby.se"),
    "geodata": ("Geodataenheten, samhällsbyggnadsförvaltningen", "geodata@exempelby.se"),
    "social": ("Socialförvaltningen", "socialforvaltningen@exempelby.se"),
    "utbildning": ("Utbildningsförvaltningen", "utbildning@exempelby.se"),
    "teknik": ("Tekniska förvaltningen", "tekniska@exempelby.se"),
    "kultur": ("Kultur- och fritidsförvaltningen", "kulturochfritid@exempelby.se"),
    "miljo": ("Miljöförvaltningen", "miljo@exempelby.se"),
    "energi": ("Exempelby Energi AB, kundservice", "kundservice@exempelbyenergi.se"),
    "hem": ("Exempelbyhem AB, kundcenter", "kundcenter@exempelbyhem.se"),
}

# key -> (Swedish label, English label or None)
PLACES = {
    "exempelby-kommun": ("Exempelby kommun", "Exempelby Municipality"),
    "exempelby-tatort": ("Exempelby tätort", "Exempelby (town)"),
    "norrvik": ("Norrvik", None),
}


# --- formats and data services ----------------------------------------------------------


@dataclass(frozen=True)
class Format:
    media_type: str | None  # IANA media type, None for services
    extension: str | None  # of the downloadable file, None for services
    label: str  # shown in distribution titles


FORMATS = {
    "CSV": Format("text/csv", "csv", "CSV"),
    "JSON": Format("application/json", "json", "JSON"),
    "GEOJSON": Format("application/geo+json", "geojson", "GeoJSON"),
    "XLSX": Format(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel"
    ),
    "PDF": Format("application/pdf", "pdf", "PDF"),
    "XML": Format("application/xml", "xml", "XML"),
    "SHP": Format("application/zip", "zip", "Shape, zippad"),
    "GPKG": Format("application/geopackage+sqlite3", "gpkg", "GeoPackage"),
    "WMS_SRVC": Format(None, None, "WMS"),
}


@dataclass(frozen=True)
class Service:
    key: str
    title_sv: str
    title_en: str | None
    description: str
    endpoint: str
    endpoint_description: str
    publisher: str
    contact: str
    licence: str
    themes: tuple[str, ...]
    keywords: tuple[str, ...]
    process: str
    conforms_to: str | None = None
    distribution_note: str = ""  # the description of distributions accessed through it


SERVICES = (
    Service(
        "api",
        "Exempelby öppna data-API",
        "Exempelby open data API",
        "REST-API som ger maskinläsbar åtkomst till kommunens öppna data i JSON. Varje "
        "datamängd har en egen resurs med filtrering och sidindelning, och API:t beskrivs i "
        "en OpenAPI-specifikation. Ingen API-nyckel behövs.",
        "https://api.exempelby.se/oppnadata/v1",
        "https://api.exempelby.se/oppnadata/v1/openapi.json",
        "kommunstyrelsen",
        "oppnadata",
        "CC0",
        ("GOVE", "TECH"),
        ("API", "öppna data", "REST", "JSON", "OpenAPI"),
        "2.3.2",
        distribution_note="Åtkomst via Exempelby öppna data-API i JSON-format.",
    ),
    Service(
        "wms",
        "Exempelby kartor – visningstjänst (WMS)",
        "Exempelby maps – web map service (WMS)",
        "Visningstjänst enligt OGC Web Map Service 1.3.0 med kommunens kartskikt: baskarta, "
        "ortofoto, detaljplaner, cykelvägar och miljödata. Tjänsten kan användas direkt i "
        "GIS-program som QGIS eller som bakgrund i webbkartor.",
        "https://karta.exempelby.se/geoserver/wms",
        "https://karta.exempelby.se/geoserver/wms?service=WMS&request=GetCapabilities",
        "byggnadsnamnden",
        "geodata",
        "CC_BY_4_0",
        ("REGI",),
        ("WMS", "karttjänst", "kartskikt", "geodata", "visningstjänst"),
        "3.1.3",
        conforms_to="http://www.opengis.net/def/serviceType/ogc/wms",
        distribution_note="Kartskikt i kommunens WMS-tjänst.",
    ),
    Service(
        "energi-api",
        "Exempelby Energi – öppet API för laddplatser och elnät",
        None,
        "API med realtidsdata från Exempelby Energi: lediga laddpunkter, pågående "
        "strömavbrott och elproduktion från solcellsparken i Norrvik. Svaren levereras i "
        "JSON och uppdateras löpande.",
        "https://api.exempelbyenergi.se/open/v2",
        "https://api.exempelbyenergi.se/open/v2/docs",
        "exempelby-energi",
        "energi",
        "CC0",
        ("ENER",),
        ("API", "laddplatser", "elnät", "realtidsdata"),
        "3.7.3",
        distribution_note="Realtidsdata via Exempelby Energis öppna API.",
    ),
)
SERVICE = {service.key: service for service in SERVICES}


# --- datasets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dist:
    """One distribution: a file on the open-data server, or access through a service."""

    format: str  # key into FORMATS
    service: str | None = None  # key into SERVICES
    title: str | None = None
    description: str | None = None
    size: int | None = None  # bytes
    licence: str | None = None  # defaults to the dataset's licence
    availability: str | None = None  # STABLE, AVAILABLE, EXPERIMENTAL, TEMPORARY


CSV = Dist("CSV")
XLSX = Dist("XLSX")
GEOJSON = Dist("GEOJSON")
SHP = Dist("SHP")
GPKG = Dist("GPKG")
PDF = Dist("PDF")
XML = Dist("XML")
API = Dist("JSON", service="api")
WMS = Dist("WMS_SRVC", service="wms")
ENERGI_API = Dist("JSON", service="energi-api")


@dataclass(frozen=True)
class Dataset:
    slug: str
    owner: str  # key into ORGANISATIONS: publisher and information owner
    title: str
    description: str
    keywords: tuple[str, ...]
    themes: tuple[str, ...]  # EU data themes
    frequency: str  # EU frequency code
    issued: str
    modified: str
    process: str  # key into PROCESSES
    distributions: tuple[Dist, ...] = ()
    title_en: str | None = None
    description_en: str | None = None
    period: tuple[str, str | None] | None = None  # dct:temporal: start, end (None: ongoing)
    landing_page: str | None = None
    places: tuple[str, ...] = ("exempelby-kommun",)
    contact: str | None = None  # defaults to the owner's contact
    licence: str = "CC0"
    blank_distributions: bool = False  # as harvested catalogues often have
    # governance
    access: str = "PUBLIC"
    secrecy: str | None = None  # OSL provision, for non-public records
    personal_data: tuple[str, ...] = ()  # categories; empty means no personal data
    retention: str = "bevaras"
    retention_period: str | None = None  # when gallras
    krt: tuple[int, int, int] = (0, 2, 1)  # confidentiality, integrity, availability


DATASETS = (
    # --- Kommunstyrelsen -------------------------------------------------------------
    Dataset(
        "budget-och-utfall",
        "kommunstyrelsen",
        "Budget och utfall per nämnd",
        "Kommunfullmäktiges budget och det ekonomiska utfallet för kommunstyrelsen och varje "
        "nämnd, uppdelat på verksamhetsområde. Uppgifterna kommer från kommunens "
        "ekonomisystem och publiceras när årsredovisningen har fastställts. Belopp anges i "
        "tusentals kronor (tkr).",
        ("budget", "budgeten", "utfall", "årsredovisning", "ekonomi", "nämndernas budgetar"),
        ("ECON", "GOVE"),
        "ANNUAL",
        "2019-04-15",
        "2026-04-28",
        "1.1.1",
        (Dist("CSV", size=184_320), XLSX, API),
        title_en="Budget and outturn by committee",
        description_en="The council's budget and the financial outturn for the executive "
        "board and each committee, by area of activity. Published once the annual report "
        "has been adopted; amounts in thousands of SEK.",
        period=("2015-01-01", "2025-12-31"),
        landing_page=WEBSITE + "kommun-och-politik/ekonomi/budget-och-arsredovisning",
        krt=(0, 3, 1),
    ),
    Dataset(
        "leverantorsreskontra",
        "kommunstyrelsen",
        "Leverantörsreskontra – utbetalningar till leverantörer",
        "Kommunens utbetalningar till leverantörer per månad, med leverantörens namn, "
        "organisationsnummer, konto och belopp exklusive moms. Utbetalningar till "
        "privatpersoner är borttagna, men namn på enskilda näringsidkare kan förekomma. "
        "Datamängden gör det möjligt att följa vad kommunen köper och av vem.",
        ("leverantörsreskontra", "leverantörsfakturor", "utbetalningar", "inköp", "fakturor"),
        ("ECON",),
        "MONTHLY",
        "2020-02-10",
        "2026-11-05",
        "2.1.1",
        (Dist("CSV", size=2_411_520), XLSX),
        title_en="Supplier payments",
        period=("2019-01-01", None),
        personal_data=("namn",),
        retention="gallras",
        retention_period="10 år",
        krt=(1, 3, 2),
    ),
    Dataset(
        "befolkning-per-distrikt",
        "kommunstyrelsen",
        "Befolkningsstatistik per distrikt och ålder",
        "Antal folkbokförda invånare i Exempelby kommun den 31 december varje år, fördelat på "
        "distrikt, kön och ettårsklasser. Statistiken bygger på uttag från SCB:s "
        "befolkningsregister och används bland annat i planeringen av förskolor och skolor. "
        "Små grupper är sammanslagna så att enskilda personer inte kan pekas ut.",
        ("befolkning", "befolkningsstatistik", "invånare", "folkmängd", "åldersfördelning"),
        ("SOCI",),
        "ANNUAL",
        "2019-03-20",
        "2026-03-18",
        "1.2.1",
        (Dist("CSV", size=96_256), XLSX, API),
        title_en="Population by district and age",
        period=("2000-01-01", "2025-12-31"),
    ),
    Dataset(
        "befolkningsprognos",
        "kommunstyrelsen",
        "Befolkningsprognos 2026–2040",
        "Kommunens prognos över hur befolkningen utvecklas fram till 2040, per distrikt och "
        "åldersgrupp. Prognosen tas fram varje vår utifrån planerat bostadsbyggande, "
        "flyttmönster och antaganden om födda och döda. Den ligger till grund för planeringen "
        "av förskolor, skolor och äldreboenden.",
        ("befolkningsprognos", "prognoser", "befolkningsutveckling", "framskrivning"),
        ("SOCI", "REGI"),
        "ANNUAL",
        "2021-05-12",
        "2026-05-20",
        "1.2.1",
        (XLSX, Dist("PDF", title="Rapport: Befolkningsprognos 2026–2040", size=3_145_728)),
        period=("2026-01-01", "2040-12-31"),
    ),
    Dataset(
        "folkhalsoenkat",
        "kommunstyrelsen",
        "Folkhälsa – resultat från folkhälsoenkäten",
        "Resultat från den återkommande folkhälsoenkäten bland vuxna invånare: självskattad "
        "hälsa, levnadsvanor, tobak och alkohol, fysisk aktivitet och upplevd trygghet. "
        "Svaren redovisas per kön, åldersgrupp och kommundel. Enkäten genomförs vartannat år "
        "i samarbete med regionen.",
        ("folkhälsa", "folkhälsoenkäten", "levnadsvanor", "hälsa", "trygghet", "enkätresultat"),
        ("HEAL", "SOCI"),
        "BIENNIAL",
        "2019-11-04",
        "2025-10-14",
        "1.2.1",
        (CSV, Dist("PDF", title="Sammanfattande rapport")),
        title_en="Public health survey results",
        period=("2016-01-01", "2024-12-31"),
    ),
    Dataset(
        "protokoll-och-beslut",
        "kommunstyrelsen",
        "Sammanträden, protokoll och beslut i kommunfullmäktige och kommunstyrelsen",
        "Förteckning över sammanträden i kommunfullmäktige (KF) och kommunstyrelsen (KS) med "
        "kallelser, justerade protokoll och beslutade paragrafer. Varje post innehåller datum, "
        "ärendemening, diarienummer och en länk till protokollet. Protokollen anslås på "
        "kommunens digitala anslagstavla när de har justerats.",
        ("protokoll", "kommunfullmäktige", "KF", "sammanträden", "beslut", "kallelser"),
        ("GOVE",),
        "MONTHLY",
        "2019-09-02",
        "2026-11-19",
        "1.1.2",
        (API, XML),
        landing_page=WEBSITE + "kommun-och-politik/moten-och-protokoll",
        personal_data=("namn",),
        krt=(0, 3, 2),
    ),
    Dataset(
        "diarium-kommunstyrelsen",
        "kommunstyrelsen",
        "Kommunstyrelsens diarium",
        "Den offentliga delen av kommunstyrelsens diarium: registrerade ärenden och handlingar "
        "med diarienummer, ärendemening, datum och handläggande enhet. Namn på privatpersoner "
        "är maskerade och uppgifter som omfattas av sekretess visas inte. Diariet uppdateras "
        "varje natt från ärendehanteringssystemet.",
        ("diarium", "diariet", "allmänna handlingar", "ärenden", "diarienummer"),
        ("GOVE",),
        "DAILY",
        "2022-01-17",
        "2026-11-24",
        "2.3.1",
        (API, Dist("CSV", title="Månadsuttag av diariet (CSV)")),
        title_en="Register of official documents – Municipal Executive Board",
        landing_page=WEBSITE + "kommun-och-politik/diarium",
        personal_data=("namn", "adress"),
        krt=(1, 3, 2),
    ),
    Dataset(
        "personalstatistik",
        "kommunstyrelsen",
        "Personalstatistik – anställda och sjukfrånvaro",
        "Antal månads- och timavlönade medarbetare, årsarbetare och sjukfrånvaro i procent av "
        "ordinarie arbetstid, per förvaltning och kön. Uppgifterna hämtas ur personal- och "
        "lönesystemet vid årsskiftet och redovisas även i kommunens personalbokslut. Grupper "
        "med färre än fem personer redovisas inte.",
        ("personalstatistik", "anställda", "sjukfrånvaro", "personalbokslut", "medarbetare"),
        ("GOVE", "SOCI"),
        "ANNUAL",
        "2020-03-30",
        "2026-03-25",
        "2.2.2",
        (CSV, XLSX),
        title_en="Staff statistics and sick leave",
        period=("2018-01-01", "2025-12-31"),
    ),
    Dataset(
        "upphandlade-avtal",
        "kommunstyrelsen",
        "Upphandlade avtal",
        "Kommunens gällande ramavtal och avtal efter upphandling, med avtalsområde, "
        "leverantör, avtalsperiod och eventuella förlängningsoptioner. Listan hjälper både "
        "förvaltningar och leverantörer att se vilka avtal som finns och när de löper ut.",
        ("upphandling", "upphandlingar", "ramavtal", "avtal", "leverantörer", "avtalsperiod"),
        ("ECON",),
        "WEEKLY",
        "2021-09-06",
        "2026-11-16",
        "2.1.2",
        (CSV, API),
    ),
    Dataset(
        "bredbandstackning",
        "kommunstyrelsen",
        "Bredbandstäckning – andel hushåll med tillgång till fiber",
        "Andel hushåll och arbetsställen i kommunen med tillgång till bredband om minst "
        "1 Gbit/s, per tätort och landsbygdsområde. Siffrorna kommer från PTS årliga "
        "bredbandskartläggning och kompletteras med kommunens egna uppgifter om utbyggnaden "
        "på landsbygden.",
        ("bredband", "fiber", "fiberutbyggnad", "bredbandstäckning", "landsbygden"),
        ("TECH", "REGI"),
        "ANNUAL",
        "2020-06-15",
        "2026-06-02",
        "1.3.1",
        (CSV, GEOJSON),
        blank_distributions=True,
    ),
    Dataset(
        "personalregister",
        "kommunstyrelsen",
        "Personalregister",
        "Kommunens register över anställda i personal- och lönesystemet, med uppgifter om "
        "anställning, lön, frånvaro och kontaktuppgifter. Uppgifter om enskildas personliga "
        "förhållanden, till exempel hälsa och rehabilitering, omfattas av sekretess. Registret "
        "är inte öppna data; en begäran om att ta del av uppgifter prövas i varje enskilt fall.",
        ("personalregister", "anställda", "lönesystem", "personaladministration", "HR"),
        ("GOVE",),
        "DAILY",
        "2019-01-15",
        "2026-10-30",
        "2.2.1",
        access="RESTRICTED",
        secrecy="39 kap. 3 § OSL",
        personal_data=("namn", "personnummer", "adress", "ekonomiska förhållanden", "hälsa"),
        krt=(2, 3, 2),
    ),
    Dataset(
        "larm-och-passersystem",
        "kommunstyrelsen",
        "Larm- och passersystem för kommunens fastigheter",
        "Uppgifter om inbrotts- och brandlarm, passerkort, behörigheter och händelseloggar i "
        "kommunens skolor, förvaltningsbyggnader och andra lokaler. Uppgifterna omfattas av "
        "sekretess eftersom de beskriver säkerhets- och bevakningsåtgärder. Loggarna "
        "innehåller också personuppgifter om kortinnehavarna.",
        ("larm", "passersystem", "passerkort", "inbrottslarm", "säkerhet", "behörigheter"),
        ("GOVE", "JUST"),
        "UPDATE_CONT",
        "2021-02-01",
        "2026-09-15",
        "2.4.1",
        access="NON_PUBLIC",
        secrecy="18 kap. 8 § OSL",
        personal_data=("namn", "lokaliseringsuppgifter"),
        retention="gallras",
        retention_period="6 månader",
        krt=(3, 3, 3),
    ),
    Dataset(
        "risk-och-sarbarhetsanalys",
        "kommunstyrelsen",
        "Risk- och sårbarhetsanalys (RSA)",
        "Kommunens risk- och sårbarhetsanalys enligt lagen om kommuners och regioners "
        "åtgärder inför och vid extraordinära händelser i fredstid och höjd beredskap. "
        "Analysen beskriver samhällsviktig verksamhet, kritiska beroenden och förmågan att "
        "hantera kriser. En sammanfattning utan sekretessbelagda uppgifter finns på kommunens "
        "webbplats.",
        ("risk- och sårbarhetsanalys", "RSA", "krisberedskap", "samhällsviktig verksamhet"),
        ("JUST", "GOVE"),
        "QUADRENNIAL",
        "2019-10-28",
        "2023-10-30",
        "1.4.1",
        access="RESTRICTED",
        secrecy="18 kap. 13 § OSL",
        krt=(2, 3, 2),
    ),
    # --- Byggnadsnämnden -------------------------------------------------------------
    Dataset(
        "bygglovsarenden",
        "byggnadsnamnden",
        "Bygglovsärenden – inkomna ansökningar och beslut",
        "Alla inkomna bygglovsansökningar, anmälningar och förhandsbesked med ärendetyp, "
        "fastighetsbeteckning, datum för beslut och handläggningstid i veckor. Sökandens namn "
        "redovisas inte i den öppna versionen. Datamängden uppdateras varje vecka från "
        "ärendesystemet för bygglov.",
        (
            "bygglov",
            "bygglovet",
            "bygglovsärenden",
            "bygglovsansökningar",
            "handläggningstid",
            "förhandsbesked",
        ),
        ("REGI", "GOVE"),
        "WEEKLY",
        "2019-05-06",
        "2026-11-23",
        "3.1.1",
        (Dist("CSV", size=5_767_168), API, GEOJSON),
        title_en="Building permit applications and decisions",
        description_en="All building permit applications, notifications and advance rulings "
        "with case type, property designation, decision date and processing time. "
        "Applicants' names are left out of the open version.",
        period=("2015-01-01", None),
        landing_page=WEBSITE + "bygga-bo-och-miljo/bygglov",
        personal_data=("namn", "adress", "fastighetsbeteckning"),
        krt=(1, 3, 2),
    ),
    Dataset(
        "bygglovsstatistik",
        "byggnadsnamnden",
        "Statistik över beviljade bygglov",
        "Årlig sammanställning av beviljade bygglov per ärendetyp, till exempel nybyggnad av "
        "en- och tvåbostadshus, tillbyggnad, fasadändring och rivning. Här finns också antalet "
        "nya bostäder i beviljade lov och den genomsnittliga handläggningstiden. Siffrorna "
        "rapporteras även till Boverkets plan- och byggenkät.",
        ("bygglovsstatistik", "beviljade bygglov", "nybyggnad", "bostadsbyggande"),
        ("REGI",),
        "ANNUAL",
        "2020-02-24",
        "2026-02-16",
        "3.1.1",
        (XLSX, CSV),
        period=("2012-01-01", "2025-12-31"),
    ),
    Dataset(
        "detaljplaner",
        "byggnadsnamnden",
        "Detaljplaner – gällande och pågående",
        "Plangränser för alla gällande detaljplaner, områdesbestämmelser och pågående "
        "planarbeten i kommunen. Till varje plan finns plan-id, namn, datum för laga kraft, "
        "genomförandetidens slut och en länk till plankarta och planbeskrivning. Planer som "
        "antagits från 2022 finns också som digitala detaljplaner enligt Boverkets föreskrifter.",
        ("detaljplan", "detaljplaner", "planarbete", "plangränser", "områdesbestämmelser"),
        ("REGI",),
        "IRREG",
        "2019-06-10",
        "2026-11-02",
        "3.1.2",
        (GEOJSON, Dist("SHP", size=8_912_896), WMS),
        title_en="Detailed development plans",
        landing_page=WEBSITE + "bygga-bo-och-miljo/detaljplaner",
        contact="geodata",
        licence="CC_BY_4_0",
    ),
    Dataset(
        "oversiktsplan",
        "byggnadsnamnden",
        "Översiktsplan Exempelby 2040",
        "Kommunens översiktsplan (ÖP) visar hur mark- och vattenområden ska användas och hur "
        "bebyggelsen ska utvecklas på lång sikt. Planen antogs av kommunfullmäktige i juni "
        "2024 och består av en planbeskrivning och en markanvändningskarta med "
        "utvecklingsområden, grönstruktur och riksintressen.",
        ("översiktsplan", "ÖP", "markanvändning", "samhällsplanering", "riksintressen"),
        ("REGI",),
        "IRREG",
        "2024-06-18",
        "2025-02-03",
        "3.1.2",
        (Dist("PDF", title="Planbeskrivning", size=24_117_248), GPKG, WMS),
        title_en="Comprehensive plan Exempelby 2040",
        period=("2024-06-18", "2040-12-31"),
        landing_page=WEBSITE + "bygga-bo-och-miljo/oversiktsplan",
        contact="geodata",
        licence="CC_BY_4_0",
    ),
    Dataset(
        "adresser",
        "byggnadsnamnden",
        "Adresser i Exempelby kommun",
        "Samtliga belägenhetsadresser i kommunen med gatunamn, adressnummer, postnummer, "
        "postort och koordinater i SWEREF 99 TM. Adresserna fastställs av byggnadsnämnden och "
        "rapporteras löpande till Lantmäteriets adressregister.",
        ("adresser", "belägenhetsadresser", "gatuadresser", "adressregister", "gatunamn"),
        ("REGI",),
        "WEEKLY",
        "2019-08-19",
        "2026-11-20",
        "3.1.3",
        (Dist("CSV", size=1_572_864), GEOJSON),
        contact="geodata",
        blank_distributions=True,
    ),
    Dataset(
        "baskarta",
        "byggnadsnamnden",
        "Baskarta",
        "Kommunens baskarta i skala 1:1 000–1:10 000 med byggnader, vägar, fastighetsgränser, "
        "höjdkurvor och vatten. Kartan finns som visningstjänst (WMS) och kan användas som "
        "bakgrund i egna tillämpningar. Fastighetsindelningen är en översiktlig redovisning "
        "och inte juridiskt gällande.",
        ("baskarta", "kartor", "karttjänst", "fastighetsgränser", "byggnader", "geodata"),
        ("REGI",),
        "MONTHLY",
        "2020-01-13",
        "2026-10-27",
        "3.1.3",
        (WMS,),
        contact="geodata",
        licence="CC_BY_4_0",
    ),
    Dataset(
        "ortofoto",
        "byggnadsnamnden",
        "Ortofoto över tätorterna",
        "Flygfotografier som har rättats geometriskt så att de kan användas som karta. "
        "Fotograferingen görs vartannat år med 8 cm upplösning över tätorterna och 25 cm över "
        "resten av kommunen. Den senaste fotograferingen gjordes i maj 2025.",
        ("ortofoto", "ortofoton", "flygfoto", "flygbilder", "kartunderlag"),
        ("REGI",),
        "BIENNIAL",
        "2021-03-08",
        "2025-09-22",
        "3.1.3",
        (WMS,),
        title_en="Orthophotos of urban areas",
        period=("2025-05-01", "2025-05-31"),
        contact="geodata",
        licence="CC_BY_4_0",
    ),
    Dataset(
        "strandskydd",
        "byggnadsnamnden",
        "Strandskyddsområden",
        "Områden där strandskydd gäller längs sjöar och vattendrag, med utökat strandskydd där "
        "länsstyrelsen har beslutat om det och upphävt strandskydd inom detaljplan. Gränserna "
        "är ungefärliga; i ett enskilt ärende gäller alltid bedömningen på plats.",
        ("strandskydd", "strandskyddet", "stränder", "sjöar och vattendrag", "dispens"),
        ("ENVI", "REGI"),
        "IRREG",
        "2019-04-08",
        "2020-11-30",
        "3.1.2",
        (GEOJSON, WMS),
        contact="geodata",
    ),
    Dataset(
        "kulturhistorisk-bebyggelse",
        "byggnadsnamnden",
        "Kulturhistoriskt värdefull bebyggelse",
        "Byggnader och miljöer som pekas ut i kommunens kulturmiljöprogram, med beskrivning av "
        "kulturvärden, byggnadsår och skyddsbestämmelser i detaljplan. Underlaget används vid "
        "bygglovsprövning och planering för att ta hänsyn till kulturmiljön.",
        ("kulturmiljö", "kulturmiljöprogrammet", "kulturhistoriska byggnader", "q-märkning"),
        ("EDUC", "REGI"),
        "IRREG",
        "2023-01-23",
        "2026-03-09",
        "3.1.2",
        (GEOJSON, Dist("PDF", title="Kulturmiljöprogram för Exempelby kommun")),
        licence="CC_BY_4_0",
        blank_distributions=True,
    ),
    # --- Socialnämnden ---------------------------------------------------------------
    Dataset(
        "sarskilda-boenden",
        "socialnamnden",
        "Särskilda boenden för äldre",
        "Kommunens särskilda boenden (SÄBO) med adress, antal lägenheter, driftsform och "
        "inriktning, till exempel demensboende eller somatiskt boende. Här finns också "
        "telefonnummer till varje boende. Listan uppdateras när ett boende öppnar, stänger "
        "eller byter inriktning.",
        ("särskilt boende", "äldreboenden", "SÄBO", "demensboende", "äldreomsorg"),
        ("HEAL", "SOCI"),
        "IRREG",
        "2019-10-07",
        "2026-02-12",
        "3.2.3",
        (CSV, GEOJSON, API),
    ),
    Dataset(
        "brukarundersokning-hemtjanst",
        "socialnamnden",
        "Brukarundersökning inom hemtjänsten",
        "Resultat från Socialstyrelsens årliga undersökning ”Vad tycker de äldre om "
        "äldreomsorgen?” för hemtjänstområdena i Exempelby. Resultaten visar bland annat hur "
        "nöjda brukarna är med bemötande, inflytande och trygghet. Områden med för få svar "
        "redovisas inte.",
        ("hemtjänst", "hemtjänsten", "brukarundersökning", "nöjdhet", "äldreomsorg"),
        ("SOCI", "HEAL"),
        "ANNUAL",
        "2020-11-16",
        "2025-11-10",
        "3.2.3",
        (XLSX, CSV),
        period=("2017-01-01", "2025-12-31"),
        blank_distributions=True,
    ),
    Dataset(
        "ekonomiskt-bistand-statistik",
        "socialnamnden",
        "Ekonomiskt bistånd – statistik per månad",
        "Antal hushåll som har fått ekonomiskt bistånd och utbetalt belopp per månad, "
        "fördelat på hushållstyp och huvudsaklig orsak till biståndsbehovet. Statistiken är "
        "sammanställd och innehåller inga uppgifter om enskilda personer.",
        ("ekonomiskt bistånd", "försörjningsstöd", "socialbidrag", "biståndshushåll"),
        ("SOCI", "ECON"),
        "MONTHLY",
        "2020-05-18",
        "2026-11-12",
        "3.2.2",
        (CSV, API),
        title_en="Financial assistance – monthly statistics",
        period=("2018-01-01", None),
    ),
    Dataset(
        "lss-verksamheter",
        "socialnamnden",
        "Bostäder och daglig verksamhet enligt LSS",
        "Gruppbostäder, servicebostäder och enheter för daglig verksamhet enligt lagen om stöd "
        "och service till vissa funktionshindrade (LSS). Datamängden visar adress, antal "
        "platser och vilken verksamhet enheten har.",
        ("LSS", "gruppbostad", "gruppbostäder", "daglig verksamhet", "funktionsnedsättning"),
        ("SOCI",),
        "ANNUAL",
        "2021-04-12",
        "2026-01-19",
        "3.2.4",
        (CSV, GEOJSON),
    ),
    Dataset(
        "vantetid-sarskilt-boende",
        "socialnamnden",
        "Väntetid till särskilt boende",
        "Genomsnittligt antal dagar från ansökan till erbjudande om plats på särskilt boende, "
        "redovisat per kvartal. Väntetiden följs upp av socialnämnden och jämförs med "
        "rikssnittet i Kolada.",
        ("väntetid", "väntetider", "särskilt boende", "äldreboende", "kö"),
        ("SOCI",),
        "QUARTERLY",
        "2022-02-07",
        "2026-10-12",
        "3.2.3",
        (CSV,),
        period=("2019-01-01", None),
    ),
    Dataset(
        "familjecentraler",
        "socialnamnden",
        "Familjecentraler och öppna förskolor",
        "Adresser, öppettider och verksamhet vid kommunens familjecentraler, där "
        "barnhälsovård, mödrahälsovård, öppen förskola och socialtjänstens förebyggande arbete "
        "finns under samma tak. Familjecentralerna drivs tillsammans med regionen.",
        ("familjecentral", "familjecentraler", "öppen förskola", "föräldrastöd"),
        ("SOCI", "HEAL"),
        "IRREG",
        "2023-08-21",
        "2026-08-25",
        "3.2.1",
        (API, CSV),
    ),
    Dataset(
        "skyddade-personuppgifter",
        "socialnamnden",
        "Register över skyddade personuppgifter inom socialtjänsten",
        "Förteckning över de personer med skyddade personuppgifter, som sekretessmarkering "
        "eller skyddad folkbokföring, som socialtjänsten har kontakt med. Registret hjälper "
        "handläggarna att hantera handlingar och kontakter så att uppgifterna inte röjs. "
        "Uppgifterna omfattas av sekretess och lämnas inte ut.",
        ("skyddade personuppgifter", "skyddad identitet", "sekretessmarkering", "socialtjänsten"),
        ("SOCI", "JUST"),
        "UPDATE_CONT",
        "2020-09-01",
        "2026-11-18",
        "3.2.5",
        access="NON_PUBLIC",
        secrecy="21 kap. 3 § OSL",
        personal_data=("namn", "personnummer", "adress", "skyddad identitet"),
        retention="gallras",
        retention_period="vid inaktualitet",
        krt=(3, 3, 2),
    ),
    Dataset(
        "ekonomiskt-bistand-utbetalningar",
        "socialnamnden",
        "Ekonomiskt bistånd – utbetalningar",
        "Verksamhetssystemets register över beviljat och utbetalt ekonomiskt bistånd till "
        "enskilda hushåll, med beslut, belopp och utbetalningsdatum. Uppgifterna rör "
        "enskildas ekonomiska och sociala förhållanden och omfattas av socialtjänstsekretess. "
        "Sammanställd statistik finns i en egen, öppen datamängd.",
        ("ekonomiskt bistånd", "utbetalningar", "försörjningsstöd", "biståndsbeslut"),
        ("SOCI",),
        "DAILY",
        "2019-02-18",
        "2026-11-24",
        "3.2.2",
        access="NON_PUBLIC",
        secrecy="26 kap. 1 § OSL",
        personal_data=(
            "namn",
            "personnummer",
            "adress",
            "ekonomiska förhållanden",
            "sociala förhållanden",
        ),
        retention="gallras",
        retention_period="5 år efter sista anteckningen",
        krt=(3, 3, 2),
    ),
    Dataset(
        "orosanmalningar",
        "socialnamnden",
        "Orosanmälningar barn och unga",
        "Anmälningar till socialnämnden om oro för att ett barn far illa, från bland andra "
        "skola, hälso- och sjukvård, polis och allmänhet, samt socialtjänstens "
        "förhandsbedömningar. Registret innehåller känsliga uppgifter om barn och deras "
        "familjer och omfattas av socialtjänstsekretess.",
        ("orosanmälan", "orosanmälningar", "barn som far illa", "förhandsbedömning"),
        ("SOCI",),
        "DAILY",
        "2019-02-18",
        "2026-11-24",
        "3.2.1",
        access="NON_PUBLIC",
        secrecy="26 kap. 1 § OSL",
        personal_data=("namn", "personnummer", "adress", "hälsa", "sociala förhållanden"),
        retention="gallras",
        retention_period="5 år efter sista anteckningen",
        krt=(3, 3, 3),
    ),
    # --- Utbildningsnämnden ----------------------------------------------------------
    Dataset(
        "skolenheter",
        "utbildningsnamnden",
        "Skolenheter i Exempelby",
        "Kommunala och fristående grundskolor, anpassade grundskolor och gymnasieskolor i "
        "kommunen med skolenhetskod, adress, huvudman och årskurser. Skolenhetskoden är "
        "densamma som i Skolverkets skolenhetsregister, vilket gör det lätt att koppla ihop "
        "datamängden med nationell statistik.",
        ("skolor", "skolenheter", "grundskola", "gymnasieskola", "skolenhetskod", "friskolor"),
        ("EDUC",),
        "ANNUAL",
        "2019-08-12",
        "2026-08-17",
        "3.3.2",
        (CSV, GEOJSON, API),
        title_en="Schools in Exempelby",
        description_en="Municipal and independent compulsory and upper secondary schools in "
        "the municipality, with school unit code, address, organiser and school years.",
        landing_page=WEBSITE + "utbildning-och-forskola/grundskola",
    ),
    Dataset(
        "elevantal",
        "utbildningsnamnden",
        "Elevantal per skola och årskurs",
        "Antal inskrivna elever den 15 oktober varje år per skolenhet och årskurs, från "
        "förskoleklass till och med år 3 på gymnasiet. Uppgifterna är desamma som kommunen "
        "rapporterar till SCB och Skolverket. Årskurser med färre än fem elever redovisas med "
        "prick.",
        ("elevantal", "elever", "antal elever", "årskurs", "skolstatistik"),
        ("EDUC",),
        "ANNUAL",
        "2019-11-25",
        "2025-11-24",
        "3.3.2",
        (CSV, XLSX),
        period=("2014-01-01", "2025-12-31"),
        blank_distributions=True,
    ),
    Dataset(
        "forskolor",
        "utbildningsnamnden",
        "Förskolor – adresser och öppettider",
        "Kommunala och enskilt drivna förskolor och pedagogisk omsorg med adress, antal "
        "avdelningar, öppettider och eventuell profil, till exempel Reggio Emilia eller "
        "I Ur och Skur. Använd datamängden för att hitta förskolor nära hemmet eller för att "
        "planera nya.",
        ("förskola", "förskolor", "förskoleplats", "pedagogisk omsorg", "dagis"),
        ("EDUC",),
        "ANNUAL",
        "2019-08-12",
        "2026-07-01",
        "3.3.1",
        (CSV, GEOJSON, API),
        landing_page=WEBSITE + "utbildning-och-forskola/forskola",
    ),
    Dataset(
        "forskoleko",
        "utbildningsnamnden",
        "Kö till förskola – antal barn och väntetid",
        "Antal barn i kö till förskola vid varje månads slut och hur många som fått plats "
        "inom fyra månader från önskat placeringsdatum, som skollagen kräver. Uppgifterna "
        "redovisas per planeringsområde.",
        ("förskolekö", "kö till förskola", "förskoleplatser", "väntetid", "placering"),
        ("EDUC", "SOCI"),
        "MONTHLY",
        "2021-01-18",
        "2026-11-03",
        "3.3.1",
        (CSV,),
    ),
    Dataset(
        "meritvarden-arskurs-9",
        "utbildningsnamnden",
        "Meritvärden och betyg i årskurs 9",
        "Genomsnittligt meritvärde, andel elever som är behöriga till gymnasiets "
        "yrkesprogram och andel som har godkända betyg i alla ämnen, per kommunal grundskola "
        "och läsår. Resultaten publiceras efter att Skolverket har släppt den officiella "
        "statistiken.",
        ("meritvärde", "meritvärden", "betyg", "behörighet", "skolresultat", "årskurs 9"),
        ("EDUC",),
        "ANNUAL",
        "2020-09-14",
        "2026-09-28",
        "3.3.2",
        (XLSX, CSV),
        period=("2015-07-01", "2026-06-30"),
    ),
    Dataset(
        "skolmat-matsedel",
        "utbildningsnamnden",
        "Matsedel för skolor och förskolor",
        "Veckans matsedel i kommunens skolor och förskolor, med huvudrätt, vegetariskt "
        "alternativ och allergener för varje dag. Måltidsservice publicerar matsedeln senast "
        "fredagen veckan innan.",
        ("matsedel", "matsedlar", "skollunch", "skolmat", "måltider", "allergener"),
        ("EDUC", "HEAL"),
        "WEEKLY",
        "2022-08-15",
        "2026-11-20",
        "3.3.5",
        (API, CSV),
        title_en="School lunch menus",
        description_en="This week's menus in municipal schools and preschools, with the main "
        "course, the vegetarian option and allergens for each day.",
        retention="gallras",
        retention_period="1 år",
        krt=(0, 1, 1),
    ),
    Dataset(
        "skolskjuts",
        "utbildningsnamnden",
        "Skolskjuts – linjer och hållplatser",
        "Skolskjutslinjer med hållplatser, avgångstider och vilka skolor linjerna trafikerar "
        "under läsåret. Planeringen görs inför varje läsår tillsammans med trafikföretaget, "
        "och ändringar under läsåret meddelas vårdnadshavarna direkt.",
        ("skolskjuts", "skolskjutsar", "skolbuss", "hållplatser", "skolresor"),
        ("EDUC", "TRAN"),
        "ANNUAL",
        "2021-06-28",
        "2026-06-22",
        "3.3.5",
        (GEOJSON, CSV),
    ),
    Dataset(
        "vuxenutbildning-kurser",
        "utbildningsnamnden",
        "Kurser inom vuxenutbildningen (Komvux och SFI)",
        "Kurser inom kommunal vuxenutbildning och svenska för invandrare (SFI), med kurskod, "
        "poäng, studieform, start- och slutdatum och sista ansökningsdag. Kurskatalogen "
        "uppdateras inför varje termin.",
        ("Komvux", "vuxenutbildning", "SFI", "kurser", "vuxenstudier", "yrkesutbildning"),
        ("EDUC",),
        "ANNUAL_2",
        "2022-03-07",
        "2026-10-05",
        "3.3.4",
        (API, CSV),
    ),
    Dataset(
        "elevhalsans-journalsystem",
        "utbildningsnamnden",
        "Elevhälsans journalsystem",
        "Journaler som förs av skolsköterskor, skolläkare, skolpsykologer och skolkuratorer "
        "inom elevhälsan, med hälsobesök, vaccinationer och samtal. Uppgifterna rör elevers "
        "hälsa och personliga förhållanden och omfattas av sekretess enligt 23 kap. 2 § OSL "
        "och, för de medicinska insatserna, 25 kap. 1 § OSL.",
        ("elevhälsa", "elevhälsan", "skolhälsovård", "journaler", "skolsköterska", "kurator"),
        ("EDUC", "HEAL"),
        "DAILY",
        "2020-08-17",
        "2026-11-19",
        "3.3.3",
        access="NON_PUBLIC",
        secrecy="23 kap. 2 § OSL",
        personal_data=("namn", "personnummer", "hälsa", "sociala förhållanden"),
        krt=(3, 3, 2),
    ),
    # --- Tekniska nämnden ------------------------------------------------------------
    Dataset(
        "hallplatser",
        "tekniska-namnden",
        "Hållplatser för kollektivtrafik",
        "Busshållplatser i stads- och landsbygdstrafiken med hållplatsnamn, läge, "
        "väderskydd, tillgänglighetsanpassning och vilka linjer som stannar. Hållplatsernas "
        "id stämmer med det regionala kollektivtrafikbolagets GTFS-data, så att tidtabeller "
        "kan kopplas på.",
        ("hållplatser", "busshållplats", "kollektivtrafik", "busslinjer", "GTFS"),
        ("TRAN",),
        "MONTHLY",
        "2019-05-27",
        "2026-11-09",
        "3.4.1",
        (GEOJSON, CSV, API),
        title_en="Public transport stops",
        landing_page=WEBSITE + "trafik-och-gator/kollektivtrafik",
    ),
    Dataset(
        "cykelvagar",
        "tekniska-namnden",
        "Cykelvägar och cykelparkeringar",
        "Kommunens gång- och cykelvägnät med typ av cykelbana, belysning och beläggning, "
        "samt cykelparkeringar med antal platser och uppgift om tak och ramlåsning. "
        "Datamängden används i kommunens cykelkarta och kan laddas ner för egna analyser.",
        ("cykelvägar", "cykelbanor", "cykelparkering", "cykelnät", "gång- och cykelväg"),
        ("TRAN",),
        "ANNUAL",
        "2019-05-27",
        "2026-05-11",
        "3.4.1",
        (Dist("GEOJSON", size=4_194_304), SHP, WMS),
        title_en="Cycle paths and bicycle parking",
        description_en="The municipal network of cycle paths with surface and lighting, and "
        "bicycle parking with the number of spaces and whether they are covered.",
        landing_page=WEBSITE + "trafik-och-gator/cykel",
    ),
    Dataset(
        "parkering",
        "tekniska-namnden",
        "Parkeringsplatser och avgiftszoner",
        "Allmänna parkeringsplatser på gatumark och i kommunens parkeringsanläggningar, med "
        "antal platser, taxa, tidsbegränsning och platser för rörelsehindrade. "
        "Avgiftszonerna följer de lokala trafikföreskrifterna.",
        ("parkering", "parkeringsplatser", "p-platser", "parkeringsavgift", "avgiftszoner"),
        ("TRAN",),
        "IRREG",
        "2020-03-16",
        "2026-04-06",
        "3.4.1",
        (GEOJSON, CSV),
        places=("exempelby-tatort",),
        blank_distributions=True,
    ),
    Dataset(
        "smart-parking",
        "tekniska-namnden",
        "Smart Parking – lediga platser i realtid",
        "Beläggning i realtid för de parkeringshus och infartsparkeringar som har sensorer "
        "eller bomsystem. API:t ger antal lediga platser per anläggning och uppdateras ungefär "
        "en gång i minuten. Tjänsten är ett pilotprojekt i kommunens smart city-satsning.",
        ("parkering", "lediga platser", "realtid", "parkeringshus", "smart city"),
        ("TRAN", "TECH"),
        "UPDATE_CONT",
        "2026-02-02",
        "2026-11-24",
        "3.4.1",
        (Dist("JSON", service="api", availability="EXPERIMENTAL"),),
        title_en="Smart Parking – real-time occupancy",
        description_en="Real-time occupancy of car parks with sensors or barrier systems: "
        "free spaces per facility, refreshed about once a minute. A pilot in the "
        "municipality's smart city programme.",
        places=("exempelby-tatort",),
        retention="gallras",
        retention_period="3 månader",
        krt=(0, 2, 2),
    ),
    Dataset(
        "snorojning",
        "tekniska-namnden",
        "Snöröjning och halkbekämpning – prioriterade gator",
        "Kommunens plogområden och i vilken ordning gator, gång- och cykelvägar röjs när det "
        "snöar. Prioritet 1 omfattar huvudgator, bussgator och viktiga cykelstråk, som ska "
        "vara röjda inom fyra timmar efter att snöfallet har upphört. Enskilda och statliga "
        "vägar ingår inte.",
        ("snöröjning", "plogning", "halkbekämpning", "vinterväghållning", "sandning"),
        ("TRAN",),
        "ANNUAL",
        "2020-11-02",
        "2025-11-03",
        "3.4.1",
        (GEOJSON, WMS),
    ),
    Dataset(
        "tradregister",
        "tekniska-namnden",
        "Trädregister – gatu- och parkträd",
        "Alla träd som kommunen förvaltar längs gator och i parker, med trädslag, "
        "stamomkrets, planteringsår och vitalitet. Särskilt skyddsvärda träd, som grova ekar "
        "och alléträd, är markerade. Registret uppdateras efter varje inventering och "
        "beskärning.",
        ("träd", "trädregister", "gatuträd", "parkträd", "skyddsvärda träd", "alléer"),
        ("ENVI",),
        "MONTHLY",
        "2021-05-03",
        "2026-10-19",
        "3.4.2",
        (GEOJSON, CSV, API),
    ),
    Dataset(
        "lekplatser",
        "tekniska-namnden",
        "Lekplatser",
        "Kommunens lekplatser med adress, utrustning, målgrupp och uppgift om lekplatsen är "
        "tillgänglighetsanpassad. Lekplatserna besiktigas varje år enligt standarden "
        "SS-EN 1176.",
        ("lekplatser", "lekplats", "lekparker", "barn", "tillgänglighet"),
        ("SOCI", "EDUC"),
        "ANNUAL",
        "2020-06-08",
        "2021-05-17",
        "3.4.2",
        (GEOJSON, CSV),
    ),
    Dataset(
        "avfallsstatistik",
        "tekniska-namnden",
        "Avfallsstatistik – insamlade mängder per fraktion",
        "Insamlade mängder hushållsavfall i ton per år och fraktion: restavfall, matavfall, "
        "förpackningar, grovavfall, farligt avfall och elavfall. Statistiken visar också hur "
        "mycket som har lämnats på återvinningscentralerna och hur mycket matavfall som har "
        "blivit biogas.",
        ("avfall", "avfallsstatistik", "hushållsavfall", "matavfall", "återvinning", "sopor"),
        ("ENVI",),
        "ANNUAL",
        "2019-04-01",
        "2026-03-30",
        "3.4.4",
        (CSV, XLSX),
        title_en="Waste statistics by fraction",
        period=("2012-01-01", "2025-12-31"),
    ),
    Dataset(
        "atervinning",
        "tekniska-namnden",
        "ÅVC och återvinningsstationer",
        "Återvinningscentraler (ÅVC) och återvinningsstationer i kommunen med adress, "
        "öppettider och vilka fraktioner som tas emot. På ÅVC lämnar du grovavfall, farligt "
        "avfall och elavfall, på stationerna förpackningar.",
        ("ÅVC", "återvinningscentral", "återvinningscentraler", "återvinningsstationer"),
        ("ENVI",),
        "IRREG",
        "2019-04-01",
        "2026-09-07",
        "3.4.4",
        (GEOJSON, API),
        landing_page=WEBSITE + "bygga-bo-och-miljo/avfall-och-atervinning",
    ),
    Dataset(
        "energiforbrukning-fastigheter",
        "tekniska-namnden",
        "Energiförbrukning i kommunala fastigheter",
        "Månadsvis förbrukning av el, fjärrvärme och vatten i kommunens skolor, förskolor, "
        "äldreboenden och förvaltningsbyggnader, normalårskorrigerad och per kvadratmeter. "
        "Uppgifterna används för att följa upp kommunens mål om minskad energianvändning.",
        ("energiförbrukning", "energianvändning", "elförbrukning", "fjärrvärme", "fastigheter"),
        ("ENER", "ENVI"),
        "MONTHLY",
        "2020-01-20",
        "2026-11-10",
        "3.4.5",
        (CSV, XLSX, API),
        title_en="Energy use in municipal buildings",
        description_en="Monthly electricity, district heating and water use in municipal "
        "schools, preschools, care homes and offices, weather-normalised and per square metre.",
        period=("2017-01-01", None),
    ),
    Dataset(
        "dricksvattenkvalitet",
        "tekniska-namnden",
        "Dricksvattenkvalitet – analysresultat",
        "Resultat från kontrollen av dricksvattnet vid kommunens vattenverk och ute i "
        "ledningsnätet: mikrobiologiska analyser, hårdhet, pH och halter av bland annat nitrat "
        "och PFAS. Provtagningen följer Livsmedelsverkets föreskrifter om dricksvatten.",
        ("dricksvatten", "vattenkvalitet", "vattenverk", "PFAS", "vattenprover", "VA"),
        ("HEAL", "ENVI"),
        "MONTHLY",
        "2020-10-05",
        "2026-11-11",
        "3.4.3",
        (CSV, Dist("PDF", title="Årsrapport om dricksvattnets kvalitet")),
    ),
    Dataset(
        "vagarbeten",
        "tekniska-namnden",
        "Vägarbeten och trafikstörningar",
        "Pågående och planerade vägarbeten, avstängda gator och omledningar med start- och "
        "slutdatum, berörd sträcka och ansvarig entreprenör. Informationen hämtas från "
        "kommunens system för trafikanordningsplaner och uppdateras flera gånger per dag.",
        ("vägarbeten", "vägarbete", "trafikstörningar", "avstängda gator", "omledning"),
        ("TRAN",),
        "DAILY",
        "2023-03-13",
        "2026-11-24",
        "3.4.1",
        (API, GEOJSON),
        retention="gallras",
        retention_period="2 år",
        krt=(0, 2, 2),
    ),
    # --- Kultur- och fritidsnämnden --------------------------------------------------
    Dataset(
        "bibliotek",
        "kultur-och-fritidsnamnden",
        "Bibliotek – filialer och öppettider",
        "Huvudbiblioteket och filialerna i kommunen, bokbussens hållplatser och de meröppna "
        "biblioteken där du kan låna med bibliotekskort och pinkod utanför bemannad tid. "
        "Datamängden innehåller adress, öppettider och tillgänglighet.",
        ("bibliotek", "biblioteket", "öppettider", "bokbuss", "meröppet", "filialer"),
        ("EDUC",),
        "IRREG",
        "2019-09-16",
        "2026-08-31",
        "3.5.1",
        (API, CSV),
        title_en="Libraries and opening hours",
        landing_page=WEBSITE + "uppleva-och-gora/bibliotek",
    ),
    Dataset(
        "biblioteksutlan",
        "kultur-och-fritidsnamnden",
        "Utlån per bibliotek och medietyp",
        "Antal utlån och omlån per månad vid varje bibliotek, uppdelat på medietyp som "
        "tryckta böcker, e-böcker, ljudböcker och film. Statistiken kommer från "
        "bibliotekssystemet och innehåller inga uppgifter om enskilda låntagare.",
        ("utlån", "boklån", "bibliotek", "e-böcker", "ljudböcker", "biblioteksstatistik"),
        ("EDUC",),
        "MONTHLY",
        "2019-09-16",
        "2026-11-06",
        "3.5.1",
        (CSV, XLSX),
        title_en="Library loans by branch and media type",
        description_en="Monthly loans and renewals at each library by media type (printed "
        "books, e-books, audiobooks, film). Contains no data on individual borrowers.",
        period=("2016-01-01", None),
    ),
    Dataset(
        "idrottsanlaggningar",
        "kultur-och-fritidsnamnden",
        "Idrottsanläggningar och bokningsbara lokaler",
        "Sporthallar, gymnastiksalar, ishallar, fotbollsplaner och simhallar som kommunen "
        "äger eller hyr ut, med adress, mått, underlag och bokningsbara tider. Föreningar och "
        "privatpersoner bokar tider i kommunens bokningssystem.",
        ("idrottsanläggningar", "idrottshall", "sporthallar", "fotbollsplaner", "simhall"),
        ("EDUC",),
        "IRREG",
        "2020-02-03",
        "2026-09-14",
        "3.5.2",
        (GEOJSON, CSV, API),
    ),
    Dataset(
        "badplatser",
        "kultur-och-fritidsnamnden",
        "Badplatser",
        "Kommunala badplatser vid sjöar och hav med läge, bryggor, toaletter och grillplatser, "
        "och uppgift om badplatsen är tillgänglighetsanpassad. Vattnets kvalitet redovisas i "
        "datamängden om badvattenkvalitet.",
        ("badplatser", "badplats", "bad", "stränder", "friluftsliv"),
        ("EDUC", "ENVI"),
        "ANNUAL",
        "2019-06-03",
        "2026-05-25",
        "3.5.2",
        (GEOJSON, CSV),
        landing_page=WEBSITE + "uppleva-och-gora/friluftsliv/badplatser",
    ),
    Dataset(
        "offentlig-konst",
        "kultur-och-fritidsnamnden",
        "Offentlig konst",
        "Skulpturer, muralmålningar och annan konst i kommunens offentliga miljöer, med "
        "konstnär, titel, tillkomstår, material och placering. Många verk har köpts in genom "
        "enprocentsregeln vid nybyggnad. Fotografier publiceras där upphovsrätten tillåter.",
        ("offentlig konst", "konstverk", "skulpturer", "gatukonst", "muralmålningar"),
        ("EDUC",),
        "IRREG",
        "2021-10-11",
        "2026-04-20",
        "3.5.3",
        (GEOJSON, CSV),
        title_en="Public art",
        personal_data=("namn",),
    ),
    Dataset(
        "foreningar-med-bidrag",
        "kultur-och-fritidsnamnden",
        "Föreningar med kommunalt bidrag",
        "Föreningar som är registrerade hos kommunen och har fått aktivitets-, lokal- eller "
        "projektbidrag, med föreningens namn, verksamhetsområde och beviljat belopp per år. "
        "Kontaktpersonernas namn visas bara om föreningen har godkänt det.",
        ("föreningar", "föreningsbidrag", "föreningsregister", "föreningsliv", "bidrag"),
        ("SOCI", "EDUC"),
        "ANNUAL",
        "2020-04-27",
        "2026-04-13",
        "3.5.4",
        (CSV, XLSX),
        personal_data=("namn", "kontaktuppgifter"),
        krt=(1, 2, 1),
    ),
    Dataset(
        "motionsspar-och-leder",
        "kultur-och-fritidsnamnden",
        "Motionsspår och vandringsleder",
        "Elljusspår, motionsspår och vandringsleder med längd, svårighetsgrad, underlag och "
        "parkering. Vintertid visas också vilka spår som prepareras för längdskidor.",
        ("motionsspår", "elljusspår", "vandringsleder", "vandring", "skidspår"),
        ("EDUC", "ENVI"),
        "ANNUAL",
        "2021-09-20",
        "2026-01-12",
        "3.5.2",
        (GEOJSON, GPKG),
    ),
    # --- Miljö- och hälsoskyddsnämnden -----------------------------------------------
    Dataset(
        "badvattenkvalitet",
        "miljo-och-halsoskyddsnamnden",
        "Badvattenkvalitet – provtagningsresultat",
        "Resultat från provtagningen vid kommunens EU-bad och övriga strandbad under "
        "badsäsongen, med halter av E. coli och intestinala enterokocker och en samlad "
        "bedömning: tjänligt, tjänligt med anmärkning eller otjänligt. Proverna tas varannan "
        "vecka från juni till augusti.",
        ("badvatten", "badvattenkvalitet", "vattenprover", "E. coli", "algblomning"),
        ("ENVI", "HEAL"),
        "WEEKLY",
        "2019-06-17",
        "2026-08-31",
        "3.6.3",
        (CSV, API),
        title_en="Bathing water quality",
        description_en="Sampling results from EU bathing waters and other beaches during the "
        "bathing season: E. coli, intestinal enterococci and an overall assessment.",
        period=("2012-06-01", None),
    ),
    Dataset(
        "luftkvalitet",
        "miljo-och-halsoskyddsnamnden",
        "Luftkvalitet – mätningar av partiklar och kvävedioxid",
        "Timmedelvärden av partiklar (PM10 och PM2,5) och kvävedioxid (NO2) från kommunens "
        "mätstation i centrum, jämförda med miljökvalitetsnormerna. Värdena är preliminära "
        "tills de har granskats och rapporterats till den nationella datavärden.",
        ("luftkvalitet", "luften", "partiklar", "PM10", "kvävedioxid", "miljökvalitetsnormer"),
        ("ENVI", "HEAL"),
        "HOURLY",
        "2019-12-02",
        "2026-11-24",
        "3.6.3",
        (CSV, API),
        title_en="Air quality measurements",
        period=("2015-01-01", None),
        places=("exempelby-tatort",),
        krt=(0, 2, 2),
    ),
    Dataset(
        "luftsensorer",
        "miljo-och-halsoskyddsnamnden",
        "Air Quality Sensor Network – IoT-sensorer i centrala Exempelby",
        "Mätvärden från ett tjugotal enkla luftsensorer på lyktstolpar och skolor i centrala "
        "Exempelby. Sensorerna mäter partiklar, temperatur och luftfuktighet var tionde "
        "minut. Värdena är inte kalibrerade mot referensmätningar och ska ses som "
        "indikationer.",
        ("luftsensorer", "IoT", "sensordata", "luftkvalitet", "smart city", "partikelhalter"),
        ("ENVI", "TECH"),
        "10MIN",
        "2025-03-17",
        "2026-11-24",
        "3.6.3",
        (
            Dist("JSON", service="api", availability="EXPERIMENTAL"),
            Dist("CSV", title="Dygnsmedelvärden per sensor", availability="EXPERIMENTAL"),
        ),
        title_en="Air Quality Sensor Network – IoT sensors in central Exempelby",
        places=("exempelby-tatort",),
        retention="gallras",
        retention_period="2 år",
    ),
    Dataset(
        "livsmedelskontroll",
        "miljo-och-halsoskyddsnamnden",
        "Livsmedelskontroll – inspektionsresultat",
        "Resultat från kontroller av restauranger, kaféer, butiker och andra "
        "livsmedelsverksamheter: kontrolldatum, typ av kontroll, avvikelser och om "
        "uppföljning krävs. Verksamhetens namn och adress redovisas, däremot inte namn på "
        "enskilda personer.",
        ("livsmedelskontroll", "livsmedelsinspektion", "restauranger", "hygien"),
        ("HEAL",),
        "MONTHLY",
        "2021-02-22",
        "2026-11-13",
        "3.6.2",
        (CSV, API),
    ),
    Dataset(
        "miljofarliga-verksamheter",
        "miljo-och-halsoskyddsnamnden",
        "Tillstånds- och anmälningspliktiga miljöfarliga verksamheter",
        "Verksamheter i kommunen som kräver tillstånd eller anmälan enligt miljöbalken, till "
        "exempel verkstäder, bensinstationer, täkter och reningsverk, med verksamhetskod, "
        "prövningsnivå och tillsynsmyndighet.",
        ("miljöfarlig verksamhet", "miljötillsyn", "miljöbalken", "tillståndspliktiga"),
        ("ENVI",),
        "ANNUAL",
        "2020-09-28",
        "2026-02-23",
        "3.6.1",
        (CSV, GEOJSON),
        blank_distributions=True,
    ),
    Dataset(
        "bullerkartlaggning",
        "miljo-och-halsoskyddsnamnden",
        "Bullerkartläggning av väg- och tågtrafik",
        "Beräknade ljudnivåer från väg- och tågtrafik i tätorterna, redovisade som ekvivalent "
        "och maximal ljudnivå i intervall om 5 dB. Kartläggningen används i detaljplaneringen "
        "och för att prioritera bullerskyddsåtgärder.",
        ("buller", "bullerkartläggning", "trafikbuller", "ljudnivåer", "bullerskydd"),
        ("ENVI", "TRAN"),
        "QUINQUENNIAL",
        "2022-06-27",
        "2022-06-27",
        "3.6.3",
        (WMS, SHP, Dist("PDF", title="Rapport om bullerkartläggningen 2021")),
        period=("2021-01-01", "2021-12-31"),
    ),
    Dataset(
        "fororenade-omraden",
        "miljo-och-halsoskyddsnamnden",
        "Potentiellt förorenade områden",
        "Platser där det finns eller har funnits verksamheter som kan ha förorenat mark eller "
        "grundvatten, till exempel gamla deponier, plantskolor och kemtvättar. Områdena är "
        "riskklassade enligt Naturvårdsverkets metod för inventering av förorenade områden "
        "(MIFO).",
        ("förorenade områden", "föroreningar", "MIFO", "markföroreningar", "deponier"),
        ("ENVI",),
        "IRREG",
        "2021-11-15",
        "2025-12-08",
        "3.6.1",
        (GEOJSON, WMS),
    ),
    # --- Exempelby Energi AB ---------------------------------------------------------
    Dataset(
        "elnat-avbrottsstatistik",
        "exempelby-energi",
        "Elnät – avbrottsstatistik",
        "Antal avbrott, berörda kunder och genomsnittlig avbrottstid (SAIDI och SAIFI) per år "
        "och nätområde, uppdelat på aviserade och oaviserade avbrott. Samma uppgifter "
        "rapporteras till Energimarknadsinspektionen.",
        ("elavbrott", "strömavbrott", "avbrottsstatistik", "elnät", "leveranssäkerhet"),
        ("ENER",),
        "ANNUAL",
        "2020-03-02",
        "2026-03-02",
        "3.7.1",
        (CSV, XLSX),
        title_en="Power grid outage statistics",
        description_en="Number of outages, customers affected and average outage duration "
        "(SAIDI and SAIFI) per year and grid area, planned and unplanned.",
        period=("2012-01-01", "2025-12-31"),
        blank_distributions=True,
    ),
    Dataset(
        "laddplatser",
        "exempelby-energi",
        "Publika laddplatser för elbilar",
        "Laddstationer som Exempelby Energi driver på allmänna parkeringar och vid kommunens "
        "anläggningar, med antal laddpunkter, kontakttyp, effekt och pris per kWh. Via API:t "
        "går det också att se om en laddpunkt är ledig just nu.",
        ("laddstolpar", "laddplatser", "laddstationer", "elbil", "elbilsladdning"),
        ("ENER", "TRAN"),
        "DAILY",
        "2021-05-24",
        "2026-11-24",
        "3.7.3",
        (GEOJSON, ENERGI_API),
        title_en="Public EV charging points",
        landing_page="https://www.exempelbyenergi.se/ladda-elbil",
        krt=(0, 2, 2),
    ),
    Dataset(
        "fjarrvarme-leveranser",
        "exempelby-energi",
        "Fjärrvärme – leveranser och bränslemix",
        "Levererad fjärrvärme i MWh per månad och vilka bränslen som har använts i "
        "kraftvärmeverket: returträ, skogsflis, bioolja och spillvärme. Uppgifterna används i "
        "bolagets miljöredovisning och i kommunens klimatbokslut.",
        ("fjärrvärme", "kraftvärme", "bränslemix", "biobränsle", "värmeleveranser"),
        ("ENER", "ENVI"),
        "ANNUAL",
        "2020-04-20",
        "2026-04-14",
        "3.7.2",
        (XLSX, CSV),
        period=("2015-01-01", "2025-12-31"),
        blank_distributions=True,
    ),
    Dataset(
        "solcellspark-produktion",
        "exempelby-energi",
        "Elproduktion från solcellsparken i Norrvik",
        "Producerad el per timme från bolagets solcellspark i Norrvik, tillsammans med "
        "solinstrålning och modultemperatur. Parken togs i drift våren 2023 och har en "
        "installerad effekt på 12 MW.",
        ("solceller", "solcellspark", "solel", "elproduktion", "förnybar energi"),
        ("ENER",),
        "HOURLY",
        "2023-06-05",
        "2026-11-24",
        "3.7.4",
        (CSV, ENERGI_API),
        period=("2023-04-01", None),
        places=("norrvik",),
    ),
    Dataset(
        "aktuella-stromavbrott",
        "exempelby-energi",
        "Aktuella strömavbrott",
        "Pågående och planerade strömavbrott i Exempelby Energis elnät, med berört område, "
        "antal kunder, starttid och beräknad tid för åtgärd. Informationen uppdateras "
        "automatiskt från driftcentralens system.",
        ("strömavbrott", "elavbrott", "driftstörningar", "planerade avbrott", "elnätet"),
        ("ENER",),
        "UPDATE_CONT",
        "2022-11-28",
        "2026-11-24",
        "3.7.1",
        (ENERGI_API,),
        landing_page="https://www.exempelbyenergi.se/elnat/avbrott",
        retention="gallras",
        retention_period="1 år",
        krt=(0, 2, 3),
    ),
    Dataset(
        "fjarrvarme-foretagsavtal",
        "exempelby-energi",
        "Affärsavtal och prissättning för fjärrvärme till företagskunder",
        "Avtal, förhandlade priser och leveransvillkor för bolagets större företagskunder inom "
        "fjärrvärme och fjärrkyla. Uppgifterna omfattas av sekretess för bolagets "
        "affärsförhållanden, eftersom ett utlämnande skulle skada bolaget i konkurrensen med "
        "andra energileverantörer.",
        ("fjärrvärmeavtal", "företagskunder", "prissättning", "affärsavtal", "fjärrkyla"),
        ("ENER", "ECON"),
        "IRREG",
        "2021-01-11",
        "2026-09-30",
        "3.7.5",
        access="RESTRICTED",
        secrecy="19 kap. 1 § OSL",
        personal_data=("namn", "kontaktuppgifter"),
        retention="gallras",
        retention_period="10 år efter avtalets upphörande",
        krt=(2, 2, 1),
    ),
    # --- Exempelbyhem AB -------------------------------------------------------------
    Dataset(
        "lagenhetsbestand",
        "exempelbyhem",
        "Lägenhetsbestånd per bostadsområde",
        "Exempelbyhems hyreslägenheter per bostadsområde, fördelade på antal rum, storlek och "
        "byggår, med genomsnittlig årshyra per kvadratmeter. Här finns också antalet "
        "lägenheter som är anpassade för personer med funktionsnedsättning.",
        ("hyresrätter", "lägenheter", "bostadsbestånd", "hyror", "allmännyttan"),
        ("REGI", "SOCI"),
        "ANNUAL",
        "2021-03-01",
        "2026-02-27",
        "3.8.2",
        (CSV, XLSX),
    ),
    Dataset(
        "lediga-lagenheter",
        "exempelbyhem",
        "Lediga lägenheter",
        "Lägenheter som just nu är ute för uthyrning hos Exempelbyhem, med adress, antal rum, "
        "yta, hyra, tillträdesdag och sista dag för intresseanmälan. Lägenheterna fördelas "
        "efter kötid i bostadskön.",
        ("lediga lägenheter", "hyreslägenhet", "bostadskö", "uthyrning", "hyresrätt"),
        ("SOCI",),
        "DAILY",
        "2022-05-16",
        "2026-11-24",
        "3.8.1",
        (Dist("JSON", availability="STABLE"), CSV),
        landing_page="https://www.exempelbyhem.se/lediga-lagenheter",
        retention="gallras",
        retention_period="1 år",
    ),
    Dataset(
        "energideklarationer",
        "exempelbyhem",
        "Energideklarationer för bostadsfastigheter",
        "Energiprestanda, energiklass och uppvärmningssätt för Exempelbyhems flerbostadshus "
        "enligt de senaste energideklarationerna. Datamängden visar också planerade åtgärder "
        "för energieffektivisering per fastighet.",
        ("energideklaration", "energideklarationer", "energiklass", "flerbostadshus"),
        ("ENER",),
        "IRREG",
        "2019-12-09",
        "2019-12-09",
        "3.8.2",
        (CSV, XLSX),
    ),
)


# --- checks: the curated data must be coherent before anything is written --------------


def check(datasets: tuple[Dataset, ...] = DATASETS) -> None:
    """Raise ValueError on data that would make an inconsistent catalogue."""
    problems: list[str] = []
    seen: set[str] = set()
    for ds in datasets:
        where = f"{ds.slug}:"
        if ds.slug in seen:
            problems.append(f"{where} slug used twice")
        seen.add(ds.slug)
        org = ORGANISATION.get(ds.owner)
        if org is None:
            problems.append(f"{where} unknown owner {ds.owner}")
        elif not any(ds.process == a or ds.process.startswith(a + ".") for a in org.process_areas):
            problems.append(f"{where} process {ds.process} is outside {org.process_areas}")
        if ds.process not in PROCESSES:
            problems.append(f"{where} process code {ds.process} is not in PROCESSES")
        if not 3 <= len(ds.keywords) <= 6:
            problems.append(f"{where} needs 3-6 keywords")
        if not date.fromisoformat(ds.issued) <= date.fromisoformat(ds.modified) <= TODAY:
            problems.append(f"{where} issued/modified out of order")
        if (ds.retention == "gallras") != (ds.retention_period is not None):
            problems.append(f"{where} a retention period goes with gallras, and only with it")
        if any(not 0 <= level <= 3 for level in ds.krt):
            problems.append(f"{where} K/R/T levels are 0-3")
        if ds.access == "PUBLIC":
            if not ds.distributions or ds.secrecy:
                problems.append(f"{where} a public dataset needs distributions, no secrecy")
        elif ds.distributions or not ds.secrecy or ds.krt[0] < 2:
            problems.append(f"{where} a non-public one needs a secrecy provision, K >= 2, no files")
        for dist in ds.distributions:
            if dist.format not in FORMATS or (dist.service and dist.service not in SERVICE):
                problems.append(f"{where} unknown format or service in {dist}")
                return _fail(problems)
            if FORMATS[dist.format].extension is None and dist.service is None:
                problems.append(f"{where} {dist.format} needs a service")
        keys = [distribution_key(ds, dist) for dist in ds.distributions]
        if len(set(keys)) != len(keys):
            problems.append(f"{where} two distributions with the same key")
    if problems:
        _fail(problems)


def _fail(problems: list[str]) -> None:
    raise ValueError("bad demo data:\n" + "\n".join(problems))


# --- building the graph -----------------------------------------------------------------


def org_uri(key: str) -> URIRef:
    return URIRef(f"{BASE}organisation/{key}")


def contact_uri(key: str) -> URIRef:
    return URIRef(f"{BASE}kontakt/{key}")


def place_uri(key: str) -> URIRef:
    return URIRef(f"{BASE}plats/{key}")


def service_uri(key: str) -> URIRef:
    return URIRef(f"{BASE}tjanst/{key}")


def dataset_uri(ds: Dataset) -> URIRef:
    return URIRef(f"{BASE}dataset/{ds.slug}")


def distribution_key(ds: Dataset, dist: Dist) -> str:
    suffix = dist.service or FORMATS[dist.format].extension
    return f"{ds.slug}-{suffix}"


def distribution_node(ds: Dataset, dist: Dist) -> URIRef | BNode:
    key = distribution_key(ds, dist)
    # A fixed blank node id keeps the serialisation stable; Turtle writes it inline.
    return BNode(key) if ds.blank_distributions else URIRef(f"{BASE}distribution/{key}")


def xsd_date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def add_texts(graph: Graph, subject: Node, predicate: URIRef, sv: str, en: str | None) -> None:
    graph.add((subject, predicate, Literal(sv, lang="sv")))
    if en:
        graph.add((subject, predicate, Literal(en, lang="en")))


def add_organisation(graph: Graph, org: Organisation) -> None:
    uri = org_uri(org.key)
    graph.add((uri, RDF.type, FOAF.Agent))
    graph.add((uri, RDF.type, FOAF.Organization))
    add_texts(graph, uri, FOAF.name, org.name_sv, org.name_en)
    graph.add((uri, DCTERMS.identifier, Literal(org.identifier)))
    graph.add((uri, DCTERMS.type, PUBLISHER_TYPE[org.publisher_type]))
    graph.add((uri, FOAF.homepage, URIRef(org.homepage)))
    graph.add((uri, FOAF.mbox, URIRef("mailto:" + CONTACTS[org.contact][1])))
    if org.parent:
        graph.add((uri, ORG.unitOf, org_uri(org.parent)))


def add_contact(graph: Graph, key: str) -> None:
    name, email = CONTACTS[key]
    uri = contact_uri(key)
    graph.add((uri, RDF.type, VCARD.Organization))
    graph.add((uri, VCARD.fn, Literal(name)))
    graph.add((uri, VCARD.hasEmail, URIRef("mailto:" + email)))


def add_place(graph: Graph, key: str) -> None:
    sv, en = PLACES[key]
    uri = place_uri(key)
    graph.add((uri, RDF.type, DCTERMS.Location))
    add_texts(graph, uri, RDFS.label, sv, en)


def add_governance(
    graph: Graph, uri: URIRef, owner: str, process: str, krt: tuple[int, int, int]
) -> None:
    """The governance fields that records of every kind carry."""
    graph.add((uri, INSYN.informationOwner, org_uri(owner)))
    graph.add((uri, INSYN.processCode, Literal(process)))
    for predicate, level in zip(
        (INSYN.confidentiality, INSYN.integrity, INSYN.availability), krt, strict=True
    ):
        graph.add((uri, predicate, Literal(level, datatype=XSD.integer)))


def add_service(graph: Graph, service: Service, served: list[URIRef]) -> None:
    uri = service_uri(service.key)
    graph.add((uri, RDF.type, DCAT.DataService))
    add_texts(graph, uri, DCTERMS.title, service.title_sv, service.title_en)
    graph.add((uri, DCTERMS.description, Literal(service.description, lang="sv")))
    graph.add((uri, DCAT.endpointURL, URIRef(service.endpoint)))
    graph.add((uri, DCAT.endpointDescription, URIRef(service.endpoint_description)))
    graph.add((uri, DCTERMS.publisher, org_uri(service.publisher)))
    graph.add((uri, DCAT.contactPoint, contact_uri(service.contact)))
    graph.add((uri, DCTERMS.accessRights, ACCESS_RIGHT.PUBLIC))
    graph.add((uri, DCTERMS.license, LICENCE[service.licence]))
    if service.conforms_to:
        graph.add((uri, DCTERMS.conformsTo, URIRef(service.conforms_to)))
    for theme in service.themes:
        graph.add((uri, DCAT.theme, DATA_THEME[theme]))
    for keyword in service.keywords:
        graph.add((uri, DCAT.keyword, Literal(keyword, lang="sv")))
    for dataset in served:
        graph.add((uri, DCAT.servesDataset, dataset))
    add_governance(graph, uri, service.publisher, service.process, (0, 2, 2))
    graph.add((uri, INSYN.containsPersonalData, Literal(False)))


def add_distribution(graph: Graph, ds: Dataset, dist: Dist) -> Node:
    node = distribution_node(ds, dist)
    fmt = FORMATS[dist.format]
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.format, FILE_TYPE[dist.format]))
    if fmt.media_type:
        graph.add((node, DCAT.mediaType, MEDIA_TYPE[fmt.media_type]))
    graph.add((node, DCTERMS.license, LICENCE[dist.licence or ds.licence]))
    title = dist.title
    if title is None and len(ds.distributions) > 1:
        title = f"{ds.title} ({fmt.label})"
    if title:
        graph.add((node, DCTERMS.title, Literal(title, lang="sv")))
    description = dist.description
    availability = dist.availability
    if dist.service:
        service = SERVICE[dist.service]
        url = service.endpoint
        if dist.service != "wms":
            url = f"{url}/{ds.slug}"
        graph.add((node, DCAT.accessURL, URIRef(url)))
        graph.add((node, DCAT.accessService, service_uri(service.key)))
        description = description or service.distribution_note
        availability = availability or "STABLE"
    else:
        files = ORGANISATION[ds.owner].files
        url = URIRef(f"{files}{ds.slug}.{fmt.extension}")
        graph.add((node, DCAT.accessURL, url))
        graph.add((node, DCAT.downloadURL, url))
    if description:
        graph.add((node, DCTERMS.description, Literal(description, lang="sv")))
    if availability:
        graph.add((node, DCATAP.availability, AVAILABILITY[availability]))
    if dist.size is not None:
        graph.add((node, DCAT.byteSize, Literal(dist.size, datatype=XSD.nonNegativeInteger)))
    return node


def add_dataset(graph: Graph, ds: Dataset) -> URIRef:
    uri = dataset_uri(ds)
    graph.add((uri, RDF.type, DCAT.Dataset))
    add_texts(graph, uri, DCTERMS.title, ds.title, ds.title_en)
    add_texts(graph, uri, DCTERMS.description, ds.description, ds.description_en)
    for keyword in ds.keywords:
        graph.add((uri, DCAT.keyword, Literal(keyword, lang="sv")))
    for theme in ds.themes:
        graph.add((uri, DCAT.theme, DATA_THEME[theme]))
    graph.add((uri, DCTERMS.publisher, org_uri(ds.owner)))
    graph.add((uri, DCAT.contactPoint, contact_uri(ds.contact or ORGANISATION[ds.owner].contact)))
    graph.add((uri, DCTERMS.issued, xsd_date(ds.issued)))
    graph.add((uri, DCTERMS.modified, xsd_date(ds.modified)))
    graph.add((uri, DCTERMS.accrualPeriodicity, FREQUENCY[ds.frequency]))
    for place in ds.places:
        graph.add((uri, DCTERMS.spatial, place_uri(place)))
    graph.add((uri, DCTERMS.language, LANGUAGE.SWE))
    graph.add((uri, DCTERMS.accessRights, ACCESS_RIGHT[ds.access]))
    if ds.landing_page:
        graph.add((uri, DCAT.landingPage, URIRef(ds.landing_page)))
    if ds.period:
        period = BNode(f"{ds.slug}-period")
        graph.add((uri, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, xsd_date(ds.period[0])))
        if ds.period[1]:
            graph.add((period, DCAT.endDate, xsd_date(ds.period[1])))
    for dist in ds.distributions:
        graph.add((uri, DCAT.distribution, add_distribution(graph, ds, dist)))
    # governance extension
    if ds.secrecy:
        graph.add((uri, INSYN.secrecyProvision, Literal(ds.secrecy)))
    graph.add((uri, INSYN.containsPersonalData, Literal(bool(ds.personal_data))))
    for category in ds.personal_data:
        graph.add((uri, INSYN.personalDataCategory, Literal(category)))
    graph.add((uri, INSYN.retention, Literal(ds.retention)))
    if ds.retention_period:
        graph.add((uri, INSYN.retentionPeriod, Literal(ds.retention_period)))
    add_governance(graph, uri, ds.owner, ds.process, ds.krt)
    return uri


def add_catalogue(graph: Graph) -> None:
    uri = CATALOGUE
    graph.add((uri, RDF.type, DCAT.Catalog))
    add_texts(
        graph,
        uri,
        DCTERMS.title,
        "Exempelby kommuns datakatalog",
        "Data catalogue of Exempelby Municipality",
    )
    add_texts(
        graph,
        uri,
        DCTERMS.description,
        "Datamängder och datatjänster från Exempelby kommun, kommunens nämnder och de "
        "kommunala bolagen, beskrivna enligt DCAT-AP-SE. Till varje post finns också "
        "uppgifter för informationsförvaltningen: sekretess, personuppgifter, "
        "informationsägare, klassificering, bevarande och gallring. Exempelby är en påhittad "
        "kommun, och katalogen följer med Insyn som exempeldata.",
        "Datasets and data services of Exempelby Municipality, its committees and municipal "
        "companies, described with DCAT-AP-SE and the information-management details of each "
        "record. Exempelby is fictional; the catalogue is Insyn's demo data.",
    )
    graph.add((uri, DCTERMS.publisher, org_uri("exempelby-kommun")))
    graph.add((uri, FOAF.homepage, URIRef(BASE)))
    graph.add((uri, DCTERMS.language, LANGUAGE.SWE))
    graph.add((uri, DCTERMS.language, LANGUAGE.ENG))
    graph.add((uri, DCTERMS.license, LICENCE.CC0))
    graph.add((uri, DCTERMS.issued, xsd_date("2019-03-01")))
    graph.add((uri, DCTERMS.modified, xsd_date(max(ds.modified for ds in DATASETS))))
    graph.add((uri, DCTERMS.spatial, place_uri("exempelby-kommun")))
    graph.add((uri, DCAT.themeTaxonomy, URIRef(EU_AUTHORITY + "data-theme")))
    for ds in DATASETS:
        graph.add((uri, DCAT.dataset, dataset_uri(ds)))
    for service in SERVICES:
        graph.add((uri, DCAT.service, service_uri(service.key)))


def served_datasets(service: Service) -> list[URIRef]:
    return [
        dataset_uri(ds)
        for ds in DATASETS
        if any(dist.service == service.key for dist in ds.distributions)
    ]


def sections() -> list[tuple[str, Graph]]:
    """The catalogue as (heading, graph) pairs, in the order they are written."""
    check()
    result = []
    graph = new_graph()
    add_catalogue(graph)
    result.append(("Katalogen", graph))
    graph = new_graph()
    for org in ORGANISATIONS:
        add_organisation(graph, org)
    result.append(("Organisationer: kommunen, nämnderna och bolagen (org:unitOf)", graph))
    graph = new_graph()
    for key in CONTACTS:
        add_contact(graph, key)
    for key in PLACES:
        add_place(graph, key)
    result.append(("Kontaktpunkter och platser", graph))
    graph = new_graph()
    for service in SERVICES:
        add_service(graph, service, served_datasets(service))
    result.append(("Datatjänster", graph))
    for org in ORGANISATIONS:
        graph = new_graph()
        for ds in DATASETS:
            if ds.owner == org.key:
                add_dataset(graph, ds)
        if len(graph):
            result.append((f"Datamängder: {org.name_sv}", graph))
    return result


def build() -> Graph:
    """The whole catalogue as one graph."""
    graph = new_graph()
    for _, part in sections():
        graph += part
    return graph


HEADER = """\
# Exempelby kommuns datakatalog: DCAT-AP-SE 3.0 med Insyns förvaltningsegenskaper (insyn:).
# Exempelby är en påhittad kommun. Filen skrivs av scripts/generate_demo.py; ändra där och kör
#     python scripts/generate_demo.py
"""


def render() -> str:
    """The catalogue as Turtle text: one section per part, each sorted by rdflib."""
    lines = [HEADER]
    lines += [f"@prefix {prefix}: <{ns}> ." for prefix, ns in sorted(PREFIXES.items())]
    for heading, graph in sections():
        body = graph.serialize(format="turtle")
        statements = [line for line in body.splitlines() if not line.startswith("@prefix")]
        lines += ["", f"# --- {heading} ---", "\n".join(statements).strip()]
    return "\n".join(lines) + "\n"


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(DATASETS)} datasets, {len(SERVICES)} data services)")


if __name__ == "__main__":
    main()
