"""Synthetic Swedish catalogue records for the search speed benchmark (``bench/search.py``).

Deterministic: the same seed and count give the same records, in the same order. Records
are built as model objects (``Dataset``, ``DataService``, ``Case``, ``Document``) of a
fictional municipality, Norrvik, and its ~40 committees, offices and companies, so that
``insyn.search.documents.index_document`` turns them into index documents exactly as it
does for harvested records.

The mix, per 100 records: 45 datasets, 2 data services, 33 cases and 20 documents (the
cases and documents carry diarienummer such as "BN 2023/1234" and "BN 2023/1234-3");
about 5 % are not public (hidden from public search) and 3 % of the cases and documents
name an OSL secrecy provision (public search shows them masked). Titles have 3–10 words,
descriptions 20–80, and the words follow a Zipf-like spread over a vocabulary of topic
words, about 3,000 compound words and 200 place names, so that some words are in most
records and most words in few, as in a real catalogue.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from insyn.vocab.model import (
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

SEED = 20_250_101
BASE = "https://data.norrvik.se/"
EU = "http://publications.europa.eu/resource/authority/"

# fmt: off
# (slug, name, diarium series) — committees, offices and municipal companies.
ORGANISATIONS: list[tuple[str, str, str]] = [
    ("kommunstyrelsen", "Kommunstyrelsen", "KS"),
    ("kommunfullmaktige", "Kommunfullmäktige", "KF"),
    ("byggnadsnamnden", "Byggnadsnämnden", "BN"),
    ("miljonamnden", "Miljö- och hälsoskyddsnämnden", "MHN"),
    ("tekniska-namnden", "Tekniska nämnden", "TN"),
    ("utbildningsnamnden", "Utbildningsnämnden", "UN"),
    ("socialnamnden", "Socialnämnden", "SN"),
    ("vard-och-omsorg", "Vård- och omsorgsnämnden", "VON"),
    ("kultur-fritid", "Kultur- och fritidsnämnden", "KFN"),
    ("valnamnden", "Valnämnden", "VN"),
    ("overformyndare", "Överförmyndarnämnden", "ÖFN"),
    ("raddningstjansten", "Räddningstjänsten Norrvik", "RTJ"),
    ("revisionen", "Kommunens revisorer", "REV"),
    ("stadsbyggnad", "Stadsbyggnadsförvaltningen", "SBF"),
    ("miljoforvaltningen", "Miljöförvaltningen", "MF"),
    ("tekniska-forvaltningen", "Tekniska förvaltningen", "TF"),
    ("utbildningsforvaltningen", "Utbildningsförvaltningen", "UF"),
    ("socialforvaltningen", "Socialförvaltningen", "SF"),
    ("kultur-fritidsforvaltningen", "Kultur- och fritidsförvaltningen", "KFF"),
    ("ekonomiavdelningen", "Ekonomiavdelningen", "EKO"),
    ("hr-avdelningen", "HR-avdelningen", "HR"),
    ("kommunarkivet", "Kommunarkivet", "ARK"),
    ("lantmateri", "Lantmäterienheten", "LM"),
    ("gis-enheten", "GIS-enheten", "GIS"),
    ("kommunikation", "Kommunikationsavdelningen", "KOM"),
    ("it-avdelningen", "IT-avdelningen", "IT"),
    ("upphandling", "Upphandlingsenheten", "UPH"),
    ("naringsliv", "Näringslivsenheten", "NL"),
    ("norrvik-stadshus", "Norrviks Stadshus AB", "SH"),
    ("norrvik-energi", "Norrviks Energi AB", "NE"),
    ("norrvik-vatten", "Norrvik Vatten och Avfall AB", "NVA"),
    ("norrvik-bostader", "Bostads AB Norrvikshem", "NH"),
    ("norrvik-hamn", "Norrviks Hamn AB", "HAMN"),
    ("norrvik-parkering", "Norrviks Parkerings AB", "PARK"),
    ("norrvik-lokaltrafik", "Norrviks Lokaltrafik AB", "LT"),
    ("norrvik-stadsnat", "Norrvik Stadsnät AB", "SN AB"),
    ("norrvik-fastigheter", "Norrviks Kommunfastigheter AB", "KFAB"),
    ("norrvik-flygplats", "Norrvik Flygplats AB", "FLYG"),
    ("norrvik-arena", "Norrvik Arena och Evenemang AB", "ARENA"),
    ("norrvik-turism", "Destination Norrvik AB", "DEST"),
]
# Series must be letters only for a diarienummer; companies with a space get a short one.
SERIES = {slug: series.replace(" AB", "B").replace("Ö", "O") for slug, _, series in ORGANISATIONS}

# (Swedish title, English title or "", keywords, EU data themes, description words)
TOPICS: list[tuple[str, str, list[str], list[str], list[str]]] = [
    ("Bygglov", "Building permits", ["bygglov", "bygglovsansökningar"], ["GOVE", "REGI"],
     ["ansökningar", "beslut", "handläggningstid", "nybyggnad", "tillbyggnad", "rivning"]),
    ("Detaljplaner", "Detailed development plans", ["detaljplan", "planarbete"], ["REGI"],
     ["plangränser", "planbeskrivning", "laga kraft", "genomförandetid", "plankarta"]),
    ("Översiktsplan", "", ["översiktsplan", "markanvändning"], ["REGI"],
     ["utvecklingsområden", "grönstruktur", "riksintressen", "bebyggelse"]),
    ("Luftkvalitet", "Air quality", ["luftkvalitet", "partiklar", "kvävedioxid"], ["ENVI"],
     ["mätstation", "timmedelvärden", "miljökvalitetsnormer", "PM10", "halter"]),
    ("Trafikflöden", "Traffic flows", ["trafik", "trafikmätning", "fordon"], ["TRAN"],
     ["fordon", "mätpunkter", "årsmedeldygnstrafik", "tung trafik", "hastighet"]),
    ("Parkeringsplatser", "Parking spaces", ["parkering", "parkeringsplatser"], ["TRAN"],
     ["avgiftszoner", "taxa", "tidsbegränsning", "rörelsehindrade", "gatumark"]),
    ("Gång- och cykelvägar", "Cycle paths", ["cykelvägar", "cykelnät"], ["TRAN", "REGI"],
     ["cykelbana", "belysning", "beläggning", "cykelparkeringar", "cykelstråk"]),
    ("Hållplatser för kollektivtrafik", "Public transport stops", ["hållplatser", "busslinjer"],
     ["TRAN"], ["busshållplatser", "väderskydd", "linjer", "tidtabeller", "GTFS"]),
    ("Badvattenkvalitet", "Bathing water quality", ["badvatten", "badplatser"], ["ENVI", "HEAL"],
     ["provtagning", "badsäsongen", "enterokocker", "tjänligt", "strandbad"]),
    ("Dricksvattenkvalitet", "Drinking water quality", ["dricksvatten", "vattenverk"],
     ["HEAL", "ENVI"], ["analyser", "hårdhet", "nitrat", "ledningsnätet", "PFAS"]),
    ("Energianvändning i kommunala fastigheter", "Energy use in municipal buildings",
     ["energianvändning", "fastigheter"], ["ENER"],
     ["elförbrukning", "fjärrvärme", "kvadratmeter", "normalårskorrigerad"]),
    ("Fjärrvärmeleveranser", "District heating deliveries", ["fjärrvärme", "kraftvärme"],
     ["ENER"], ["bränslemix", "leveranser", "MWh", "biobränsle", "spillvärme"]),
    ("Avfallsstatistik", "Waste statistics", ["avfall", "hushållsavfall", "återvinning"],
     ["ENVI"], ["restavfall", "matavfall", "förpackningar", "grovavfall", "fraktioner"]),
    ("Elever i grundskolan", "Pupils in compulsory school", ["skola", "elever", "grundskola"],
     ["EDUC", "SOCI"], ["skolenheter", "årskurs", "elevantal", "läsår", "fritidshem"]),
    ("Förskoleplatser", "Pre-school places", ["förskola", "barnomsorg", "förskolekö"], ["EDUC"],
     ["placering", "väntetid", "avdelningar", "pedagogisk omsorg", "barngrupper"]),
    ("Meritvärden i årskurs 9", "Grade points in year 9", ["betyg", "meritvärde"], ["EDUC"],
     ["behörighet", "gymnasiet", "ämnen", "skolresultat", "nationella prov"]),
    ("Bibliotekens utlån", "Library loans", ["bibliotek", "utlån"], ["EDUC"],
     ["e-böcker", "ljudböcker", "filialer", "bokbuss", "medietyp"]),
    ("Idrottsanläggningar", "Sports facilities", ["idrott", "idrottshallar"], ["SOCI"],
     ["sporthallar", "ishallar", "fotbollsplaner", "simhallar", "bokningar"]),
    ("Befolkning", "Population", ["befolkning", "folkmängd", "invånare"], ["SOCI", "REGI"],
     ["distrikt", "åldersgrupp", "kön", "folkbokförda", "flyttningar"]),
    ("Befolkningsprognos", "Population forecast", ["befolkningsprognos", "prognos"], ["SOCI"],
     ["framskrivning", "födda", "döda", "inflyttning", "bostadsbyggande"]),
    ("Bostadsbestånd", "Housing stock", ["bostäder", "lägenheter", "hyresrätter"], ["SOCI"],
     ["hyror", "bostadsområde", "antal rum", "byggår", "bostadskö"]),
    ("Ekonomiskt bistånd", "Social assistance", ["försörjningsstöd", "ekonomiskt bistånd"],
     ["SOCI"], ["hushåll", "utbetalt belopp", "biståndsbehov", "hushållstyp"]),
    ("Hemtjänst", "Home care", ["hemtjänst", "äldreomsorg"], ["HEAL", "SOCI"],
     ["beviljade timmar", "brukare", "insatser", "trygghetslarm", "nöjdhet"]),
    ("Särskilt boende", "Residential care", ["särskilt boende", "äldreboende"], ["HEAL"],
     ["demensboende", "väntetid", "platser", "lägenheter", "inriktning"]),
    ("Budget och utfall", "Budget and outturn", ["budget", "ekonomi", "utfall"],
     ["ECON", "GOVE"], ["nämnd", "verksamhetsområde", "årsredovisning", "tusentals kronor"]),
    ("Leverantörsfakturor", "Supplier invoices", ["leverantörsfakturor", "inköp"], ["ECON"],
     ["leverantörer", "organisationsnummer", "belopp", "moms", "konto"]),
    ("Upphandlade avtal", "Procurement contracts", ["upphandling", "ramavtal", "avtal"],
     ["ECON"], ["avtalsperiod", "leverantör", "förlängning", "avtalsområde"]),
    ("Sammanträdesprotokoll", "Minutes of meetings", ["protokoll", "sammanträden", "beslut"],
     ["GOVE"], ["kallelser", "paragrafer", "justering", "anslagstavla", "ledamöter"]),
    ("Diarieförda ärenden", "Registered cases", ["diarium", "allmänna handlingar"], ["GOVE"],
     ["diarienummer", "ärendemening", "handlingar", "registrering"]),
    ("Felanmälningar i gatumiljön", "Fault reports", ["felanmälan", "gatubelysning"],
     ["TRAN", "GOVE"], ["potthål", "klotter", "trasiga lampor", "åtgärdstid"]),
    ("Träd i parker och gator", "Trees in parks and streets", ["träd", "trädregister"],
     ["ENVI"], ["trädslag", "stamomkrets", "planteringsår", "alléträd", "skyddsvärda"]),
    ("Naturreservat", "Nature reserves", ["naturreservat", "friluftsliv"], ["ENVI"],
     ["föreskrifter", "skötselplan", "vandringsleder", "fågellivet"]),
    ("Skyddsrum", "Civil defence shelters", ["skyddsrum", "beredskap"], ["JUST", "GOVE"],
     ["platser", "befolkningsskydd", "krisberedskap"]),
    ("Räddningstjänstens insatser", "Fire and rescue call-outs", ["räddningsinsatser"],
     ["JUST"], ["bränder", "trafikolyckor", "larm", "insatstid", "automatlarm"]),
    ("Bredbandstäckning", "Broadband coverage", ["bredband", "fiber"], ["TECH", "REGI"],
     ["hushåll", "arbetsställen", "landsbygden", "utbyggnad", "tätort"]),
    ("Livsmedelskontroll", "Food inspections", ["livsmedelskontroll", "restauranger"],
     ["HEAL"], ["inspektioner", "avvikelser", "hygien", "uppföljning", "kaféer"]),
    ("Bullerkartläggning", "Noise mapping", ["buller", "trafikbuller"], ["ENVI", "TRAN"],
     ["ljudnivåer", "bullerskydd", "vägtrafik", "tågtrafik", "decibel"]),
    ("Adresser", "Addresses", ["adresser", "belägenhetsadresser"], ["REGI"],
     ["gatunamn", "postnummer", "koordinater", "adressregister"]),
    ("Baskarta", "Base map", ["baskarta", "geodata", "kartor"], ["REGI"],
     ["byggnader", "fastighetsgränser", "höjdkurvor", "visningstjänst"]),
    ("Snöröjning och halkbekämpning", "Snow clearance", ["snöröjning", "halkbekämpning"],
     ["TRAN"], ["plogning", "sandning", "prioriterade gator", "vinterväghållning"]),
    ("Godsvolymer i hamnen", "Port freight volumes", ["hamn", "sjöfart", "gods"],
     ["TRAN", "ECON"], ["fartygsanlöp", "ton", "containrar", "kajer"]),
    ("Elproduktion från solceller", "Solar power production", ["solceller", "solel"],
     ["ENER", "ENVI"], ["solcellspark", "effekt", "kWh", "solinstrålning"]),
    ("Vattenförbrukning", "Water consumption", ["vattenförbrukning", "vatten"], ["ENVI"],
     ["kubikmeter", "abonnenter", "läckage", "mätare"]),
    ("Turistiska besöksmål", "Tourist attractions", ["turism", "besöksmål"], ["ECON"],
     ["gästnätter", "evenemang", "besökare", "sevärdheter"]),
    ("Föreningsbidrag", "Grants to associations", ["föreningar", "bidrag"], ["SOCI", "GOVE"],
     ["aktivitetsbidrag", "lokalbidrag", "föreningsregister", "medlemmar"]),
    ("Valresultat", "Election results", ["val", "valdistrikt", "valresultat"], ["GOVE"],
     ["röster", "valdeltagande", "mandat", "partier"]),
    ("Sjukfrånvaro bland anställda", "Sick leave among staff", ["sjukfrånvaro", "personal"],
     ["GOVE", "HEAL"], ["anställda", "förvaltning", "årsarbetare", "personalbokslut"]),
    ("Laddplatser för elbilar", "EV charging points", ["laddplatser", "elbil"],
     ["ENER", "TRAN"], ["laddstationer", "laddpunkter", "effekt", "kontakttyp"]),
    ("Lekplatser", "Playgrounds", ["lekplatser", "lekparker"], ["SOCI"],
     ["utrustning", "besiktning", "tillgänglighet", "målgrupp"]),
    ("Vägarbeten", "Road works", ["vägarbeten", "trafikstörningar"], ["TRAN"],
     ["omledningar", "avstängda gator", "entreprenör", "trafikanordningsplaner"]),
    ("Strandskydd", "Shore protection", ["strandskydd", "dispens"], ["ENVI", "REGI"],
     ["sjöar", "vattendrag", "länsstyrelsen", "utökat strandskydd"]),
    ("Förorenade områden", "Contaminated sites", ["förorenade områden", "MIFO"], ["ENVI"],
     ["deponier", "riskklass", "grundvatten", "markföroreningar"]),
    ("Offentlig konst", "Public art", ["offentlig konst", "skulpturer"], ["EDUC"],
     ["konstnär", "konstverk", "muralmålningar", "placering"]),
    ("Folkhälsoenkät", "Public health survey", ["folkhälsa", "levnadsvanor"], ["HEAL"],
     ["självskattad hälsa", "tobak", "alkohol", "fysisk aktivitet", "trygghet"]),
    ("Vuxenutbildning", "Adult education", ["vuxenutbildning", "Komvux", "SFI"], ["EDUC"],
     ["kurser", "poäng", "studieform", "ansökningsdag"]),
    ("Skolskjuts", "School transport", ["skolskjuts", "skolbuss"], ["EDUC", "TRAN"],
     ["linjer", "avgångstider", "vårdnadshavare", "läsåret"]),
    ("Matsedel i skolor och förskolor", "School menus", ["skolmat", "matsedel"],
     ["EDUC", "HEAL"], ["huvudrätt", "vegetariskt", "allergener", "måltidsservice"]),
    ("Energideklarationer", "Energy performance certificates", ["energideklarationer"],
     ["ENER"], ["energiklass", "uppvärmning", "flerbostadshus", "energieffektivisering"]),
    ("Ortofoto", "Orthophotos", ["ortofoto", "flygfoto"], ["REGI"],
     ["upplösning", "flygfotografering", "tätorterna", "kartunderlag"]),
    ("Kulturmiljöprogram", "Cultural heritage programme", ["kulturmiljö", "bebyggelse"],
     ["EDUC", "REGI"], ["byggnadsår", "kulturvärden", "q-märkning", "skyddsbestämmelser"]),
]
QUALIFIERS = [
    "per stadsdel", "per månad", "per kvartal", "per år", "per skolenhet", "per mätstation",
    "per nämnd", "i tätorterna", "per valdistrikt", "för hela kommunen", "per postnummer",
    "per verksamhet", "per fastighet", "i centrala Norrvik", "per åldersgrupp", "på landsbygden",
    "per bostadsområde", "i realtid", "per timme", "per förvaltning",
]
AREA_HEADS = [
    "Björk", "Ek", "Tall", "Gran", "Lind", "Hag", "Sjö", "Kvarn", "Berg", "Ås", "Dal", "Ång",
    "Näs", "Strand", "Mal", "Väster", "Öster", "Norr", "Söder", "Sol", "Skogs", "Hög", "Lerk",
    "Fur", "Al", "Rosen", "Vik", "Bäck", "Mo", "Kyrk",
]
AREA_TAILS = ["hagen", "backen", "udden", "viken", "slätt", "höjden", "berget", "dalen",
              "by", "åsen", "gärdet", "lund"]
COMPOUND_HEADS = [
    "bygg", "skol", "vatten", "trafik", "miljö", "energi", "avfall", "park", "gatu", "bostads",
    "vård", "omsorgs", "kultur", "idrotts", "natur", "buss", "cykel", "hamn", "el", "värme",
    "plan", "mark", "fastighets", "personal", "löne", "budget", "inköps", "avtals", "besöks",
    "barn", "elev", "förskole", "fritids", "biblioteks", "hälso", "social", "räddnings",
    "kris", "säkerhets", "it", "data", "system", "karta", "adress", "befolknings", "val",
    "turist", "förenings", "livsmedels", "bullers", "luft", "klimat", "sol", "vind", "väg",
    "gång", "tåg", "flyg", "stads", "lands",
]
COMPOUND_TAILS = [
    "lov", "plan", "enhet", "statistik", "register", "karta", "kontroll", "mätning",
    "anläggning", "område", "tillsyn", "avgift", "verksamhet", "ärende", "beslut", "rapport",
    "prognos", "underhåll", "nät", "station", "byggnad", "förvaltning", "utredning", "program",
    "strategi", "policy", "uppföljning", "analys", "inventering", "ansökan", "tillstånd",
    "bidrag", "kostnader", "intäkter", "data", "tjänst", "system", "projekt", "åtgärder",
    "insatser", "service", "frågor", "platser", "lokaler", "vägar", "gränser", "zoner",
    "nivåer", "mål", "kö",
]
FILLER = [
    "kommunen", "uppgifterna", "datamängden", "redovisas", "innehåller", "finns", "varje",
    "antal", "uppdateras", "används", "planering", "uppföljning", "underlag", "statistik",
    "information", "resultat", "verksamheten", "samlade", "aktuella", "tidigare", "nya",
    "löpande", "årligen", "månadsvis", "öppna", "publiceras", "kompletteras", "sammanställs",
    "beräknade", "uppmätta", "registrerade", "preliminära", "slutliga", "fördelat", "samtliga",
]
SENTENCES = [
    "Datamängden innehåller {w1} {q} för perioden {y0}–{y1}.",
    "Uppgifterna hämtas ur verksamhetssystemet {system} och uppdateras {freq}.",
    "Varje rad motsvarar {w1} med datum, plats och {w2}.",
    "Koordinater anges i SWEREF 99 TM och höjder i RH 2000.",
    "Personuppgifter har tagits bort före publicering enligt dataskyddsförordningen.",
    "Värden före {y0} har samlats in med en annan metod och är inte direkt jämförbara.",
    "Datamängden publiceras av {org} som en del av arbetet med öppna data.",
    "Mätningarna görs vid {n} mätpunkter, bland annat i {area} och {area2}.",
    "Siffrorna för {y1} är preliminära och kan komma att revideras.",
    "Uppgifterna om {w1} används i {c1} och i {c2}.",
    "{f1} {w2} {f2} {q} och {f3} {c1}.",
    "Underlaget omfattar {w1}, {w2} och {c1} i {area}.",
    "Data har kvalitetsgranskats, men enstaka saknade värden kan förekomma.",
    "Områdesindelningen följer kommunens statistikområden från {y1}.",
    "Frågor om {c1} besvaras av {org}.",
    "{f1} {c1} {f2} {c2} {f3} {w2}.",
]
CASE_SENTENCES = [
    "Ärendet gäller {what} i {area}.",
    "Ärendet handläggs av {unit} och beslut fattas på delegation.",
    "Handlingar i ärendet har kommit in från {party} och kompletterats {y0}.",
    "Beslutet kan överklagas inom tre veckor från den dag beslutet delgavs.",
    "Ärendet har remitterats till {org} för yttrande om {c1}.",
    "Sökanden har inkommit med {c1} och {c2}.",
    "I ärendet ingår {c1}, {c2} och situationsplan för fastigheten {estate}.",
    "Nämnden behandlade ärendet vid sammanträdet i {month} {y0}.",
    "{f1} {c1} {f2} {c2} i {area}.",
]
CASE_TEMPLATES: dict[str, list[str]] = {
    "BN": [
        "Bygglov för {action}, {estate}",
        "Anmälan om {action}, {estate}",
        "Förhandsbesked för {action} i {area}",
        "Tillsyn av ovårdad tomt, {estate}",
    ],
    "MHN": [
        "Anmälan om {env}, {estate}",
        "Klagomål på {nuisance} i {area}",
        "Registrering av livsmedelsanläggning i {area}",
        "Tillsyn av miljöfarlig verksamhet vid {company}",
    ],
    "KS": [
        "Remiss av {remiss}",
        "Motion om {topic}",
        "Medborgarförslag om {topic} i {area}",
        "Begäran om utlämnande av allmän handling om {topic}",
        "Yttrande över {remiss}",
    ],
    "TN": [
        "Ansökan om {permit} på {street} i {area}",
        "Felanmälan om {fault} på {street}",
        "Medborgarförslag om {topic} på {street}",
    ],
    "UN": [
        "Ansökan om skolskjuts för elev vid {school}",
        "Anmälan om kränkande behandling vid {school}",
        "Ansökan om plats i förskola i {area}",
    ],
    "SN": [
        "Ansökan om {social}",
        "Utredning om {social}",
    ],
    "KFN": [
        "Ansökan om föreningsbidrag från {club}",
        "Ansökan om kulturbidrag för {event} i {area}",
    ],
}
FILL: dict[str, list[str]] = {
    "action": [
        "nybyggnad av enbostadshus", "tillbyggnad av fritidshus", "rivning av ekonomibyggnad",
        "fasadändring", "uppförande av carport", "skylt", "installation av eldstad",
        "nybyggnad av flerbostadshus", "marklov för schaktning", "nybyggnad av förråd",
        "tillbyggnad av altan", "inglasning av balkong", "solcellsanläggning",
    ],
    "env": ["värmepump", "enskilt avlopp", "köldmedier", "miljöfarlig verksamhet",
            "spridning av bekämpningsmedel", "hästhållning"],
    "nuisance": ["buller", "lukt", "fukt", "ventilation", "nedskräpning", "råttor"],
    "remiss": ["regional transportplan", "förslag till ny avfallsplan", "vattenplan",
               "länsstyrelsens åtgärdsprogram", "betänkande om kommunal planering"],
    "topic": ["gatubelysning", "cykelväg", "lekplats", "hundrastgård", "farthinder",
              "parkering", "papperskorgar", "utegym", "badplats", "skolmat", "snöröjning"],
    "permit": ["grävtillstånd", "markupplåtelse", "parkeringstillstånd", "trafikanordningsplan"],
    "fault": ["gatubelysning", "potthål", "trasig skylt", "klotter", "igensatt dagvattenbrunn"],
    "school": ["Björkhagsskolan", "Sjövikens skola", "Kvarnbacksskolan", "Ekuddens skola",
               "Norrviks gymnasium", "Tallåsens förskola"],
    "social": ["bostadsanpassning", "färdtjänst", "ekonomiskt bistånd", "hemtjänst",
               "särskilt boende", "kontaktperson", "ledsagarservice"],
    "club": ["Norrviks IF", "Sjövikens Segelsällskap", "Kvarnbackens scoutkår",
             "Norrvik Basket", "Föreningen Hembygdsgården", "Norrviks Schacksällskap"],
    "event": ["sommarfestival", "konstutställning", "teaterföreställning", "julmarknad"],
    "street": ["Storgatan", "Kyrkogatan", "Järnvägsgatan", "Hamngatan", "Skolvägen",
               "Parkvägen", "Industrivägen", "Sjövägen"],
}
DOCUMENT_TYPES = ["Ansökan", "Beslut", "Delegationsbeslut", "Yttrande", "Skrivelse",
                  "Protokollsutdrag", "Tjänsteskrivelse", "Kvittens", "Föreläggande",
                  "Komplettering", "Ritning", "Situationsplan"]
STATUSES = ["pågående", "avslutat", "avslutat", "avslutat", "vilande"]
FIRST_NAMES = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara",
               "Anders", "Lena", "Mikael", "Emma", "Karl", "Sofia", "Nils", "Ida", "Oskar"]
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
              "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Lindberg"]
COMPANY_PARTS = ["Bygg", "El", "Fastighets", "Måleri", "VVS", "Trädgårds", "Transport",
                 "Konsult", "Entreprenad", "Miljö"]
SYSTEMS = ["Ciceron", "Platina", "Procapita", "Agresso", "Public 360", "Castor", "NVDB",
           "Geosecma", "Lifecare", "Tieto Education"]
FREQUENCIES = ["dagligen", "varje vecka", "varje månad", "varje kvartal", "en gång per år"]
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "augusti", "september",
          "oktober", "november", "december"]
FORMATS = [("CSV", 40), ("JSON", 15), ("XLSX", 12), ("GEOJSON", 10), ("SHP", 5), ("PDF", 8),
           ("XML", 6), ("HTML", 4), ("WMS_SRVC", 3), ("GPKG", 2)]
DOC_FORMATS = [("PDF", 70), ("DOCX", 20), ("JPEG", 6), ("XLSX", 4)]
LICENCES = [
    ("http://creativecommons.org/publicdomain/zero/1.0/", 70),
    ("http://creativecommons.org/licenses/by/4.0/", 25),
    (EU + "licence/CC_BY_4_0", 5),
]
SECRECY = ["21 kap. 7 § OSL", "26 kap. 1 § OSL", "18 kap. 8 § OSL", "31 kap. 16 § OSL",
           "23 kap. 2 § OSL", "19 kap. 1 § OSL"]
# fmt: on
KIND_MIX = [("dataset", 45), ("dataservice", 2), ("case", 33), ("document", 20)]
NON_PUBLIC_SHARE = 0.05  # hidden from the public
MASKED_SHARE = 0.03  # cases and documents shown masked (secret details)
YEARS = (2010, 2025)


def _zipf_cumulative(count: int, exponent: float = 1.0) -> list[float]:
    total = 0.0
    out = []
    for rank in range(1, count + 1):
        total += 1.0 / rank**exponent
        out.append(total)
    return out


@dataclass
class Vocabulary:
    """Word lists with Zipf-like weights, shuffled by the seed."""

    areas: list[str]
    area_weights: list[float]
    compounds: list[str]
    compound_weights: list[float]
    filler_weights: list[float]
    topic_weights: list[float]
    estates: list[str]


def build_vocabulary(rng: random.Random) -> Vocabulary:
    areas = [head + tail for head, tail in itertools.product(AREA_HEADS, AREA_TAILS)]
    rng.shuffle(areas)
    areas = areas[:200]
    areas = [a[0].upper() + a[1:] for a in areas]
    compounds = [head + tail for head, tail in itertools.product(COMPOUND_HEADS, COMPOUND_TAILS)]
    rng.shuffle(compounds)
    estates = [
        f"{area} {block}:{lot}"
        for area in areas[:60]
        for block in (1, 2, 3, 4, 5, 7, 9)
        for lot in (2, 5, 11, 14, 23)
    ]
    return Vocabulary(
        areas=areas,
        area_weights=_zipf_cumulative(len(areas), 0.9),
        compounds=compounds,
        compound_weights=_zipf_cumulative(len(compounds), 1.05),
        filler_weights=_zipf_cumulative(len(FILLER), 0.8),
        topic_weights=_zipf_cumulative(len(TOPICS), 0.7),
        estates=estates,
    )


class Generator:
    """Yields ``(record_id, record, publisher_name, owner_name)``, deterministically."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.vocab = build_vocabulary(random.Random(seed + 1))
        self.agents = {
            slug: Agent(uri=f"{BASE}organisation/{slug}", name={"sv": name})
            for slug, name, _ in ORGANISATIONS
        }
        self.names = {slug: name for slug, name, _ in ORGANISATIONS}
        self.slugs = [slug for slug, _, _ in ORGANISATIONS]
        self.org_weights = _zipf_cumulative(len(self.slugs), 0.6)
        self.kinds = [k for k, _ in KIND_MIX]
        self.kind_weights = list(itertools.accumulate(w for _, w in KIND_MIX))
        self.formats = [f for f, _ in FORMATS]
        self.format_weights = list(itertools.accumulate(w for _, w in FORMATS))
        self.doc_formats = [f for f, _ in DOC_FORMATS]
        self.doc_format_weights = list(itertools.accumulate(w for _, w in DOC_FORMATS))
        self.licences = [u for u, _ in LICENCES]
        self.licence_weights = list(itertools.accumulate(w for _, w in LICENCES))
        # Diaria: the committees' own series weigh most, every organisation has one.
        committees = [s for s in self.slugs if SERIES[s] in CASE_TEMPLATES]
        self.case_orgs = committees + [s for s in self.slugs if s not in committees]
        self.case_org_weights = list(
            itertools.accumulate(
                [8.0] * len(committees) + [1.0] * (len(self.slugs) - len(committees))
            )
        )
        self.case_numbers: dict[tuple[str, int], int] = {}
        self.recent_cases: list[tuple[str, str, str, int]] = []  # dnr, title, slug, year

    # -- small helpers

    def _pick(self, items: list[Any], cumulative: list[float]) -> Any:
        return self.rng.choices(items, cum_weights=cumulative, k=1)[0]

    def _org(self) -> str:
        return self._pick(self.slugs, self.org_weights)

    def _compound(self) -> str:
        return self._pick(self.vocab.compounds, self.vocab.compound_weights)

    def _filler(self) -> str:
        return self._pick(FILLER, self.vocab.filler_weights)

    def _topic(self) -> tuple[str, str, list[str], list[str], list[str]]:
        return self._pick(TOPICS, self.vocab.topic_weights)

    def _area(self) -> str:
        # Areas follow a Zipf spread too: the centre is in many records, villages in few.
        return self._pick(self.vocab.areas, self.vocab.area_weights)

    def _date(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def _governance(self, slug: str, personal: bool, *, diarium: bool = False) -> Governance:
        owner = self.agents[slug].uri
        draw = self.rng.random()
        if draw < NON_PUBLIC_SHARE:
            # Not public. A dataset names its secrecy provision; a diarium entry that names
            # one is shown masked instead (insyn.vocab.masking), so hidden ones do not.
            return Governance(
                access_rights=self.rng.choice([NON_PUBLIC, RESTRICTED]),
                secrecy_provision=None if diarium else self.rng.choice(SECRECY),
                contains_personal_data=True,
                information_owner=owner,
            )
        if diarium and draw < NON_PUBLIC_SHARE + MASKED_SHARE:
            # A public diarium entry with secret details: in public search, masked.
            return Governance(
                secrecy_provision=self.rng.choice(SECRECY),
                contains_personal_data=True,
                information_owner=owner,
            )
        return Governance(contains_personal_data=personal, information_owner=owner)

    def _fill(self, template: str, words: list[str], slug: str, y0: int, y1: int) -> str:
        rng = self.rng
        values = {
            "w1": rng.choice(words),
            "w2": rng.choice(words),
            "q": rng.choice(QUALIFIERS),
            "y0": y0,
            "y1": y1,
            "system": rng.choice(SYSTEMS),
            "freq": rng.choice(FREQUENCIES),
            "org": self.names[slug],
            "n": rng.randrange(3, 60),
            "area": self._area(),
            "area2": self._area(),
            "c1": self._compound(),
            "c2": self._compound(),
            "f1": self._filler().capitalize(),
            "f2": self._filler(),
            "f3": self._filler(),
        }
        return template.format(**values)

    def _description(
        self,
        sentences: list[str],
        words: list[str],
        slug: str,
        y0: int,
        y1: int,
        extra: dict[str, str] | None = None,
    ) -> str:
        target = self.rng.randint(20, 80)
        out: list[str] = []
        count = 0
        # Each sentence once before any comes again, as a person would write.
        order = itertools.cycle(self.rng.sample(sentences, len(sentences)))
        while count < target:
            template = next(order)
            if extra:
                template = template.format_map(_Keep(extra))
            sentence = self._fill(template, words, slug, y0, y1)
            words_in = len(sentence.split())
            if count + words_in > 80:
                break
            out.append(sentence)
            count += words_in
        return " ".join(out)

    # -- records

    def records(self, count: int) -> Iterator[tuple[str, Record, str, str]]:
        for number in range(count):
            kind = self._pick(self.kinds, self.kind_weights)
            if kind == "case" or (kind == "document" and not self.recent_cases):
                yield self._case(number)
            elif kind == "document":
                yield self._document(number)
            elif kind == "dataservice":
                yield self._service(number)
            else:
                yield self._dataset(number)

    def _dataset(self, number: int) -> tuple[str, Record, str, str]:
        rng = self.rng
        slug = self._org()
        title_sv, title_en, keywords, themes, words = self._topic()
        y1 = rng.randint(*YEARS)
        y0 = max(YEARS[0] - 5, y1 - rng.randint(0, 10))
        parts = [title_sv]
        length = len(title_sv.split())
        wanted = rng.randint(max(3, length), 10)
        extras = [
            rng.choice(QUALIFIERS),
            self._area(),
            self._compound(),
            str(y1),
            f"{y0}–{y1}" if y0 < y1 else f"år {y1}",
            rng.choice(words),
            f"i {self._area()}",
        ]
        rng.shuffle(extras)
        for extra in extras:
            if length >= wanted:
                break
            if length + len(extra.split()) > wanted:
                continue
            parts.append(extra)
            length += len(extra.split())
        title = " ".join(parts)
        description = self._description(SENTENCES, words, slug, y0, y1)
        kw = list(
            dict.fromkeys(
                keywords
                + rng.sample(words, k=min(len(words), rng.randint(0, 3)))
                + [self._compound() for _ in range(rng.randint(0, 2))]
            )
        )
        formats = {self._pick(self.formats, self.format_weights) for _ in range(rng.randint(1, 3))}
        licence = self._pick(self.licences, self.licence_weights)
        dataset = Dataset(
            uri=f"{BASE}dataset/{number}",
            title={"sv": title, **({"en": title_en} if title_en and rng.random() < 0.4 else {})},
            description={"sv": description},
            publisher=self.agents[slug],
            keyword={"sv": kw},
            theme=[f"{EU}data-theme/{t}" for t in themes],
            issued=self._date(y0),
            modified=self._date(y1),
            distributions=[
                Distribution(
                    title={"sv": f"{title} ({fmt})"},
                    format=f"{EU}file-type/{fmt}",
                    license=licence,
                )
                for fmt in sorted(formats)
            ],
        )
        dataset.governance = self._governance(slug, personal=rng.random() < 0.1)
        return f"ds-{number}", dataset, self.names[slug], self.names[slug]

    def _service(self, number: int) -> tuple[str, Record, str, str]:
        rng = self.rng
        slug = self._org()
        title_sv, _, keywords, themes, words = self._topic()
        y1 = rng.randint(*YEARS)
        service = DataService(
            uri=f"{BASE}tjanst/{number}",
            title={"sv": f"API för {title_sv.lower()} {rng.choice(QUALIFIERS)}"},
            description={"sv": self._description(SENTENCES, words, slug, y1 - 3, y1)},
            publisher=self.agents[slug],
            keyword={"sv": [*keywords, "API"]},
            theme=[f"{EU}data-theme/{t}" for t in themes],
            issued=self._date(y1 - 1),
            modified=self._date(y1),
            format=[f"{EU}file-type/JSON"] + ([f"{EU}file-type/XML"] if rng.random() < 0.3 else []),
            license=self._pick(self.licences, self.licence_weights),
        )
        service.governance = self._governance(slug, personal=False)
        return f"svc-{number}", service, self.names[slug], self.names[slug]

    def _case_title(self, series: str) -> tuple[str, str]:
        rng = self.rng
        templates = CASE_TEMPLATES.get(series) or CASE_TEMPLATES["KS"]
        template = rng.choice(templates)
        values = {name: rng.choice(options) for name, options in FILL.items()}
        values.update(
            estate=rng.choice(self.vocab.estates),
            area=self._area(),
            company=f"{rng.choice(COMPANY_PARTS)}firman i {self._area()} AB",
        )
        what = values.get("action") or values.get("topic") or ""
        return template.format(**values), what

    def _party(self) -> Party:
        rng = self.rng
        if rng.random() < 0.55:
            return Party(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                role="sökande",
                is_private_individual=True,
            )
        return Party(name=f"{rng.choice(COMPANY_PARTS)}firman i {self._area()} AB", role="part")

    def _case(self, number: int) -> tuple[str, Record, str, str]:
        rng = self.rng
        slug = self._pick(self.case_orgs, self.case_org_weights)
        series = SERIES[slug]
        year = rng.randint(*YEARS)
        key = (series, year)
        self.case_numbers[key] = self.case_numbers.get(key, 0) + rng.randint(1, 3)
        dnr = f"{series} {year}/{self.case_numbers[key]}"
        title, what = self._case_title(series)
        parties = [self._party() for _ in range(rng.randint(0, 2))]
        opened = self._date(year)
        extra = {
            "what": what or title.lower(),
            "unit": self.names[slug],
            "party": parties[0].name
            if parties and not parties[0].is_private_individual
            else "sökanden",
            "estate": rng.choice(self.vocab.estates),
            "month": rng.choice(MONTHS),
        }
        description = self._description(
            CASE_SENTENCES, [what or "ärendet"], slug, year, year, extra
        )
        written = rng.choice([dnr, dnr.replace(" ", "-").replace("/", "-"), dnr])
        case = Case(
            uri=f"{BASE}arende/{number}",
            title={"sv": title},
            description={"sv": description},
            publisher=self.agents[slug],
            modified=opened + timedelta(days=rng.randrange(400)),
            diarienummer=written,
            diarienummer_normalised=dnr,
            status=rng.choice(STATUSES),
            opened=opened,
            responsible_unit=self.names[slug],
            parties=parties,
        )
        case.governance = self._governance(
            slug, personal=any(p.is_private_individual for p in parties), diarium=True
        )
        self.recent_cases.append((dnr, title, slug, year))
        if len(self.recent_cases) > 5000:
            del self.recent_cases[:1000]
        return f"case-{number}", case, self.names[slug], self.names[slug]

    def _document(self, number: int) -> tuple[str, Record, str, str]:
        rng = self.rng
        dnr, case_title, slug, year = rng.choice(self.recent_cases)
        doc_type = rng.choice(DOCUMENT_TYPES)
        title = f"{doc_type} – {case_title}"
        extra = {
            "what": case_title.lower(),
            "unit": self.names[slug],
            "party": "sökanden",
            "estate": rng.choice(self.vocab.estates),
            "month": rng.choice(MONTHS),
        }
        day = self._date(min(year + rng.randint(0, 1), YEARS[1]))
        attachments = [
            Attachment(
                name=f"{doc_type.lower()}-{rng.randrange(1, 999)}.{fmt.lower()}",
                format=f"{EU}file-type/{fmt}",
            )
            for fmt in {
                self._pick(self.doc_formats, self.doc_format_weights)
                for _ in range(rng.randint(1, 2))
            }
        ]
        parties = [self._party() for _ in range(rng.randint(0, 1))]
        document = Document(
            uri=f"{BASE}handling/{number}",
            title={"sv": title},
            description={
                "sv": self._description(
                    CASE_SENTENCES, [case_title.lower()], slug, year, year, extra
                )
            },
            publisher=self.agents[slug],
            modified=day,
            case_diarienummer=dnr,
            document_number=str(rng.randint(1, 25)),
            date=day,
            direction=rng.choice(["incoming", "outgoing", "drawn-up"]),
            document_type=doc_type,
            parties=parties,
            attachments=attachments,
        )
        document.governance = self._governance(
            slug, personal=any(p.is_private_individual for p in parties), diarium=True
        )
        return f"doc-{number}", document, self.names[slug], self.names[slug]


class _Keep(dict[str, str]):
    """format_map helper: fills the keys it has and keeps the other fields for later."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def index_documents(count: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """Yield ``count`` index documents built with ``index_document``."""
    from insyn.search.documents import index_document

    for record_id, record, publisher, owner in Generator(seed).records(count):
        yield index_document(
            record_id, record, publisher_name=publisher, owner_name=owner, source="bench"
        )
