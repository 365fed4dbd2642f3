"""The contract every search backend keeps, and the parts of searching that are engine-neutral.

A backend is anything with the methods of ``SearchBackend``: ``embedded.py`` (tantivy,
the default) and ``elasticsearch.py``. One contract test suite runs against both.

Public and internal search are kept apart by the engine, not by the caller: every
backend keeps a public partition that holds only public records (without restricted
fields) beside the full one, and answers ``public_only`` requests from the public
partition, with an ``is_public`` filter on top. So totals, facet counts, suggestions and
even relevance scores of a public search are exactly those of an index that never held a
non-public record.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal, Protocol, runtime_checkable

from insyn.search.documents import FACET_FIELDS, FILTER_FIELDS, normalise_key
from insyn.search.errors import InvalidSearchRequest
from insyn.search.query import SWEDISH_STOPWORDS, SearchQuery, parse_query
from insyn.search.vocabulary import (
    WordGroup,
    expand,
    is_question_word,
    multiword_terms,
)
from insyn.vocab.diarienummer import normalise_diarienummer

__all__ = [
    "FACETS",
    "HIT_FIELDS",
    "MAX_PAGE_SIZE",
    "MAX_RESULT_WINDOW",
    "SORTS",
    "SearchBackend",
    "SearchHit",
    "SearchRequest",
    "SearchResult",
    "TextPlan",
    "WordGroup",
    "correction_for",
    "diarienummer_key",
    "edit_distance",
    "fuzzy_distance",
    "is_wordlike",
    "part_steps",
    "plan_text",
    "rank_suggestions",
    "render_snippet",
]

FACETS: tuple[str, ...] = tuple(FACET_FIELDS)
SORTS: tuple[str, ...] = ("relevance", "modified", "title")
MAX_PAGE_SIZE = 200
# Deepest result a page may reach (Elasticsearch's default max_result_window).
MAX_RESULT_WINDOW = 10_000
# Stored fields handed back with each hit; restricted fields are never among them.
HIT_FIELDS: tuple[str, ...] = (
    "uri",
    "title_sv",
    "title_en",
    "description_sv",
    "description_en",
    "publisher",
    "owner",
    "themes",
    "theme_labels",
    "formats",
    "access_rights",
    "licences",
    "year",
    "modified",
    "diarienummer",
    "document_type",
    "status",
    "responsible_unit",
)
# Relative weight of the text fields: title > keywords > description > the rest.
FIELD_BOOSTS: dict[str, float] = {
    "title_sv": 4.0,
    "title_en": 3.5,
    "keywords": 3.0,
    "description_sv": 2.0,
    "description_en": 1.8,
    "text": 1.0,
    "parties_restricted": 1.0,
    "parts": 1.2,  # parts and heads of compounds (documents.compound_parts)
}
# Fields matched exactly only: no compound prefix, no typos (they hold parts already).
EXACT_ONLY_FIELDS: frozenset[str] = frozenset({"parts"})
# Weight of a compound (prefix) match and of a typo (fuzzy) match, against an exact one.
PREFIX_WEIGHT = 0.3
FUZZY_WEIGHT = 0.2
# Shortest stem that also matches as the first part of a compound ("bygglov…").
MIN_PREFIX_LENGTH = 4
# Score added per query word a record matches in a relaxed search: more words matched
# always ranks first, the text score orders records that match as many.
RELAX_STEP = 1000.0
# Score of a record whose filter key a plain word names ("csv", "2024", "miljö").
KEY_SCORE = 2.0

Sort = Literal["relevance", "modified", "title"]
FacetValue = str | int


@dataclass
class SearchRequest:
    """One search.

    ``query`` is the typed text or a parsed ``SearchQuery``. ``filters`` maps a filter
    name (a facet name, "source", "diarienummer" or "contains_personal_data") to the
    values any of which a record must have; different names must all hold. ``facets``
    names the facets to count. ``public_only`` is on unless the caller has checked that
    the user may see non-public records. ``exclude_ids`` are records the index may still
    hold in a form the catalogue no longer shows (changes the indexer has not applied
    yet): they count nowhere, not in hits, totals or facets.
    """

    query: SearchQuery | str = ""
    filters: Mapping[str, Sequence[FacetValue | bool]] = field(default_factory=dict)
    facets: Sequence[str] = ()
    sort: Sort = "relevance"
    page: int = 1
    page_size: int = 20
    highlight: bool = True
    public_only: bool = True
    modified_from: date | None = None  # inclusive, a day in Europe/Stockholm
    modified_to: date | None = None  # inclusive
    facet_size: int = 100
    exclude_ids: Sequence[str] = ()

    def parsed(self) -> SearchQuery:
        """Return the query as a ``SearchQuery`` (parsing text)."""
        if isinstance(self.query, SearchQuery):
            return self.query
        return parse_query(self.query)

    def validate(self) -> SearchQuery:
        """Check the request and return its parsed query.

        Raises:
            InvalidSearchRequest: unknown facet, filter or sort, or impossible paging.
        """
        unknown = [name for name in self.facets if name not in FACET_FIELDS]
        if unknown:
            raise InvalidSearchRequest(
                f"Okänd facett: {', '.join(unknown)}. Tillåtna: {', '.join(FACETS)}."
            )
        unknown = [name for name in self.filters if name not in FILTER_FIELDS]
        if unknown:
            raise InvalidSearchRequest(
                f"Okänt filter: {', '.join(unknown)}. Tillåtna: {', '.join(FILTER_FIELDS)}."
            )
        if self.sort not in SORTS:
            raise InvalidSearchRequest(
                f"Okänd sortering {self.sort!r}. Tillåtna: {', '.join(SORTS)}."
            )
        if self.page < 1 or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidSearchRequest(
                f"Sidan måste vara minst 1 och sidstorleken mellan 1 och {MAX_PAGE_SIZE}."
            )
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise InvalidSearchRequest(
                f"Det går inte att bläddra längre än {MAX_RESULT_WINDOW} träffar; "
                "förfina sökningen i stället."
            )
        if not 1 <= self.facet_size <= 10_000:
            raise InvalidSearchRequest("Antalet facettvärden måste vara mellan 1 och 10 000.")
        return self.parsed()

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def filter_keys(self) -> dict[str, list[str]]:
        """Return filter name → normalised values, dropping empty value lists."""
        keys: dict[str, list[str]] = {}
        for name, values in self.filters.items():
            if not values:
                continue
            if name == "diarienummer":
                keys[name] = [diarienummer_key(str(v)) for v in values]
            else:
                keys[name] = [normalise_key(v) for v in values]
        return keys


@dataclass
class SearchHit:
    """One record found: its id, display title, score, kind and highlighted snippets.

    ``snippets`` maps "title" and "description" to HTML with matches in ``<mark>``;
    everything else in them is escaped. ``fields`` holds the display fields named in
    ``HIT_FIELDS`` as the index stores them.
    """

    id: str
    title: str
    score: float | None
    kind: str
    snippets: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchResult:
    """A page of hits, the total over all pages, facet counts over all hits, time taken."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[FacetValue, int]]]
    took_ms: float
    page: int = 1
    page_size: int = 20
    query: SearchQuery | None = None
    # True when records that match only some of the words follow those that match all.
    relaxed: bool = False
    strict_total: int | None = None  # how many match all words (when relaxed)
    corrected_query: str | None = None  # "Menade du …?": the query with typos corrected


@runtime_checkable
class SearchBackend(Protocol):
    """A search engine behind one contract."""

    def ensure_index(self) -> bool:
        """Create the index if missing, migrate it if its engine schema is old.

        Returns True when the index must be filled from the catalogue with ``rebuild``:
        it was just created, or its documents come from an older ``DOCUMENT_VERSION``.
        """
        ...

    def bulk_upsert(self, documents: Iterable[dict[str, Any]]) -> int:
        """Add or replace documents (``documents.index_document`` output); return how many.

        Raises IndexingError naming the records that were refused (no id or no
        ``is_public``, or refused by the engine) after the others have been written.
        """
        ...

    def delete(self, ids: Iterable[str]) -> int:
        """Remove records by id; return how many were in the index."""
        ...

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a search. Raises InvalidSearchRequest for a bad request."""
        ...

    def suggest(
        self,
        prefix: str,
        *,
        public_only: bool = True,
        limit: int = 10,
        exclude_ids: Sequence[str] = (),
    ) -> list[str]:
        """Return up to ``limit`` titles and keywords that complete ``prefix``."""
        ...

    def count(self, public_only: bool = True) -> int:
        """Return the number of records in the index (public ones only by default)."""
        ...

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        """Replace the whole index by ``documents``; return how many were indexed.

        Builds a new index beside the one in use and switches to it atomically; searches
        meanwhile are answered by the old index, which is dropped after the switch. On
        failure the old index stays in use.
        """
        ...

    def close(self) -> None:
        """Release files, locks and connections."""
        ...


def diarienummer_key(text: str) -> str:
    """Return the key a diarienummer (any written form, or a canonical prefix) is found by."""
    return normalise_key(normalise_diarienummer(text) or text)


# --- free text: which words must match -------------------------------------------------


@dataclass(frozen=True)
class TextPlan:
    """How the free-text words of a query are matched.

    ``groups`` are the words that must match (each by itself or another way, see
    ``WordGroup``), at least ``minimum_match`` of them (all of them up to three words,
    then all but a quarter); ``optional`` words (stop words) only rank, and so do
    ``boosts`` (a year or a file type written as a plain word: "bygglov 2024").
    ``relaxed`` is the plan that follows when too few records match: any one group
    matches, records matching more groups first; a compound's parts then match like
    separate words, below the whole word (``part_steps``).
    """

    groups: tuple[WordGroup, ...]
    optional: tuple[str, ...]
    minimum_match: int
    boosts: tuple[WordGroup, ...] = ()
    relaxed: bool = False
    split: tuple[str, ...] = ()  # compound groups whose parts match alone (when relaxed)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(group.word for group in self.groups)

    @property
    def highlighted(self) -> tuple[str, ...]:
        """Every word a hit may match by: the words, their alternatives, the boosts."""
        words = [g.word for g in (*self.groups, *self.boosts)]
        words += [w for g in self.groups for words_, _ in g.alternatives for w in words_]
        return tuple(dict.fromkeys(w for word in words for w in word.split()))

    @property
    def highlighted_as_written(self) -> frozenset[str]:
        """The words of ``highlighted`` that match by their stems only, never as the start
        of a compound: the parts of a compound this plan does not split
        (``split_alternative``), unless the query matches them otherwise too."""
        as_written: set[str] = set()
        by_prefix = {g.word for g in (*self.groups, *self.boosts)}
        for group in self.groups:
            for words, _ in group.alternatives:
                if split_alternative(group, words) and group.word not in self.split:
                    as_written.update(words)
                else:
                    by_prefix.update(words)
            if group.word in self.split:
                by_prefix.update(group.parts)
        by_prefix = {w for word in by_prefix for w in word.split()}
        return frozenset(as_written - by_prefix)

    @property
    def can_relax(self) -> bool:
        # A single compound word relaxes too: its parts match by themselves.
        return not self.relaxed and (
            self.minimum_match > 1 or any(group.parts for group in self.groups)
        )

    @property
    def compounds(self) -> tuple[WordGroup, ...]:
        """The groups that are compounds: their parts may relax (see ``relax``)."""
        return tuple(group for group in self.groups if group.parts)

    def relax(self, split: Iterable[str] = ()) -> TextPlan | None:
        """Return the plan where any one group matches, ranked by how many do, or None
        when that would find nothing more.

        ``split`` names the compound groups that match no record as a whole (the backend
        counts them): their parts then match like separate words (``part_steps``). A
        compound that matches some record whole does not split, so its parts never pad
        out a query the index can answer ("badplatser karta" ranks "badplatser" first).
        """
        split = tuple(word for word in split if word in self.required)
        if self.minimum_match <= 1 and not split:
            return None
        return replace(self, minimum_match=1, relaxed=True, split=split)


def part_steps(group: WordGroup) -> list[tuple[str, float]]:
    """Return each part of a compound group with the score a relaxed search adds for it.

    Only records that do not match the whole group get these, and only in a relaxed plan
    that splits the group (``TextPlan.relax``). Every part counts alike
    (measured: favouring the head ranked generic heads such as "karta" or "plats" above
    the record a person meant), and all parts but one score below one ``RELAX_STEP``, so
    a record matching the whole word ranks above one matching some of its parts.
    """
    share = RELAX_STEP / (len(group.parts) + 1)
    return [(part, share) for part in group.parts]


def split_alternative(group: WordGroup, words: tuple[str, ...]) -> bool:
    """Tell whether the alternative ``words`` is the group's compound split into its parts.

    Those parts match as written (stem, no compound prefix): the index holds the parts of
    its records' compounds already (``compound_parts``), and a prefix of a short part
    ("barn…", "data…") matches a large share of the index in every search with the word
    (at 1,000,000 records it was most of the slowest searches' time).
    """
    return bool(group.parts) and tuple(words) == tuple(group.parts)


def plan_text(query: SearchQuery) -> TextPlan:
    """Split the query's words into groups that must match, optional words and boosts.

    Question words ("var kan jag hitta …") are dropped when other words remain; runs of
    words with related terms ("lediga jobb") or one English term ("district heating")
    become one group; a year or a file type as
    a plain word only ranks while another word remains.
    """
    words = list(query.terms)
    content = [
        w for w in words if w.casefold() not in SWEDISH_STOPWORDS and not is_question_word(w)
    ]
    if content:
        dropped = [w for w in words if w not in content and w.casefold() in SWEDISH_STOPWORDS]
        words = content
    else:
        dropped = []
        words = [w for w in words if w.casefold() not in SWEDISH_STOPWORDS] or words
    groups: list[WordGroup] = []
    runs = {start: (end, alternatives) for start, end, alternatives in multiword_terms(words)}
    position = 0
    while position < len(words):
        if position in runs:
            end, alternatives = runs[position]
            groups.append(WordGroup(" ".join(words[position:end]), alternatives))
            position = end
            continue
        groups.append(expand(words[position]))
        position += 1
    boosts = [g for g in groups if g.is_value or _only_format(g)]
    if len(boosts) < len(groups):
        groups = [g for g in groups if g not in boosts]
    else:
        boosts = []
    count = len(groups)
    minimum = count if count <= 3 else count - count // 4
    return TextPlan(tuple(groups), tuple(dropped), minimum, tuple(boosts))


def _only_format(group: WordGroup) -> bool:
    return bool(group.keys) and all(field == "format_keys" for field, _ in group.keys)


def is_wordlike(token: str) -> bool:
    """Tell whether a token is a word (no digits): only words get compound and typo matching.

    Codes and numbers ("E45", "2024", "ord123") are matched exactly: one edit away from
    a code is another code, not a typo.
    """
    return not any(char.isdigit() for char in token)


def fuzzy_distance(token: str) -> int:
    """Return the edit distance a word is matched with: 0 below 5 letters, 1, then 2 from 8.

    Tokens with digits are always matched exactly (see ``is_wordlike``).
    """
    if not is_wordlike(token):
        return 0
    if len(token) >= 8:
        return 2
    if len(token) >= 5:
        return 1
    return 0


# --- "Menade du …?" ----------------------------------------------------------------------


def correction_for(
    query: SearchQuery, unknown: Sequence[str], hits: Sequence[SearchHit]
) -> str | None:
    """Return the query with each word the index does not know replaced by the nearest
    word in the hits' titles, keywords and descriptions (the index's own vocabulary).

    Returns None when no word could be corrected.
    """
    if not unknown or not hits:
        return None
    counts: dict[str, int] = {}
    for hit in hits:
        for name in ("title_sv", "title_en", "description_sv", "description_en"):
            for word in _WORD.findall(normalise_key(hit.fields.get(name) or "")):
                counts[word] = counts.get(word, 0) + 1
    text = query.text
    changed = False
    for word in unknown:
        wanted = word.casefold()
        limit = max(fuzzy_distance(wanted), 1)
        best = min(
            (
                (distance, -count, candidate)
                for candidate, count in counts.items()
                if candidate != wanted
                and (distance := edit_distance(wanted, candidate, limit)) <= limit
            ),
            default=None,
        )
        if best is None:
            continue
        text = re.sub(rf"(?i)\b{re.escape(word)}\b", best[2], text, count=1)
        changed = True
    return " ".join(text.split()) if changed else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Return the Damerau-Levenshtein distance of two words, or ``limit + 1`` if above."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # An edit changes the set of letters by at most two (a substitution), so words whose
    # letters differ more are farther apart: most words of a hit fail here, before the table.
    if len(set(a).symmetric_difference(b)) > 2 * limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# --- suggestions -------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def rank_suggestions(prefix: str, candidates: Iterable[str], limit: int) -> list[str]:
    """Return the candidates that complete ``prefix``, best first, without duplicates.

    A candidate completes the prefix if its words, from some word on, start with the
    prefix's words (the last one as a prefix). Candidates that start with the prefix
    come first; then the more often a candidate was offered, the earlier.
    """
    wanted = _WORD.findall(normalise_key(prefix))
    if not wanted or limit < 1:
        return []
    scores: dict[str, list[Any]] = {}
    for order, candidate in enumerate(candidates):
        words = _WORD.findall(normalise_key(candidate))
        start = _completes_at(words, wanted)
        if start is None:
            continue
        key = normalise_key(candidate)
        if key in scores:
            scores[key][1] -= 1
            continue
        scores[key] = [0 if start == 0 else 1, 0, order, candidate]
    ranked = sorted(scores.values(), key=lambda s: (s[0], s[1], s[2]))
    return [s[3] for s in ranked[:limit]]


def _completes_at(words: list[str], wanted: list[str]) -> int | None:
    for start in range(len(words) - len(wanted) + 1):
        head = words[start : start + len(wanted)]
        if head[:-1] == wanted[:-1] and head[-1].startswith(wanted[-1]):
            return start
    return None


# --- snippets ------------------------------------------------------------------------------


def render_snippet(text: str, spans: Iterable[tuple[int, int]], *, max_chars: int = 0) -> str:
    """Return ``text`` as HTML with ``spans`` in ``<mark>``; everything else escaped.

    With ``max_chars`` the text is cut to a window of about that length around the most
    marks, with "…" where it was cut, on word boundaries.
    """
    merged = _merge_spans(spans, len(text))
    start, end = 0, len(text)
    if max_chars and len(text) > max_chars:
        start, end = _window(text, merged, max_chars)
        merged = [(max(s, start), min(e, end)) for s, e in merged if s < end and e > start]
    out = ["…" if start > 0 else ""]
    position = start
    for s, e in merged:
        out.append(html.escape(text[position:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        position = e
    out.append(html.escape(text[position:end]))
    if end < len(text):
        out.append("…")
    return "".join(out).strip()


def _merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted((max(0, s), min(length, e)) for s, e in spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    if not spans:
        end = size
    else:
        best_start, best_count = spans[0][0], 0
        for s, _ in spans:
            count = sum(1 for s2, e2 in spans if s2 >= s and e2 <= s + size)
            if count > best_count:
                best_start, best_count = s, count
        # Some context before the first mark.
        start = max(0, best_start - size // 4)
        end = min(len(text), start + size)
        start = max(0, end - size)
        if start > 0:
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space >= 0 and start - space < 20 else start
        if end < len(text):
            space = text.find(" ", end - 1)
            end = space if 0 <= space - end < 20 else end
        return start, end
    if end < len(text):
        space = text.rfind(" ", 0, end)
        end = space if space > size // 2 else end
    return 0, end


def spans_from_markers(
    marked: str, open_tag: str, close_tag: str
) -> tuple[str, list[tuple[int, int]]]:
    """Return the text without marker tags and the spans they enclosed."""
    spans = []
    plain: list[str] = []
    length = 0
    position = 0
    while True:
        start = marked.find(open_tag, position)
        if start < 0:
            plain.append(marked[position:])
            break
        plain.append(marked[position:start])
        length += start - position
        end = marked.find(close_tag, start + len(open_tag))
        if end < 0:
            end = len(marked)
        inner = marked[start + len(open_tag) : end]
        plain.append(inner)
        spans.append((length, length + len(inner)))
        length += len(inner)
        position = end + len(close_tag)
    return "".join(plain), spans
