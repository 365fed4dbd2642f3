"""Cheaper forms of the embedded backend's queries that must find exactly what the plain
forms find: a prefix the index completes to few terms asked as those terms
(``QueryBuilder._prefix``), a prefix that completes to its own word only left out of the
ranked query (``_completes_to_itself``), and the unranked query facets are counted with
(``matching_only``)."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from insyn.search.backends import _tantivy_schema
from insyn.search.backends._tantivy_schema import QueryBuilder
from insyn.search.backends.base import FACETS, SearchRequest, fuzzy_distance, plan_text
from insyn.search.backends.embedded import EmbeddedBackend
from tests.conftest import require
from tests.search.fixtures import documents

# Compounds and inflections ("bygglov" starts several terms, "skolenheter" one), a
# prefix that completes to nothing, a typo, a prefix filter, a phrase, an exclusion, a
# stop word, a file type as a word, and words that match too little together (relaxed).
QUERIES = (
    "bygglov",
    "bygglov 2023",
    "skol",
    "badplats vatten",
    "planering",
    "byglov",
    "utgivare:stadsbygg",
    '"beviljade bygglov"',
    "bygglov -eken",
    "statistik",
    "och bygglov",
    "skolor csv",
    "bygglovsansökningar karta",
    "vattenprover skolskjuts",
)


def _answers(backend: EmbeddedBackend) -> list[Any]:
    answers = []
    for text in QUERIES:
        for public_only in (True, False):
            result = backend.search(
                SearchRequest(text, facets=FACETS, page_size=50, public_only=public_only)
            )
            answers.append(
                (
                    text,
                    public_only,
                    result.total,
                    result.relaxed,
                    [(hit.id, hit.score) for hit in result.hits],
                    result.facets,
                )
            )
    return answers


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    loaded = EmbeddedBackend(Path(tmp_path_factory.mktemp("queries")))
    loaded.ensure_index()
    loaded.bulk_upsert(documents())
    return loaded


def test_completed_prefixes_find_what_the_automaton_finds(
    backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = QueryBuilder.__init__

    def automaton_only(self: Any, *args: Any, searcher: Any = None, **kwargs: Any) -> None:
        built(self, *args, **kwargs)

    # Every prefix clause stays (the automaton cannot tell which complete to their word).
    monkeypatch.setattr(QueryBuilder, "_completes_to_itself", lambda *_: False)
    with monkeypatch.context() as patch:
        patch.setattr(QueryBuilder, "__init__", automaton_only)
        expected = _answers(backend)
    assert any(total for _, _, total, _, _, _ in expected)
    # Every prefix completed (however many terms), only empty ones, and the default.
    for few in (10_000, 0, _tantivy_schema._FEW_COMPLETIONS):
        with monkeypatch.context() as patch:
            patch.setattr(_tantivy_schema, "_FEW_COMPLETIONS", few)
            assert _answers(backend) == expected, few


def test_a_prefix_of_its_own_word_only_leaves_the_matches_as_they_were(
    backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Leaving such a prefix out changes scores (it added a constant), never what matches.
    with monkeypatch.context() as patch:
        patch.setattr(QueryBuilder, "_completes_to_itself", lambda *_: False)
        every_prefix = _answers(backend)
    lean = _answers(backend)
    assert lean != every_prefix  # the scores differ, so some prefixes were left out

    def matches(answers: list[Any]) -> list[Any]:
        return [
            (text, public, total, relaxed, sorted(id_ for id_, _ in hits), facets)
            for text, public, total, relaxed, hits, facets in answers
        ]

    assert matches(lean) == matches(every_prefix)


def _matched(
    searcher: Any, builder: QueryBuilder, request: SearchRequest, plan: Any, unknown: Any
) -> set[tuple[int, int]]:
    query = builder.build(request.parsed(), plan, request, unknown)
    hits = searcher.search(query, 1_000, count=False).hits
    return {(address.segment_ord, address.doc) for _, address in hits}


def test_the_counting_query_matches_the_records_the_ranked_query_matches(
    backend: EmbeddedBackend,
) -> None:
    relaxed = 0
    for text in QUERIES:
        for public_only in (True, False):
            searcher = backend._files.current().searcher("public" if public_only else "all")
            request = SearchRequest(text, public_only=public_only)
            plan = plan_text(request.validate())
            ranked, counting = (
                QueryBuilder(
                    backend._schema,
                    backend._analyzers,
                    public=public_only,
                    searcher=searcher,
                    matching_only=matching_only,
                )
                for matching_only in (False, True)
            )
            unknown = frozenset(
                g.word
                for g in plan.groups
                if fuzzy_distance(g.word) and not ranked.known(searcher, g.word)
            )
            # The plan as typed, and relaxed with every compound split into its parts.
            loose = plan.relax([g.word for g in plan.compounds])
            for chosen in (plan, loose) if loose is not None else (plan,):
                relaxed += chosen.relaxed
                assert _matched(searcher, counting, request, chosen, unknown) == _matched(
                    searcher, ranked, request, chosen, unknown
                ), (text, public_only, chosen.relaxed)
    assert relaxed


def test_excluded_records_stay_out_search_after_search(backend: EmbeddedBackend) -> None:
    # The excluded ids' query is kept from one search to the next while they are the same.
    every = {hit.id for hit in backend.search(SearchRequest("bygglov", page_size=50)).hits}
    assert len(every) > 2
    first, second = sorted(every)[:2]
    for excluded in ([first], [first], [first, second], [second], []):
        for _ in range(2):
            found = backend.search(
                SearchRequest("bygglov", page_size=50, facets=FACETS, exclude_ids=excluded)
            )
            assert {hit.id for hit in found.hits} == every - set(excluded)
            assert found.total == len(every) - len(excluded)
            assert sum(count for _, count in found.facets["kind"]) == found.total


def test_excluded_records_on_or_off_the_page_give_what_the_full_query_gives(
    backend: EmbeddedBackend,
) -> None:
    # With facets, only the counting query leaves excluded records out (and counts the
    # total); the ranked query does only when its page holds one. A search without facets
    # leaves them out of the ranked query: both must answer alike.
    ranked = [hit.id for hit in backend.search(SearchRequest("bygglov", page_size=50)).hits]
    assert len(ranked) >= 6
    relaxed = 0
    for excluded in ([ranked[0]], [ranked[4]], [ranked[1], ranked[5], "not-in-the-index"]):
        for text in ("bygglov", "vattenprover skolskjuts"):
            for page in (1, 2):
                request = SearchRequest(
                    text, page=page, page_size=3, facets=FACETS, exclude_ids=excluded
                )
                lean, full = backend.search(request), backend.search(replace(request, facets=()))
                assert [(h.id, h.score, h.snippets) for h in lean.hits] == [
                    (h.id, h.score, h.snippets) for h in full.hits
                ]
                assert (lean.total, lean.strict_total, lean.relaxed) == (
                    full.total,
                    full.strict_total,
                    full.relaxed,
                )
                assert not set(excluded) & {hit.id for hit in lean.hits}
                assert sum(count for _, count in lean.facets["kind"]) == lean.total
                relaxed += lean.relaxed
    assert relaxed


def test_facets_counted_beside_the_search_survive_close(tmp_path: Path) -> None:
    # Facets are counted in the backend's own threads; close() stops them, and a search
    # after it (close only forgets what is open) starts them again.
    loaded = EmbeddedBackend(tmp_path)
    loaded.ensure_index()
    loaded.bulk_upsert(documents())
    before = loaded.search(SearchRequest("bygglov", facets=FACETS))
    loaded.close()
    after = loaded.search(SearchRequest("bygglov", facets=FACETS))
    assert after.facets == before.facets and after.total == before.total
    assert sum(count for _, count in after.facets["kind"]) == after.total
    loaded.close()


def test_a_forked_process_counts_facets_in_threads_of_its_own(tmp_path: Path) -> None:
    # The indexer forks workers; a fork has none of its parent's threads, so a backend
    # that searched before the fork must start new ones to search in the child.
    require(hasattr(os, "fork"), "fork is POSIX only")
    loaded = EmbeddedBackend(tmp_path)
    loaded.ensure_index()
    loaded.bulk_upsert(documents())
    expected = loaded.search(SearchRequest("bygglov", facets=FACETS)).facets
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports by its exit status)
        signal.alarm(120)  # a hang guard, not a figure: waiting for absent threads hangs
        found = loaded.search(SearchRequest("bygglov", facets=FACETS)).facets
        os._exit(0 if found == expected else 1)
    _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    loaded.close()
