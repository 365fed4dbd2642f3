"""The embedded backend's tantivy schema, analyzers, document conversion and queries.

Kept apart from ``embedded.py`` (files, locks, generations) so that each stays short.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

import tantivy

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
    edit_distance,
    fuzzy_distance,
    is_wordlike,
    part_steps,
    split_alternative,
)
from insyn.search.documents import (
    FACET_FIELDS,
    FILTER_FIELDS,
    PUBLIC_FIELD,
    STOCKHOLM,
    is_own_public_view,
    normalise_key,
    public_view,
)
from insyn.search.query import FieldFilter, SearchQuery, year_range
from insyn.search.vocabulary import PARTS_WEIGHT

# Bump when the schema or the analyzers change: ``ensure_index`` then migrates.
# 3: the public form of a masked record is stored apart (``public_doc``), and one tantivy
# document serves both partitions when the public sees a record as it is.
SCHEMA_VERSION = 3

# Text fields and the analyzer of each. Swedish fields are also matched by prefix (for
# compounds); every text field is also folded into "words" (unstemmed, for typos).
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
RAW_FACET_FIELDS: tuple[str, ...] = tuple(f for f in FACET_FIELDS.values() if f != "year")
KEY_FIELDS: tuple[str, ...] = tuple(sorted(set(FILTER_FIELDS.values())))
_MAX_TOKEN = 60


def _analyzer(stemmer: str | None) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(_MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
    )
    if stemmer:
        builder = builder.filter(tantivy.Filter.stemmer(stemmer))
    return builder.build()


_STEMS_KEPT = 200_000  # words whose stems Analyzers.stems keeps (a few tens of MB at most)
_TOKENS_KEPT = 20_000  # query texts whose tokens Analyzers.tokens keeps, per analyzer


class Analyzers:
    """The three text analyzers, registered on every index and used on query text."""

    def __init__(self) -> None:
        self.by_name: dict[str, tantivy.TextAnalyzer] = {
            "sv": _analyzer("swedish"),
            "en": _analyzer("english"),
            "lc": _analyzer(None),
        }
        self._stems: dict[str, tuple[str, str]] = {}
        self._tokens: dict[tuple[str, str], tuple[str, ...]] = {}

    def stems(self, word: str) -> tuple[str, str]:
        """Return the Swedish and the English stem of one lower-case word. Kept: the hits
        of search after search hold the same words, and highlighting asks for each."""
        found = self._stems.get(word)
        if found is None:
            if len(self._stems) >= _STEMS_KEPT:
                self._stems.clear()
            found = (
                next(iter(self.tokens("sv", word)), word),
                next(iter(self.tokens("en", word)), word),
            )
            self._stems[word] = found
        return found

    def register(self, index: tantivy.Index) -> None:
        for name, analyzer in self.by_name.items():
            index.register_tokenizer(name, analyzer)

    def tokens(self, name: str, text: str) -> list[str]:
        """Return the tokens of ``text``. Kept: a search asks for the same words' tokens
        field by field, for its ranked and its counting query."""
        key = (name, text)
        found = self._tokens.get(key)
        if found is None:
            if len(self._tokens) >= _TOKENS_KEPT:
                self._tokens.clear()
            found = self._tokens[key] = tuple(_tokens(self.by_name[name], text))
        return list(found)


def _tokens(analyzer: tantivy.TextAnalyzer, text: str) -> list[str]:
    return list(analyzer.analyze(text)) if text else []


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name, analyzer in TEXT_FIELDS.items():
        builder.add_text_field(name, tokenizer_name=analyzer)
    builder.add_text_field("words", tokenizer_name="lc", index_option="freq")
    builder.add_text_field("suggest", tokenizer_name="lc", index_option="basic")
    for name in RAW_FACET_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in KEY_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title_sort", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_date_field("modified", indexed=True, fast=True)
    builder.add_boolean_field("is_public", indexed=True, fast=True)
    builder.add_bytes_field("doc", stored=True)
    builder.add_bytes_field("public_doc", stored=True)
    return builder.build()


def _values(value: Any) -> list[Any]:
    # Most values: index documents hold strings and lists of strings (checked in C).
    if type(value) is str:
        return [value] if value else []
    if type(value) is list:
        try:
            "".join(value)
        except TypeError:
            pass
        else:
            return [v for v in value if v] if "" in value else value
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, str) else str(v) for v in value if v is not None and v != ""]
    return [value if isinstance(value, str) else str(value)]


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# Fields copied as they are (strings, lists of strings) from the flat document.
_PLAIN_FIELDS: tuple[str, ...] = ("suggest", *RAW_FACET_FIELDS, *KEY_FIELDS)


def _fields(document: dict[str, Any]) -> dict[str, Any]:
    """The indexed fields of a flat index document (all but the stored JSON)."""
    fields: dict[str, Any] = {"id": document["id"]}
    words: list[str] = []
    for name in TEXT_FIELDS:
        values = _values(document.get(name))
        if values:
            fields[name] = values
            words += values
    if words:
        fields["words"] = words
    for name in _PLAIN_FIELDS:
        values = _values(document.get(name))
        if values:
            fields[name] = values
    fields["title_sort"] = str(document.get("title_sort") or "")
    year = document.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        fields["year"] = year
    modified = parse_time(document.get("modified"))
    if modified is not None:
        fields["modified"] = modified
    fields["is_public"] = document.get("is_public") is True
    return fields


def to_tantivy(
    document: dict[str, Any],
) -> tuple[tantivy.Document, tantivy.Document | None]:
    """Return the tantivy documents of a flat index document: the one for the partition
    of all records, and the one for the public partition (None if the record is not
    public), which is ``public_view(document)``.

    When the public view is the document itself (``is_own_public_view``: most records),
    one tantivy document serves both partitions: its fields are converted and its JSON
    written once. Otherwise the all partition's document stores the public view's JSON
    beside its own (``public_doc``), so that a schema migration gets it back. All fields
    go to tantivy in one call: a call per value (``add_text``, about 80 a document) cost
    more than tantivy's own indexing of it.
    """
    fields = _fields(document)
    if document.get("is_public") is not True:
        return tantivy.Document(**fields, doc=_stored_json(document)), None
    if is_own_public_view(document):
        both = tantivy.Document(**fields, doc=_json(document))
        return both, both
    shown = public_view(document)
    shown_json = _json(shown)
    full = tantivy.Document(**fields, doc=_stored_json(document), public_doc=shown_json)
    return full, tantivy.Document(**_fields(shown), doc=shown_json)


def _stored_json(document: dict[str, Any]) -> bytes:
    """The JSON the all partition stores: the document, its public form kept apart."""
    if document.get(PUBLIC_FIELD, False) is None:
        return _json(document)
    return _json({**document, PUBLIC_FIELD: None})


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def stored_document(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    stored = searcher.doc(address).get_first("doc")
    return json.loads(bytes(stored).decode()) if stored else {}


def stored_original(stored: tantivy.Document) -> dict[str, Any]:
    """Return the index document the all partition's ``stored`` was made from (for a
    schema migration), with the public form ``to_tantivy`` wrote for it."""
    found = stored.get_first("doc")
    document = json.loads(bytes(found).decode()) if found else {}
    shown = stored.get_first("public_doc")
    if shown:
        document[PUBLIC_FIELD] = json.loads(bytes(shown).decode())
    return document


# --- queries ---------------------------------------------------------------------------

Clause = tuple[tantivy.Occur, tantivy.Query]
_SHOULD = tantivy.Occur.Should
_MUST = tantivy.Occur.Must
_MUST_NOT = tantivy.Occur.MustNot


def _prefixable(token: str) -> bool:
    """Tell whether a stem also matches as the first part of compounds."""
    return len(token) >= MIN_PREFIX_LENGTH and is_wordlike(token)


def _any(queries: list[tantivy.Query]) -> tantivy.Query | None:
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(_SHOULD, q) for q in queries])


def _all(queries: list[tantivy.Query]) -> tantivy.Query | None:
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(_MUST, q) for q in queries])


# A prefix the index completes to at most this many terms is asked as those terms, read
# lazily and skipped through with the other words; tantivy's prefix automaton reads every
# posting of every completion into a bit set first, and most prefixes complete only to
# the word itself (measured on the bench catalogue: the two queries match the same
# records with the same scores, and the automaton was about half of evaluating a query).
_FEW_COMPLETIONS = 8


# The last set of record ids a search excluded, and its query: searches in a row exclude
# the same records (the web's lagging-index hides, up to thousands while the index catches
# up), and each query of a search (ranked, relaxed, counting) excludes them again.
_LAST_IDS: list[tuple[int, tuple[str, ...], tantivy.Query]] = []


class QueryBuilder:
    """Builds tantivy queries from a ``SearchQuery`` for one partition (public or all)."""

    def __init__(
        self,
        schema: tantivy.Schema,
        analyzers: Analyzers,
        *,
        public: bool,
        searcher: tantivy.Searcher | None = None,
        matching_only: bool = False,
    ) -> None:
        self.schema = schema
        self.analyzers = analyzers
        # The searcher the query will run on: its term dictionary completes prefixes.
        self.searcher = searcher
        self._completions: dict[tuple[str, str], list[tuple[str, int]]] = {}
        # Queries that match the same records without ranking them (for facet counts):
        # no clause that only adds to the score, none that another clause contains.
        self.matching_only = matching_only
        # The public partition never holds restricted text: do not even ask for it.
        self.text_fields = {
            name: analyzer
            for name, analyzer in TEXT_FIELDS.items()
            if not (public and name == "parties_restricted")
        }

    def counting(self) -> QueryBuilder:
        """Return the ``matching_only`` twin of this builder (same searcher and completions)."""
        twin = copy.copy(self)
        twin.matching_only = True
        return twin

    # -- words

    def _term(self, field: str, token: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, token)

    def _few_completions(self, field: str, token: str) -> list[tuple[str, int]] | None:
        """Return the terms of ``field`` that start with ``token`` when they are few (None
        when there are more, or no searcher to ask)."""
        if self.searcher is None:
            return None
        completions = self._completions.get((field, token))
        if completions is None:
            completions = self._completions[field, token] = self.searcher.terms_with_prefix(
                field, token, limit=_FEW_COMPLETIONS + 1
            )
        return completions if len(completions) <= _FEW_COMPLETIONS else None

    def _prefix(self, field: str, token: str) -> tantivy.Query:
        """Return the query for the terms of ``field`` that start with ``token``."""
        completions = self._few_completions(field, token)
        if completions is not None:
            # Scored as the automaton scores every match: 1.0 (times the boost).
            terms = _any([self._term(field, term) for term, _ in completions])
            if terms is None:
                return tantivy.Query.empty_query()
            return tantivy.Query.const_score_query(terms, 1.0)
        return tantivy.Query.fuzzy_term_query(self.schema, field, token, distance=0, prefix=True)

    def _completes_to_itself(self, field: str, tokens: list[str]) -> bool:
        """Tell whether no term of ``field`` starts with a token but the token itself: the
        prefix clause then matches the records the exact clause matches."""
        for token in tokens:
            if _prefixable(token):
                completions = self._few_completions(field, token)
                if completions is None or any(term != token for term, _ in completions):
                    return False
        return True

    def _fuzzy(self, field: str, token: str) -> tantivy.Query:
        distance = fuzzy_distance(token)
        if distance == 0:
            return self._term(field, token)
        return tantivy.Query.fuzzy_term_query(self.schema, field, token, distance=distance)

    def word(self, word: str, *, typos: bool = True, prefix: bool = True) -> tantivy.Query | None:
        """Return the query a free-text word matches by (exact stem, compound, typo);
        without ``prefix``, not as the first part of compounds."""
        clauses: list[tantivy.Query] = []
        for field, analyzer in self.text_fields.items():
            tokens = self.analyzers.tokens(analyzer, word)
            if not tokens:
                continue
            boost = FIELD_BOOSTS[field]
            prefixed = (
                prefix
                and analyzer == "sv"
                and field not in EXACT_ONLY_FIELDS
                and any(_prefixable(t) for t in tokens)
            )
            if prefixed and not self.matching_only and self._completes_to_itself(field, tokens):
                # Most words complete to no other term: the prefix clause would read the
                # exact clause's postings again only to add a constant to their score
                # (measured at 1,000,000 records: a fifth of a search's CPU; relevance
                # the same or better in every group of bench/relevance.py).
                prefixed = False
            if not (prefixed and self.matching_only):  # the prefix clause holds its matches
                exact = _all([self._term(field, t) for t in tokens])
                clauses.append(tantivy.Query.boost_query(exact, boost))
            if analyzer != "sv" or field in EXACT_ONLY_FIELDS:
                continue
            if prefixed:
                completed = _all(
                    [
                        self._prefix(field, t) if _prefixable(t) else self._term(field, t)
                        for t in tokens
                    ]
                )
                clauses.append(tantivy.Query.boost_query(completed, boost * PREFIX_WEIGHT))
            if typos and any(fuzzy_distance(t) for t in tokens):
                fuzzy = _all([self._fuzzy(field, t) for t in tokens])
                clauses.append(tantivy.Query.boost_query(fuzzy, boost * FUZZY_WEIGHT))
        raw = self.analyzers.tokens("lc", word)
        if typos and raw and any(fuzzy_distance(t) for t in raw):
            fuzzy = _all([self._fuzzy("words", t) for t in raw])
            clauses.append(tantivy.Query.boost_query(fuzzy, FUZZY_WEIGHT))
        return _any(clauses)

    def phrase(self, text: str) -> tantivy.Query | None:
        clauses = []
        for field, analyzer in self.text_fields.items():
            tokens = self.analyzers.tokens(analyzer, text)
            if not tokens:
                continue
            if len(tokens) == 1:
                query = self._term(field, tokens[0])
            else:
                query = tantivy.Query.phrase_query(self.schema, field, tokens)
            clauses.append(tantivy.Query.boost_query(query, FIELD_BOOSTS[field]))
        return _any(clauses)

    def group(self, group: WordGroup, *, typos: bool) -> tantivy.Query:
        """Return the query a word group matches by: the word, its alternatives, its keys."""
        clauses = [self.word(group.word, typos=typos) or tantivy.Query.empty_query()]
        for words, weight in group.alternatives:
            prefix = not split_alternative(group, words)
            alternative = _all(
                [
                    self.word(w, typos=False, prefix=prefix) or tantivy.Query.empty_query()
                    for w in words
                ]
            )
            if alternative is not None:
                clauses.append(tantivy.Query.boost_query(alternative, weight))
        for field, value in group.keys:
            clauses.append(tantivy.Query.const_score_query(self._term(field, value), KEY_SCORE))
        return _any(clauses) or tantivy.Query.empty_query()

    def text(self, plan: TextPlan, unknown: frozenset[str]) -> tantivy.Query | None:
        """Return the query of the plan's groups; typos only for words in ``unknown``."""
        if not plan.groups:
            return None
        # A word that analyses to nothing (e.g. longer than any indexed token) matches
        # nothing, as it would in Elasticsearch; it still counts towards minimum_match.
        words = [self.group(g, typos=g.word in unknown) for g in plan.groups]
        if plan.relaxed and self.matching_only:
            # Any word, or any part of a split compound (the parts' clauses below match
            # what the part matches without the whole, the whole matches the rest).
            matching = words + [
                part_query
                for group in plan.groups
                if group.word in plan.split
                for part, _ in part_steps(group)
                if (part_query := self.word(part, typos=False)) is not None
            ]
            return tantivy.Query.boolean_query(
                [(_SHOULD, q) for q in matching], minimum_number_should_match=1
            )
        if plan.relaxed:
            # Any word matches; each word matched adds RELAX_STEP, so more words rank first.
            clauses = [(_SHOULD, q) for q in words] + [
                (_SHOULD, tantivy.Query.const_score_query(q, RELAX_STEP)) for q in words
            ]
            for group, whole in zip(plan.groups, words, strict=True):
                if group.word in plan.split:
                    clauses += self._parts(group, whole)
            return tantivy.Query.boolean_query(clauses, minimum_number_should_match=1)
        minimum = min(plan.minimum_match, len(words))
        if minimum >= len(words):
            return _all(words)
        return tantivy.Query.boolean_query(
            [(_SHOULD, q) for q in words], minimum_number_should_match=minimum
        )

    def _parts(self, group: WordGroup, whole: tantivy.Query) -> list[Clause]:
        """Return the clauses by which a compound's parts match records lacking the whole."""
        clauses: list[Clause] = []
        for part, step in part_steps(group):
            query = self.word(part, typos=False)
            if query is None:
                continue
            only = tantivy.Query.boolean_query([(_MUST, query), (_MUST_NOT, whole)])
            clauses += [
                (_SHOULD, tantivy.Query.boost_query(only, PARTS_WEIGHT)),
                (_SHOULD, tantivy.Query.const_score_query(only, step)),
            ]
        return clauses

    def known(self, searcher: tantivy.Searcher, word: str) -> bool:
        """Tell whether the index holds every token of ``word`` as written."""
        tokens = self.analyzers.tokens("lc", word)
        return bool(tokens) and all(searcher.doc_freq("words", t) > 0 for t in tokens)

    # -- keys and ranges

    def keys(self, field: str, values: Iterable[str], *, prefix: bool = False) -> tantivy.Query:
        values = list(dict.fromkeys(values))
        queries: list[tantivy.Query] = [tantivy.Query.term_set_query(self.schema, field, values)]
        if prefix:
            queries += [self._prefix(field, v) for v in values if v]
        return _any(queries) or tantivy.Query.empty_query()

    def years(self, low: int | None, high: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, "year", tantivy.FieldType.Integer, low, high)

    def modified(self, start: date | None, end: date | None) -> tantivy.Query:
        low = datetime(start.year, start.month, start.day, tzinfo=STOCKHOLM) if start else None
        high = None
        if end:
            after = end + timedelta(days=1)
            high = datetime(after.year, after.month, after.day, tzinfo=STOCKHOLM)
        return tantivy.Query.range_query(
            self.schema,
            "modified",
            tantivy.FieldType.Date,
            low.astimezone(UTC) if low else None,
            high.astimezone(UTC) if high else None,
            include_upper=high is None,
        )

    def field_filter(self, item: FieldFilter) -> tantivy.Query | None:
        if item.field == "year":
            bounds = year_range(item.value)
            return self.years(*bounds) if bounds else None
        if item.field == "kind":
            return self.keys("kind_keys", [normalise_key(item.value)])
        if item.field == "diarienummer":
            return self.keys("diarienummer_keys", [normalise_key(item.value)], prefix=item.prefix)
        field = FILTER_FIELDS[item.field]
        # People type part of a name ("utgivare:miljö"): exact or the start of a key.
        return self.keys(field, [normalise_key(item.value)], prefix=True)

    # -- the whole query

    def build(
        self,
        query: SearchQuery,
        plan: TextPlan,
        request: SearchRequest,
        unknown: frozenset[str] = frozenset(),
        *,
        exclude: bool = True,
    ) -> tantivy.Query:
        """Return the query for ``request``: what must, may and must not match; the
        request's ``exclude_ids`` only with ``exclude``."""
        clauses: list[Clause] = []
        text = self.text(plan, unknown)
        if text is not None:
            clauses.append((_MUST, text))
        # Boosts and optional words only rank: when they come, text must match as well.
        for boost in () if self.matching_only else plan.boosts:
            clauses.append((_SHOULD, self.group(boost, typos=False)))
            # A record in the file type the query names counts as matching one more word:
            # it ranks above records that match the other words alike. Not a year: the
            # year key is when a record changed, often not the period it covers.
            named = _any([self._term(f, v) for f, v in boost.keys if f == "format_keys"])
            if named is not None:
                clauses.append((_SHOULD, tantivy.Query.const_score_query(named, RELAX_STEP)))
        for word in () if self.matching_only else plan.optional:
            if (optional := self.word(word, typos=False)) is not None:
                clauses.append((_SHOULD, optional))
        for phrase in query.phrases:
            clauses.append((_MUST, self.phrase(phrase) or tantivy.Query.empty_query()))
        numbers = (
            [self.keys("diarienummer_keys", [normalise_key(d) for d in query.diarienummer])]
            if query.diarienummer
            else []
        )
        numbers += [
            self.keys("diarienummer_keys", [normalise_key(p)], prefix=True)
            for p in query.diarienummer_prefixes
        ]
        if numbers:
            clauses.append((_MUST, _any(numbers)))
        for excluded in query.excluded:
            removed = self.phrase(excluded) if " " in excluded else self.word(excluded, typos=False)
            if removed is not None:
                clauses.append((_MUST_NOT, removed))
        clauses += self._filters(query)
        for name, values in request.filter_keys().items():
            clauses.append((_MUST, self.keys(FILTER_FIELDS[name], values)))
        if request.modified_from or request.modified_to:
            clauses.append((_MUST, self.modified(request.modified_from, request.modified_to)))
        if request.public_only:
            clauses.append((_MUST, tantivy.Query.term_query(self.schema, "is_public", True)))
        if request.exclude_ids and exclude:
            clauses.append((_MUST_NOT, self.ids(request.exclude_ids)))
        if not any(occur == _MUST for occur, _ in clauses):
            clauses.append((_MUST, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def ids(self, record_ids: Iterable[str]) -> tantivy.Query:
        key = tuple(record_ids)
        last = _LAST_IDS[:1]
        if last and last[0][0] == id(self.schema) and last[0][1] == key:
            return last[0][2]
        query = tantivy.Query.term_set_query(self.schema, "id", list(key))
        _LAST_IDS[:] = [(id(self.schema), key, query)]
        return query

    def _filters(self, query: SearchQuery) -> list[Clause]:
        clauses: list[Clause] = []
        by_field: dict[tuple[str, bool], list[tantivy.Query]] = {}
        for item in query.filters:
            built = self.field_filter(item)
            if built is not None:
                by_field.setdefault((item.field, item.negated), []).append(built)
        for (_, negated), queries in by_field.items():
            combined = _any(queries)
            if combined is None:
                continue
            if negated:
                clauses += [(_MUST_NOT, q) for q in queries]
            else:
                clauses.append((_MUST, combined))
        return clauses


# --- highlighting ------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


class Highlighter:
    """Finds the words of a text that the query matched, the way the query matches them:
    by stem, by stem prefix (compounds; not for the words ``as_written``) and, for the
    words the query matched with typos (``fuzzy``: those the index does not know), within
    the same edit distance."""

    def __init__(
        self,
        analyzers: Analyzers,
        words: Iterable[str],
        phrases: Iterable[str],
        fuzzy: Iterable[str] = (),
        as_written: Iterable[str] = (),
    ):
        self.analyzers = analyzers
        self.stems: set[str] = set()
        self.en_stems: set[str] = set()
        prefixes: set[str] = set()
        self.typos: list[tuple[str, int]] = []
        # One answer per distinct word for every text of the search (titles and
        # descriptions of all hits share most words).
        self._seen: dict[str, bool] = {}
        fuzzy = frozenset(fuzzy)
        as_written = frozenset(as_written)
        for word in words:
            for token in analyzers.tokens("sv", word):
                self.stems.add(token)
                if _prefixable(token) and word not in as_written:
                    prefixes.add(token)
                if word in fuzzy:
                    self.typos.append((token, fuzzy_distance(token)))
            self.en_stems.update(analyzers.tokens("en", word))
            if word in fuzzy:
                self.typos += [(t, fuzzy_distance(t)) for t in analyzers.tokens("lc", word)]
        for phrase in phrases:
            self.stems.update(analyzers.tokens("sv", phrase))
            self.en_stems.update(analyzers.tokens("en", phrase))
        self.prefixes = tuple(prefixes)

    @cached_property
    def active(self) -> bool:
        return bool(self.stems or self.en_stems)

    def _matches(self, word: str) -> bool:
        lower = word.lower()
        stem, en_stem = self.analyzers.stems(lower)
        if stem in self.stems or lower in self.stems or en_stem in self.en_stems:
            return True
        if stem.startswith(self.prefixes):
            return True
        return any(
            distance
            and (
                edit_distance(lower, t, distance) <= distance
                or edit_distance(stem, t, distance) <= distance
            )
            for t, distance in self.typos
        )

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not self.active or not text:
            return []
        cache = self._seen
        spans = []
        for match in _WORD.finditer(text):
            word = match.group()
            found = cache.get(word)
            if found is None:
                found = cache[word] = self._matches(word)
            if found:
                spans.append(match.span())
        return spans
