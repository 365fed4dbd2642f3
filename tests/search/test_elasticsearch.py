"""What only the Elasticsearch backend has: versioned indexes, aliases, mappings, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from elastic_transport import HttpHeaders

from insyn.search.backends._es_dsl import SCHEMA_VERSION, mappings, settings
from insyn.search.backends.base import SearchBackend, SearchRequest
from insyn.search.backends.elasticsearch import ElasticsearchBackend
from insyn.search.documents import DOCUMENT_VERSION
from insyn.search.errors import IndexingError, IndexMissingError, SearchUnavailableError
from tests.search.fixtures import documents
from tests.search.plain_json_node import PlainJsonNode, _plain


def _aliases(backend: Any) -> dict[str, str]:
    found = backend.client.indices.get_alias(index=f"{backend.alias}*")
    return {alias: index for index, body in found.items() for alias in body["aliases"]}


def test_is_a_search_backend() -> None:
    backend = ElasticsearchBackend("http://127.0.0.1:9")
    assert isinstance(backend, SearchBackend)
    backend.close()


def test_swedish_analyzer_is_a_custom_chain() -> None:
    analysis = settings(None)["analysis"]
    assert analysis["analyzer"]["insyn_sv"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "insyn_sv_stem"],
    }
    assert analysis["filter"]["insyn_sv_stem"] == {"type": "stemmer", "language": "swedish"}
    properties = mappings(1)["properties"]
    assert properties["title_sv"]["fields"]["prefix"]["search_analyzer"] == "insyn_sv"
    assert properties["diarienummer_keys"] == {"type": "keyword"}
    assert properties["suggest"]["type"] == "search_as_you_type"


def test_versioned_indexes_behind_aliases(make_es_backend: Any) -> None:
    backend = make_es_backend()
    assert backend.ensure_index() is True
    first = _aliases(backend)
    assert set(first) == {backend.alias, backend.public_alias}
    assert re.fullmatch(rf"{backend.alias}-v\d{{20}}", first[backend.alias])
    assert re.fullmatch(rf"{backend.public_alias}-v\d{{20}}", first[backend.public_alias])
    backend.bulk_upsert(documents())
    backend.rebuild(documents())
    second = _aliases(backend)
    assert second[backend.alias] != first[backend.alias]
    remaining = set(backend.client.indices.get(index=f"{backend.alias}*").keys())
    assert remaining == set(second.values())  # the old pair was dropped


def test_schema_change_migrates_from_source(make_es_backend: Any) -> None:
    backend = make_es_backend()
    backend.ensure_index()
    backend.bulk_upsert(documents())
    before = _aliases(backend)
    backend.client.indices.put_mapping(
        index=before[backend.alias],
        meta={"schema_version": SCHEMA_VERSION - 1, "document_version": DOCUMENT_VERSION},
    )
    assert backend.ensure_index() is False
    assert _aliases(backend) != before
    assert backend.count(public_only=False) == len(documents())
    result = backend.search(SearchRequest("zebrafinkar", public_only=False))
    assert [hit.id for hit in result.hits] == ["ds-skyddade-boenden"]


def test_missing_index(make_es_backend: Any) -> None:
    backend = make_es_backend()
    with pytest.raises(IndexMissingError):
        backend.search(SearchRequest("skola"))


def test_refused_documents_are_named(make_es_backend: Any) -> None:
    backend = make_es_backend()
    backend.ensure_index()
    bad = documents()[0]
    bad["year"] = "not a year"
    with pytest.raises(IndexingError) as caught:
        backend.bulk_upsert([documents()[1], bad])
    assert caught.value.record_ids == [bad["id"]]
    assert backend.count(public_only=False) == 1


def test_unreachable_server() -> None:
    backend = ElasticsearchBackend(
        "http://127.0.0.1:9", node_class=PlainJsonNode, request_timeout=1, max_retries=0
    )
    with pytest.raises(SearchUnavailableError):
        backend.search(SearchRequest("skola"))
    with pytest.raises(SearchUnavailableError):
        backend.bulk_upsert(documents()[:1])
    backend.close()


def test_plain_json_node_rewrites_vendor_media_types() -> None:
    assert _plain("application/vnd.elasticsearch+json; compatible-with=9") == "application/json"
    assert _plain("application/vnd.elasticsearch+x-ndjson; compatible-with=8") == (
        "application/x-ndjson"
    )
    assert _plain("application/json") == "application/json"
    headers = HttpHeaders({"accept": "application/vnd.elasticsearch+json; compatible-with=9"})
    assert _plain(headers["accept"]) == "application/json"
