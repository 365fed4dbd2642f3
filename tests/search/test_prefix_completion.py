"""The embedded backend asks a prefix the index completes to few terms as those terms
(``QueryBuilder._prefix``): the same records, scores, totals and facets as tantivy's
prefix automaton, whichever way each prefix goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from insyn.search.backends import _tantivy_schema
from insyn.search.backends.base import FACETS, SearchRequest
from insyn.search.backends.embedded import EmbeddedBackend
from tests.search.fixtures import documents

# Compounds and inflections ("bygglov" starts several terms, "skolenheter" one),
# a prefix that completes to nothing, a typo, a prefix filter, a phrase and an exclusion.
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
                    [(hit.id, hit.score) for hit in result.hits],
                    result.facets,
                )
            )
    return answers


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    loaded = EmbeddedBackend(Path(tmp_path_factory.mktemp("prefix")))
    loaded.ensure_index()
    loaded.bulk_upsert(documents())
    return loaded


def test_completed_prefixes_find_what_the_automaton_finds(
    backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _tantivy_schema.QueryBuilder.__init__

    def automaton_only(self: Any, *args: Any, searcher: Any = None, **kwargs: Any) -> None:
        built(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(_tantivy_schema.QueryBuilder, "__init__", automaton_only)
        expected = _answers(backend)
    assert any(total for _, _, total, _, _ in expected)
    # Every prefix completed (however many terms), only empty ones, and the default.
    for few in (10_000, 0, _tantivy_schema._FEW_COMPLETIONS):
        with monkeypatch.context() as patch:
            patch.setattr(_tantivy_schema, "_FEW_COMPLETIONS", few)
            assert _answers(backend) == expected, few
