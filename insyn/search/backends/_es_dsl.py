"""Index settings, mappings and query DSL of the Elasticsearch backend.

The Swedish analyzer is a custom chain (standard tokenizer, lowercase, the ``stemmer``
filter with ``language: swedish``) rather than the built-in ``swedish`` analyzer, which
not every engine ships. Each text field has two subfields: ``.prefix`` (edge n-grams of
the stems, so "bygglov" matches the compound "bygglovsansökningar") and ``.words``
(lower-cased, unstemmed, for typo tolerance). The queries mirror the embedded backend's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from insyn.search.backends.base import (
    EXACT_ONLY_FIELDS,
    FIELD_BOOSTS,
    FUZZY_WEIGHT,
    KEY_SCORE,
    MIN_PREFIX_LENGTH,
    PREFIX_WEIGHT,
    RELAX_STEP,
    SearchRequest,
    TextPlan,
    WordGroup,
    is_wordlike,
    part_steps,
    split_alternative,
)
from insyn.search.documents import FILTER_FIELDS, STOCKHOLM, normalise_key
from insyn.search.query import FieldFilter, SearchQuery, year_range
from insyn.search.vocabulary import PARTS_WEIGHT

# Bump when settings or mappings change: ``ensure_index`` then migrates.
SCHEMA_VERSION = 2

TEXT_FIELDS: dict[str, str] = {
    "title_sv": "sv",
    "title_en": "en",
    "keywords": "sv",
    "description_sv": "sv",
    "description_en": "en",
    "text": "sv",
    "parties_restricted": "sv",
    "parts": "sv",
}
HIGHLIGHT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title_sv", "title_en"),
    "description": ("description_sv", "description_en"),
}
FUZZINESS = "AUTO:5,8"  # the embedded backend's rule: 1 edit from 5 letters, 2 from 8


def settings(number_of_replicas: int | None) -> dict[str, Any]:
    value: dict[str, Any] = {
        # One shard: exact facet counts and global term statistics; a municipality's
        # catalogue is far below the size where more shards pay.
        "number_of_shards": 1,
        "analysis": {
            "filter": {
                "insyn_sv_stem": {"type": "stemmer", "language": "swedish"},
                "insyn_en_stem": {"type": "stemmer", "language": "english"},
                "insyn_edge": {"type": "edge_ngram", "min_gram": MIN_PREFIX_LENGTH, "max_gram": 30},
            },
            "analyzer": {
                "insyn_sv": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "insyn_sv_stem"],
                },
                "insyn_sv_prefix": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "insyn_sv_stem", "insyn_edge"],
                },
                "insyn_en": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "insyn_en_stem"],
                },
                "insyn_words": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase"],
                },
            },
        },
    }
    if number_of_replicas is not None:
        value["number_of_replicas"] = number_of_replicas
    return value


def mappings(document_version: int) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, analyzer in TEXT_FIELDS.items():
        subfields: dict[str, Any] = {"words": {"type": "text", "analyzer": "insyn_words"}}
        if analyzer == "sv" and name not in EXACT_ONLY_FIELDS:
            subfields["prefix"] = {
                "type": "text",
                "analyzer": "insyn_sv_prefix",
                "search_analyzer": "insyn_sv",
            }
        properties[name] = {"type": "text", "analyzer": f"insyn_{analyzer}", "fields": subfields}
    keyword = {"type": "keyword"}
    for name in (
        "id",
        "kind",
        "source",
        "publisher",
        "owner",
        "themes",
        "formats",
        "access_rights",
        "licences",
        "title_sort",
        "diarienummer",
        "diarienummer_normalised",
        *sorted(set(FILTER_FIELDS.values())),
    ):
        properties[name] = keyword
    properties.update(
        {
            "uri": {"type": "keyword", "index": False},
            "year": {"type": "integer"},
            "modified": {"type": "date"},
            "issued": {"type": "date"},
            "is_public": {"type": "boolean"},
            "contains_personal_data": {"type": "boolean"},
            "suggest": {"type": "search_as_you_type", "analyzer": "insyn_words"},
        }
    )
    return {
        # Fields the mapping does not name are kept in _source but not indexed.
        "dynamic": False,
        "_meta": {"schema_version": SCHEMA_VERSION, "document_version": document_version},
        "properties": properties,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class QueryBuilder:
    """Builds the query DSL for one partition (public or all)."""

    def __init__(self, *, public: bool) -> None:
        self.text_fields = {
            name: analyzer
            for name, analyzer in TEXT_FIELDS.items()
            if not (public and name == "parties_restricted")
        }

    def _fields(self, suffix: str = "", weight: float = 1.0, *, sv_only: bool = False) -> list[str]:
        return [
            f"{name}{suffix}^{FIELD_BOOSTS[name] * weight:g}"
            for name, analyzer in self.text_fields.items()
            if not sv_only or (analyzer == "sv" and name not in EXACT_ONLY_FIELDS)
        ]

    def word(self, word: str, *, typos: bool = True, prefix: bool = True) -> dict[str, Any]:
        def multi(fields: list[str], **extra: Any) -> dict[str, Any]:
            return {
                "multi_match": {
                    "query": word,
                    "fields": fields,
                    "type": "most_fields",
                    "operator": "and",
                    **extra,
                }
            }

        should = [multi(self._fields())]
        if not is_wordlike(word) or not (prefix or typos):
            # Codes and numbers match exactly (see base.is_wordlike).
            return should[0]
        if prefix:
            should.append(multi(self._fields(".prefix", PREFIX_WEIGHT, sv_only=True)))
        if typos:
            should.append(
                multi(
                    self._fields("", FUZZY_WEIGHT, sv_only=True)
                    + [
                        f"{name}.words^{FUZZY_WEIGHT:g}"
                        for name in self.text_fields
                        if name not in EXACT_ONLY_FIELDS
                    ],
                    fuzziness=FUZZINESS,
                )
            )
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def phrase(self, text: str) -> dict[str, Any]:
        return {"multi_match": {"query": text, "type": "phrase", "fields": self._fields()}}

    def group(self, group: WordGroup, *, typos: bool) -> dict[str, Any]:
        """Return the query a word group matches by: the word, its alternatives, its keys."""
        should = [self.word(group.word, typos=typos)]
        for words, weight in group.alternatives:
            prefix = not split_alternative(group, words)
            must = [self.word(w, typos=False, prefix=prefix) for w in words]
            should.append({"bool": {"must": must, "boost": weight}})
        for field, value in group.keys:
            should.append(
                {"constant_score": {"filter": {"term": {field: value}}, "boost": KEY_SCORE}}
            )
        if len(should) == 1:
            return should[0]
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def text(self, plan: TextPlan, unknown: frozenset[str] = frozenset()) -> dict[str, Any] | None:
        """Return the query of the plan's groups; typos only for words in ``unknown``."""
        if not plan.groups:
            return None
        words = [self.group(g, typos=g.word in unknown) for g in plan.groups]
        if plan.relaxed:
            # Any word matches; each word matched adds RELAX_STEP, so more words rank first.
            should = words + [{"constant_score": {"filter": q, "boost": RELAX_STEP}} for q in words]
            for group, whole in zip(plan.groups, words, strict=True):
                if group.word in plan.split:
                    should += self._parts(group, whole)
            return {"bool": {"should": should, "minimum_should_match": 1}}
        if len(words) == 1:
            return words[0]
        return {"bool": {"should": words, "minimum_should_match": plan.minimum_match}}

    def _parts(self, group: WordGroup, whole: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the clauses by which a compound's parts match records lacking the whole."""
        clauses: list[dict[str, Any]] = []
        for part, step in part_steps(group):
            only = {"bool": {"must": [self.word(part, typos=False)], "must_not": [whole]}}
            clauses += [
                {"bool": {"must": [only], "boost": PARTS_WEIGHT}},
                {"constant_score": {"filter": only, "boost": step}},
            ]
        return clauses

    def known_query(self, word: str) -> dict[str, Any]:
        """Return the query that finds records holding ``word`` as written (no stemming)."""
        return {
            "multi_match": {
                "query": word,
                "fields": [f"{name}.words" for name in self.text_fields],
                "operator": "and",
            }
        }

    def highlight_query(self, plan: TextPlan, query: SearchQuery) -> dict[str, Any] | None:
        as_written = plan.highlighted_as_written
        parts = [self.word(w, prefix=w not in as_written) for w in plan.highlighted]
        parts += [self.phrase(p) for p in query.phrases]
        return {"bool": {"should": parts}} if parts else None

    @staticmethod
    def keys(field: str, values: list[str], *, prefix: bool = False) -> dict[str, Any]:
        should: list[dict[str, Any]] = [{"terms": {field: values}}]
        if prefix:
            should += [{"prefix": {field: value}} for value in values if value]
        return should[0] if len(should) == 1 else {"bool": {"should": should}}

    @staticmethod
    def modified(start: date | None, end: date | None) -> dict[str, Any]:
        bounds: dict[str, str] = {}
        if start:
            bounds["gte"] = _iso(datetime(start.year, start.month, start.day, tzinfo=STOCKHOLM))
        if end:
            after = end + timedelta(days=1)
            bounds["lt"] = _iso(datetime(after.year, after.month, after.day, tzinfo=STOCKHOLM))
        return {"range": {"modified": bounds}}

    def field_filter(self, item: FieldFilter) -> dict[str, Any] | None:
        if item.field == "year":
            bounds = year_range(item.value)
            if bounds is None:
                return None
            low, high = bounds
            limits = {k: v for k, v in (("gte", low), ("lte", high)) if v is not None}
            return {"range": {"year": limits}}
        if item.field == "kind":
            return self.keys("kind_keys", [normalise_key(item.value)])
        if item.field == "diarienummer":
            return self.keys("diarienummer_keys", [normalise_key(item.value)], prefix=item.prefix)
        return self.keys(FILTER_FIELDS[item.field], [normalise_key(item.value)], prefix=True)

    def build(
        self,
        query: SearchQuery,
        plan: TextPlan,
        request: SearchRequest,
        unknown: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        must: list[dict[str, Any]] = []
        should: list[dict[str, Any]] = []
        filters: list[dict[str, Any]] = []
        must_not: list[dict[str, Any]] = []
        text = self.text(plan, unknown)
        if text is not None:
            must.append(text)
        should += [self.group(g, typos=False) for g in plan.boosts]
        # A record in a file type the query names ranks as matching one more word (as in
        # tantivy; not a year, whose key is when a record changed).
        should += [
            {"constant_score": {"filter": {"term": {field: value}}, "boost": RELAX_STEP}}
            for g in plan.boosts
            for field, value in g.keys
            if field == "format_keys"
        ]
        should += [self.word(w, typos=False) for w in plan.optional]
        must += [self.phrase(p) for p in query.phrases]
        numbers: list[dict[str, Any]] = []
        if query.diarienummer:
            numbers.append(
                self.keys("diarienummer_keys", [normalise_key(d) for d in query.diarienummer])
            )
        numbers += [
            {"prefix": {"diarienummer_keys": normalise_key(p)}} for p in query.diarienummer_prefixes
        ]
        if numbers:
            filters.append({"bool": {"should": numbers, "minimum_should_match": 1}})
        for excluded in query.excluded:
            if " " in excluded:
                must_not.append(self.phrase(excluded))
            else:
                must_not.append(self.word(excluded, typos=False))
        by_field: dict[str, list[dict[str, Any]]] = {}
        for item in query.filters:
            built = self.field_filter(item)
            if built is None:
                continue
            if item.negated:
                must_not.append(built)
            else:
                by_field.setdefault(item.field, []).append(built)
        for clauses in by_field.values():
            filters.append(
                clauses[0]
                if len(clauses) == 1
                else {"bool": {"should": clauses, "minimum_should_match": 1}}
            )
        for name, values in request.filter_keys().items():
            filters.append({"terms": {FILTER_FIELDS[name]: values}})
        if request.modified_from or request.modified_to:
            filters.append(self.modified(request.modified_from, request.modified_to))
        if request.public_only:
            filters.append({"term": {"is_public": True}})
        if request.exclude_ids:
            must_not.append({"ids": {"values": list(request.exclude_ids)}})
        if not must and not filters:
            must.append({"match_all": {}})
        body: dict[str, Any] = {"must": must, "filter": filters}
        if should:
            body["should"] = should
        if must_not:
            body["must_not"] = must_not
        return {"bool": body}
