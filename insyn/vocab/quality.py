"""Metadata quality: the data.europa.eu Metadata Quality Assessment (MQA), computed offline.

The MQA scores a dataset's metadata in five dimensions derived from FAIR, with these
maximum points (https://data.europa.eu/mqa/methodology):

    findability 100 · accessibility 100 · interoperability 110 · reusability 75 ·
    contextuality 20  = 405

and rates the sum Excellent (351–405), Good (221–350), Sufficient (121–220) or Bad (0–120).
Each check below carries the methodology's points. Checks on distributions score the share
of distributions that pass (so two of four distributions with a format give half the
points); interoperability uses the best distribution only, as the methodology does.

What cannot be reproduced offline, and how it is scored here instead:

- access/download URL *reachability* (HTTP 2xx/3xx): a well-formed http(s) URL counts as
  reachable unless the caller passes ``reachable`` results (URL → bool) that say otherwise;
  ``QualityScore.assumed`` lists the checks that were assumed.
- *DCAT-AP compliance* (the portal runs SHACL): the mandatory DCAT-AP properties are
  checked (title, description, every distribution's access URL); ``insyn validate`` runs
  the full SHACL shapes on an export.
- *machine-readable* and *non-proprietary* formats: the portal reads lists kept by the
  Publications Office; ``MACHINE_READABLE`` and ``NON_PROPRIETARY`` below copy their core.
- *dct:rights* on a distribution: the model has no such property; a distribution's own
  access rights (or a ``dct:rights`` value the source gave on the dataset) count instead.

Only datasets are scored (the MQA scores nothing else); ``score_data`` returns ``None``
for data services, cases and documents. Everything here is pure: no database, no network.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from insyn.vocab.model import Record, to_dict
from insyn.vocab.source_defaults import HVD_LEGISLATION

DIMENSIONS: dict[str, int] = {
    "findability": 100,
    "accessibility": 100,
    "interoperability": 110,
    "reusability": 75,
    "contextuality": 20,
}
DIMENSION_LABELS: dict[str, str] = {
    "findability": "Sökbarhet",
    "accessibility": "Tillgänglighet",
    "interoperability": "Interoperabilitet",
    "reusability": "Återanvändbarhet",
    "contextuality": "Sammanhang",
}
MAX_POINTS = sum(DIMENSIONS.values())  # 405

# (lowest points, rating, Swedish label), best first.
RATINGS: tuple[tuple[int, str, str], ...] = (
    (351, "Excellent", "Utmärkt"),
    (221, "Good", "Bra"),
    (121, "Sufficient", "Tillräcklig"),
    (0, "Bad", "Bristfällig"),
)
RATING_LABELS: dict[str, str] = {name: label for _, name, label in RATINGS}

FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_BASE = "http://www.iana.org/assignments/media-types/"
ACCESS_RIGHT_BASE = "http://publications.europa.eu/resource/authority/access-right/"
DCT_RIGHTS = "http://purl.org/dc/terms/rights"

# EU file-type codes the MQA counts as machine-readable and as non-proprietary.
_MACHINE_READABLE_CODES = (
    "CSV TSV JSON JSON_LD GEOJSON TOPOJSON XML RDF RDF_XML RDF_TURTLE TURTLE N3 NQUADS "
    "NTRIPLES TRIG RDFA XLS XLSX ODS DBF SHP GML KML KMZ GPKG NETCDF HDF5 GRIB PARQUET AVRO "
    "ORC SQL MDB ACCESS GTFS WMS_SRVC WFS_SRVC WCS_SRVC SPARQLQ ATOM RSS YAML XSD DCR ICS "
    "SDMX MAP_SRVC"
)
_NON_PROPRIETARY_CODES = (
    "CSV TSV TXT JSON JSON_LD GEOJSON TOPOJSON XML RDF RDF_XML RDF_TURTLE TURTLE N3 NQUADS "
    "NTRIPLES TRIG RDFA ODS ODT ODP ODG HTML XHTML PDF PDFA1A PDFA1B PDFA2A PDFA2B PNG SVG "
    "GML KML GPKG NETCDF HDF5 PARQUET AVRO ORC GTFS ATOM RSS YAML XSD ICS SDMX ZIP GZIP TAR "
    "WMS_SRVC WFS_SRVC WCS_SRVC SPARQLQ"
)
MACHINE_READABLE: frozenset[str] = frozenset(_MACHINE_READABLE_CODES.split())
NON_PROPRIETARY: frozenset[str] = frozenset(_NON_PROPRIETARY_CODES.split())


@dataclass(frozen=True)
class Check:
    """One MQA indicator: its key, dimension, points and what to do to pass it."""

    key: str
    dimension: str
    points: int
    label: str  # the property, as the MQA names it
    advice: str  # Swedish: what to add to earn the points


CHECKS: tuple[Check, ...] = (
    Check("keyword", "findability", 30, "dcat:keyword", "Lägg till nyckelord"),
    Check("theme", "findability", 30, "dcat:theme", "Ange tema (kategori)"),
    Check("spatial", "findability", 20, "dct:spatial", "Ange geografisk täckning"),
    Check("temporal", "findability", 20, "dct:temporal", "Ange tidsperiod"),
    Check(
        "access_url_reachable",
        "accessibility",
        50,
        "dcat:accessURL nåbar",
        "Ge varje distribution en fungerande åtkomstadress",
    ),
    Check("download_url", "accessibility", 20, "dcat:downloadURL", "Lägg till nedladdningslänk"),
    Check(
        "download_url_reachable",
        "accessibility",
        30,
        "dcat:downloadURL nåbar",
        "Se till att nedladdningslänken fungerar",
    ),
    Check("format", "interoperability", 20, "dct:format", "Ange format på distributionen"),
    Check("media_type", "interoperability", 10, "dcat:mediaType", "Ange mediatyp"),
    Check(
        "format_vocabulary",
        "interoperability",
        10,
        "dct:format/dcat:mediaType ur vokabulär",
        "Ange format ur EU:s filtypslista och mediatyp ur IANA",
    ),
    Check(
        "non_proprietary",
        "interoperability",
        20,
        "dct:format icke-proprietärt",
        "Erbjud ett öppet format (t.ex. CSV i stället för XLS)",
    ),
    Check(
        "machine_readable",
        "interoperability",
        20,
        "dct:format maskinläsbart",
        "Erbjud ett maskinläsbart format (CSV, JSON, XML …)",
    ),
    Check(
        "dcat_ap_compliance",
        "interoperability",
        30,
        "DCAT-AP-överensstämmelse",
        "Fyll i titel, beskrivning och åtkomstadress (obligatoriskt i DCAT-AP)",
    ),
    Check("licence", "reusability", 20, "dct:license", "Ange licens"),
    Check(
        "licence_vocabulary",
        "reusability",
        10,
        "dct:license ur vokabulär",
        "Ange licensen ur EU:s licenslista (t.ex. CC BY 4.0)",
    ),
    Check("access_rights", "reusability", 10, "dct:accessRights", "Ange åtkomsträttigheter"),
    Check(
        "access_rights_vocabulary",
        "reusability",
        5,
        "dct:accessRights ur vokabulär",
        "Ange åtkomsträttigheter ur EU:s lista",
    ),
    Check("contact_point", "reusability", 20, "dcat:contactPoint", "Ange kontaktuppgifter"),
    Check("publisher", "reusability", 10, "dct:publisher", "Ange utgivare"),
    Check("rights", "contextuality", 5, "dct:rights", "Ange rättigheter på distributionen"),
    Check("byte_size", "contextuality", 5, "dcat:byteSize", "Ange filstorlek"),
    Check("issued", "contextuality", 5, "dct:issued", "Ange utgivningsdatum"),
    Check("modified", "contextuality", 5, "dct:modified", "Ange senast ändrad"),
)
CHECKS_BY_KEY: dict[str, Check] = {check.key: check for check in CHECKS}
assert sum(check.points for check in CHECKS) == MAX_POINTS


def rating(points: float) -> str:
    """Return the MQA rating of a score: Excellent, Good, Sufficient or Bad."""
    for lowest, name, _label in RATINGS:
        if points >= lowest:
            return name
    return "Bad"


@dataclass(frozen=True)
class Missing:
    """A check not (fully) passed and the points passing it would add."""

    key: str
    label: str
    advice: str
    points: float


@dataclass(frozen=True)
class QualityScore:
    """The MQA score of one dataset."""

    points: float
    dimensions: dict[str, float]
    checks: dict[str, float]  # check key → points earned
    missing: tuple[Missing, ...]  # largest gain first
    assumed: tuple[str, ...] = ()  # checks scored without a network probe

    @property
    def rating(self) -> str:
        return rating(self.points)

    @property
    def rating_label(self) -> str:
        return RATING_LABELS[self.rating]

    @property
    def percent(self) -> float:
        return 100 * self.points / MAX_POINTS

    def as_json(self) -> dict[str, Any]:
        return {
            "points": round(self.points, 1),
            "max_points": MAX_POINTS,
            "rating": self.rating,
            "dimensions": {name: round(value, 1) for name, value in self.dimensions.items()},
            "missing": [
                {"check": item.key, "label": item.label, "points": round(item.points, 1)}
                for item in self.missing
            ],
            "assumed": list(self.assumed),
        }


# --- vocabulary look-ups (cached per value: a catalogue repeats a few dozen values) --------


@cache
def _file_type_code(value: str) -> str | None:
    """Return the EU file-type code a format value names, or None."""
    from insyn.vocab import vocabularies

    try:
        concept = vocabularies.file_types().lookup(value)
    except Exception:  # bundled files unreadable: fall back to the URI's last segment
        concept = None
    if concept is not None:
        return concept.code.upper()
    if value.startswith(FILE_TYPE_BASE):
        return value.removeprefix(FILE_TYPE_BASE).upper()
    return None


@cache
def _in_file_types(value: str) -> bool:
    return value.startswith(FILE_TYPE_BASE) and _file_type_code(value) is not None


_MEDIA_TYPE = re.compile(
    r"^(application|audio|font|image|message|model|multipart|text|video)/[\w.+-]+$"
)


@cache
def _media_type_known(value: str) -> bool:
    text = value.removeprefix(IANA_BASE) if value.startswith(IANA_BASE) else value
    return value.startswith(IANA_BASE) and bool(_MEDIA_TYPE.match(text.lower()))


@cache
def _licence_known(value: str) -> bool:
    from insyn.vocab import vocabularies

    try:
        return vocabularies.licences().get(value) is not None
    except Exception:
        return False


def _http_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://")) and " " not in value


def _filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_filled(item) for item in value.values())
    if isinstance(value, list):
        return any(_filled(item) for item in value)
    return value not in (None, "")


def _share(passed: int, total: int) -> float:
    return passed / total if total else 0.0


def _reachable(url: Any, probe: Mapping[str, bool] | None) -> bool:
    if not _http_url(url):
        return False
    if probe is not None and url in probe:
        return bool(probe[url])
    return True


def _distribution_interop(distribution: dict[str, Any]) -> dict[str, float]:
    fmt = distribution.get("format") or ""
    media = distribution.get("media_type") or ""
    code = _file_type_code(fmt) if fmt else None
    if code is None and media:
        code = _file_type_code(media)
    vocab_hits = int(bool(fmt) and _in_file_types(fmt)) + int(
        bool(media) and _media_type_known(media)
    )
    return {
        "format": 1.0 if fmt else 0.0,
        "media_type": 1.0 if media else 0.0,
        "format_vocabulary": vocab_hits / 2,
        "non_proprietary": 1.0 if code in NON_PROPRIETARY else 0.0,
        "machine_readable": 1.0 if code in MACHINE_READABLE else 0.0,
    }


def score_data(
    data: Mapping[str, Any], *, reachable: Mapping[str, bool] | None = None
) -> QualityScore | None:
    """Score a record given as plain data (``model.to_dict`` output, as stored).

    ``reachable`` maps URLs to the result of a probe; URLs not in it are assumed
    reachable when well-formed. Returns None for kinds the MQA does not score.
    """
    if data.get("kind", "dataset") != "dataset":
        return None
    share = _shares(data, reachable)
    distributions: list[dict[str, Any]] = list(data.get("distributions") or [])
    earned = {check.key: check.points * share[check.key] for check in CHECKS}
    dimensions = dict.fromkeys(DIMENSIONS, 0.0)
    for check in CHECKS:
        dimensions[check.dimension] += earned[check.key]
    missing = sorted(
        (
            Missing(check.key, check.label, check.advice, check.points - earned[check.key])
            for check in CHECKS
            if check.points - earned[check.key] > 1e-9
        ),
        key=lambda item: (-item.points, item.key),
    )
    assumed = tuple(
        key
        for key, attribute in (
            ("access_url_reachable", "access_url"),
            ("download_url_reachable", "download_url"),
        )
        if any(
            _http_url(url := d.get(attribute)) and (reachable is None or url not in reachable)
            for d in distributions
        )
    )
    return QualityScore(sum(earned.values()), dimensions, earned, tuple(missing), assumed)


def points_data(data: Mapping[str, Any]) -> float | None:
    """The points ``score_data`` gives a record (URLs assumed reachable), without the
    breakdown: what a harvest stores for each dataset. None unless it is a dataset."""
    if data.get("kind", "dataset") != "dataset":
        return None
    share = _shares(data, None)
    return sum([check.points * share[check.key] for check in CHECKS])


def _shares(data: Mapping[str, Any], reachable: Mapping[str, bool] | None) -> dict[str, float]:
    """Each check's share met (0 to 1) by a dataset given as plain data."""
    distributions: list[dict[str, Any]] = list(data.get("distributions") or [])
    governance: dict[str, Any] = data.get("governance") or {}
    count = len(distributions)
    share: dict[str, float] = {
        "keyword": float(_filled(data.get("keyword"))),
        "theme": float(_filled(data.get("theme"))),
        "spatial": float(_filled(data.get("spatial"))),
        "temporal": float(_filled(data.get("temporal"))),
    }
    share["access_url_reachable"] = _share(
        sum(_reachable(d.get("access_url"), reachable) for d in distributions), count
    )
    share["download_url"] = _share(
        sum(_filled(d.get("download_url")) for d in distributions), count
    )
    share["download_url_reachable"] = _share(
        sum(_reachable(d.get("download_url"), reachable) for d in distributions), count
    )
    # Interoperability: the best distribution counts ("identical content, several forms").
    best: dict[str, float] = {}
    best_total = -1.0
    for distribution in distributions:
        interop = _distribution_interop(distribution)
        total = sum(CHECKS_BY_KEY[key].points * value for key, value in interop.items())
        if total > best_total:
            best, best_total = interop, total
    for key in ("format", "media_type", "format_vocabulary", "non_proprietary", "machine_readable"):
        share[key] = best.get(key, 0.0)
    # The HVD regulation named without an HVD category breaks DCAT-AP (the export leaves
    # the regulation out until a category is given).
    hvd_incomplete = HVD_LEGISLATION in (data.get("applicable_legislation") or []) and not (
        data.get("hvd_category")
    )
    mandatory = (
        _filled(data.get("title")) and _filled(data.get("description")) and not hvd_incomplete
    )
    share["dcat_ap_compliance"] = float(
        mandatory and all(_filled(d.get("access_url")) for d in distributions)
    )
    licences = [d.get("license") for d in distributions]
    share["licence"] = _share(sum(_filled(value) for value in licences), count)
    share["licence_vocabulary"] = _share(
        sum(bool(value) and _licence_known(value) for value in licences), count
    )
    access_rights = governance.get("access_rights") or ""
    share["access_rights"] = float(bool(access_rights))
    share["access_rights_vocabulary"] = float(access_rights.startswith(ACCESS_RIGHT_BASE))
    share["contact_point"] = float(_filled(data.get("contact_point")))
    share["publisher"] = float(_filled(data.get("publisher")))
    dataset_rights = _filled((data.get("extras") or {}).get(DCT_RIGHTS))
    share["rights"] = _share(
        sum(dataset_rights or _filled(d.get("access_rights")) for d in distributions), count
    )
    share["byte_size"] = _share(sum(d.get("byte_size") is not None for d in distributions), count)
    share["issued"] = float(_filled(data.get("issued")))
    share["modified"] = float(_filled(data.get("modified")))
    return share


def score_record(
    record: Record, *, reachable: Mapping[str, bool] | None = None
) -> QualityScore | None:
    """Score a model record; None unless it is a dataset. See ``score_data``."""
    return score_data(to_dict(record), reachable=reachable)


@dataclass
class QualitySummary:
    """The mean MQA score of a group of datasets (a source, an owner, a catalogue)."""

    name: str
    datasets: int = 0
    points: float = 0.0  # mean
    dimensions: dict[str, float] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0.0))
    ratings: Counter[str] = field(default_factory=Counter)  # rating → datasets
    missing: list[tuple[Missing, int]] = field(default_factory=list)  # mean gain, datasets

    @property
    def rating(self) -> str:
        return rating(self.points)

    @property
    def rating_label(self) -> str:
        return RATING_LABELS[self.rating]

    def as_json(self, top: int = 5) -> dict[str, Any]:
        return {
            "name": self.name,
            "datasets": self.datasets,
            "points": round(self.points, 1),
            "max_points": MAX_POINTS,
            "rating": self.rating,
            "dimensions": {name: round(value, 1) for name, value in self.dimensions.items()},
            "ratings": dict(self.ratings),
            "top_missing": [
                {
                    "check": item.key,
                    "label": item.label,
                    "advice": item.advice,
                    "points": round(item.points, 1),
                    "datasets": datasets,
                }
                for item, datasets in self.missing[:top]
            ],
        }


class QualityAccumulator:
    """Adds scores one at a time (memory stays flat) and summarises them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.total = 0.0
        self.dimensions = dict.fromkeys(DIMENSIONS, 0.0)
        self.ratings: Counter[str] = Counter()
        self.lost: dict[str, float] = dict.fromkeys(CHECKS_BY_KEY, 0.0)
        self.lacking: Counter[str] = Counter()

    def add(self, score: QualityScore) -> None:
        self.count += 1
        self.total += score.points
        for name, value in score.dimensions.items():
            self.dimensions[name] += value
        self.ratings[score.rating] += 1
        for item in score.missing:
            self.lost[item.key] += item.points
            self.lacking[item.key] += 1

    def summary(self) -> QualitySummary:
        n = self.count or 1
        missing = sorted(
            (
                (
                    Missing(key, CHECKS_BY_KEY[key].label, CHECKS_BY_KEY[key].advice, lost / n),
                    self.lacking[key],
                )
                for key, lost in self.lost.items()
                if lost > 1e-9
            ),
            key=lambda pair: (-pair[0].points, pair[0].key),
        )
        return QualitySummary(
            name=self.name,
            datasets=self.count,
            points=self.total / n if self.count else 0.0,
            dimensions={name: value / n for name, value in self.dimensions.items()},
            ratings=Counter(self.ratings),
            missing=missing,
        )


def summarise(name: str, scores: Iterable[QualityScore | None]) -> QualitySummary:
    """Return the mean score, ratings and top missing items of some datasets' scores."""
    accumulator = QualityAccumulator(name)
    for score in scores:
        if score is not None:
            accumulator.add(score)
    return accumulator.summary()


def group_scores(
    items: Iterable[tuple[Mapping[str, Any], Iterable[str]]],
    *,
    reachable: Mapping[str, bool] | None = None,
    on_score: Callable[[QualityScore], None] | None = None,
) -> dict[str, QualitySummary]:
    """Score each record (plain data) once and add it to every group it names."""
    groups: dict[str, QualityAccumulator] = {}
    for data, names in items:
        score = score_data(data, reachable=reachable)
        if score is None:
            continue
        if on_score:
            on_score(score)
        for name in names:
            groups.setdefault(name, QualityAccumulator(name)).add(score)
    return {name: accumulator.summary() for name, accumulator in groups.items()}
