"""RDF namespaces used by the DCAT-AP-SE profile and Insyn's governance extension."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
# rdflib's DCAT namespace is closed and lacks DCAT 3 terms such as dcat:inSeries.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = Namespace("http://schema.org/")
# Insyn's governance extension: the policy's fields that DCAT has no property for
# (secrecy provision, personal data, information owner, KLASSA code, retention, K/R/T).
INSYN = Namespace("https://w3id.org/insyn/ns#")

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")
DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
FREQUENCY = Namespace(EU_AUTHORITY + "frequency/")
LANGUAGE = Namespace(EU_AUTHORITY + "language/")
LICENCE = Namespace(EU_AUTHORITY + "licence/")

__all__ = [
    "ACCESS_RIGHT",
    "ADMS",
    "DATA_THEME",
    "DCAT",
    "DCATAP",
    "DCTERMS",
    "EU_AUTHORITY",
    "FILE_TYPE",
    "FOAF",
    "FREQUENCY",
    "HYDRA",
    "INSYN",
    "LANGUAGE",
    "LICENCE",
    "LOCN",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "SPDX",
    "VCARD",
    "XSD",
]
