"""The Elasticsearch backend, for production (Elasticsearch 8.x and 9.x servers).

Two aliases, each pointing at one versioned index:

    <prefix>          → <prefix>-v<utc timestamp>          every record
    <prefix>-public   → <prefix>-public-v<utc timestamp>   public records, restricted
                                                           fields removed

``rebuild`` creates a new pair of indexes, bulk-loads them, swaps both aliases in one
``update_aliases`` call (atomic: a search sees the old pair or the new one, never an
empty index) and then drops the old pair. Writes use ``helpers.streaming_bulk`` with
retries and exponential back-off on 429 (Too Many Requests).

Client versions: the client speaks ``compatible-with=<its major>``; an Elasticsearch 8
server therefore needs the 8.x client (``pip install "elasticsearch>=8.12,<9"``), a 9
server the 9.x one. The code uses only calls both clients have.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch, helpers

from insyn.search.backends._es_dsl import (
    HIGHLIGHT_FIELDS,
    SCHEMA_VERSION,
    QueryBuilder,
    mappings,
    settings,
)
from insyn.search.backends.base import (
    HIT_FIELDS,
    SearchHit,
    SearchRequest,
    SearchResult,
    correction_for,
    fuzzy_distance,
    plan_text,
    rank_suggestions,
    render_snippet,
    spans_from_markers,
)
from insyn.search.documents import DOCUMENT_VERSION, FACET_FIELDS, public_view
from insyn.search.errors import (
    IndexingError,
    IndexMissingError,
    SearchError,
    SearchUnavailableError,
)

__all__ = ["ElasticsearchBackend"]

_OPEN = "\ue000"  # highlight markers no text contains; turned into <mark> after escaping
_CLOSE = "\ue001"
_SUGGEST_CANDIDATES = 200
_DESCRIPTION_SNIPPET = 240
_SOURCE_FIELDS = ["id", "kind", "title", *HIT_FIELDS]


@contextlib.contextmanager
def _es_errors(action: str) -> Iterator[None]:
    """Translate the client's errors into SearchError; never quote record content."""
    try:
        yield
    except SearchError:
        raise
    except helpers.BulkIndexError as exc:
        ids = [str(next(iter(item.values())).get("_id", "")) for item in exc.errors]
        raise IndexingError(
            f"Elasticsearch vägrade {len(ids)} dokument när sökindexet skulle {action}.",
            record_ids=ids,
        ) from exc
    except elasticsearch.NotFoundError as exc:
        raise IndexMissingError(
            "Sökindexet finns inte i Elasticsearch; kör 'insyn index' för att skapa det."
        ) from exc
    except elasticsearch.ApiError as exc:
        status = getattr(exc, "status_code", None) or getattr(exc.meta, "status", None)
        reason = str(getattr(exc, "error", "") or getattr(exc, "message", ""))
        if "compatible" in str(exc) or "media_type_header" in str(exc):
            raise SearchError(
                "Elasticsearch-servern och klientbiblioteket har olika huvudversioner; "
                "installera elasticsearch-klienten med serverns version "
                "(för Elasticsearch 8: pip install 'elasticsearch>=8.12,<9')."
            ) from exc
        if status is not None and (status == 429 or status >= 500):
            raise SearchUnavailableError(
                f"Elasticsearch är överbelastat eller fel uppstod ({status}) när sökindexet "
                f"skulle {action}; försök igen senare."
            ) from exc
        raise SearchError(
            f"Elasticsearch avvisade begäran när sökindexet skulle {action} ({status} {reason})."
        ) from exc
    except (elasticsearch.ConnectionError, elasticsearch.TransportError) as exc:
        raise SearchUnavailableError(
            f"Elasticsearch kan inte nås när sökindexet skulle {action}; försök igen senare."
        ) from exc


class ElasticsearchBackend:
    """Search in Elasticsearch behind two aliases (all records, public records)."""

    def __init__(
        self,
        client: Elasticsearch | str,
        *,
        index_prefix: str = "insyn-records",
        node_class: Any = None,
        number_of_replicas: int | None = None,
        request_timeout: float = 30.0,
        chunk_size: int = 500,
        max_retries: int = 5,
        refresh: bool | str = "wait_for",
        **client_options: Any,
    ) -> None:
        """Use ``client``, or connect to the URL ``client`` (with ``node_class``, if given).

        ``refresh`` is passed to bulk requests: "wait_for" makes writes visible to search
        before ``bulk_upsert`` returns; False leaves it to the refresh interval.
        """
        self._owns_client = isinstance(client, str)
        if isinstance(client, str):
            options: dict[str, Any] = {
                "request_timeout": request_timeout,
                "retry_on_timeout": True,
                "max_retries": 3,
                **client_options,
            }
            if node_class is not None:
                options["node_class"] = node_class
            client = Elasticsearch(client, **options)
        self.client = client
        self.alias = index_prefix
        self.public_alias = f"{index_prefix}-public"
        self.number_of_replicas = number_of_replicas
        self.chunk_size = chunk_size
        self.max_retries = max_retries
        self.refresh = refresh
        self._ready = False

    def __repr__(self) -> str:
        return f"<ElasticsearchBackend {self.alias}>"

    # --- indexes and aliases ------------------------------------------------------------

    def _alias_target(self, alias: str) -> str | None:
        if not self.client.indices.exists_alias(name=alias):
            return None
        found = self.client.indices.get_alias(name=alias)
        names = sorted(found.keys() if hasattr(found, "keys") else found.body.keys())
        return names[-1] if names else None

    def _create_pair(self, document_version: int) -> tuple[str, str]:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        pair = (f"{self.alias}-v{stamp}", f"{self.public_alias}-v{stamp}")
        for name in pair:
            self.client.indices.create(
                index=name,
                settings=settings(self.number_of_replicas),
                mappings=mappings(document_version),
            )
        return pair

    def _versions(self, index: str) -> tuple[int, int]:
        found = self.client.indices.get_mapping(index=index)
        meta = next(iter(dict(found).values()), {}).get("mappings", {}).get("_meta", {})
        return int(meta.get("schema_version", 0)), int(meta.get("document_version", 0))

    def _swap(self, pair: tuple[str, str]) -> None:
        """Point both aliases at ``pair`` in one atomic call, then drop the old indexes."""
        old = [
            (alias, target)
            for alias in (self.alias, self.public_alias)
            if (target := self._alias_target(alias)) is not None
        ]
        actions: list[dict[str, Any]] = [
            {"remove": {"index": target, "alias": alias}} for alias, target in old
        ]
        actions += [
            {"add": {"index": pair[0], "alias": self.alias}},
            {"add": {"index": pair[1], "alias": self.public_alias}},
        ]
        self.client.indices.update_aliases(actions=actions)
        stale = [target for _, target in old if target not in pair]
        if stale:
            self.client.indices.delete(index=",".join(stale), ignore_unavailable=True)

    # --- the contract --------------------------------------------------------------

    def ensure_index(self) -> bool:
        with _es_errors("skapas"):
            target = self._alias_target(self.alias)
            public = self._alias_target(self.public_alias)
            if target is None:
                if self.client.indices.exists(index=self.alias):
                    raise SearchError(
                        f"Det finns ett index som heter {self.alias} men inget alias; "
                        "ta bort eller byt namn på det, eller välj ett annat indexprefix."
                    )
                self._swap(self._create_pair(DOCUMENT_VERSION))
                return True
            schema_version, document_version = self._versions(target)
            if schema_version != SCHEMA_VERSION or public is None:
                # Same documents, new settings or mappings: copy them from _source.
                self._rebuild(self._stored_documents(target), document_version)
            if document_version != DOCUMENT_VERSION:
                return True
            return self.count(public_only=False) == 0

    def _stored_documents(self, index: str) -> Iterator[dict[str, Any]]:
        after: list[Any] | None = None
        while True:
            extra = {"search_after": after} if after else {}
            page = self.client.search(
                index=index,
                query={"match_all": {}},
                sort=[{"id": "asc"}],
                size=1000,
                **extra,
            )
            hits = page["hits"]["hits"]
            if not hits:
                return
            for hit in hits:
                yield hit["_source"]
            after = hits[-1]["sort"]

    def _actions(
        self,
        documents: Iterable[dict[str, Any]],
        refused: list[str],
        pair: tuple[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yield bulk actions; documents without id or is_public go to ``refused``."""
        every, public = pair or (self.alias, self.public_alias)
        for document in documents:
            record_id = document.get("id")
            if not isinstance(record_id, str) or not record_id:
                refused.append(str(record_id or ""))
                continue
            if not isinstance(document.get("is_public"), bool):
                # Without it the record's visibility is unknown: never guess.
                refused.append(record_id)
                continue
            # The public partition first: a record that stops being public leaves it first.
            if document["is_public"]:
                yield {"_index": public, "_id": record_id, "_source": public_view(document)}
            elif pair is None:
                yield {"_op_type": "delete", "_index": public, "_id": record_id}
            yield {"_index": every, "_id": record_id, "_source": document}

    def _bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        refresh: bool | str,
        refused: list[str] | None = None,
    ) -> int:
        """Send actions; return how many succeeded on the full index.

        Raises IndexingError naming the documents refused here (``refused``) or by the
        engine, after the others have been written.
        """
        done = 0
        failed: list[str] = []
        extra = {"refresh": refresh} if refresh else {}
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=self.chunk_size,
            max_retries=self.max_retries,
            initial_backoff=0.5,
            max_backoff=30,
            raise_on_error=False,
            **extra,
        ):
            operation, info = next(iter(item.items()))
            on_public = str(info.get("_index", "")).startswith(self.public_alias)
            if ok:
                if not on_public and operation in ("index", "delete"):
                    done += 1 if operation == "index" or info.get("result") == "deleted" else 0
            elif operation == "delete" and info.get("status") == 404:
                continue  # deleting what is not there
            else:
                failed.append(str(info.get("_id", "")))
        failed = list(dict.fromkeys((refused or []) + failed))
        if failed:
            raise IndexingError(f"Elasticsearch vägrade {len(failed)} dokument.", record_ids=failed)
        return done

    def _ensure_ready(self) -> bool:
        """Create the aliases before the first write, so that writing to a missing alias
        never makes Elasticsearch auto-create a plain index in its place. Returns whether
        the index exists (it does after this)."""
        if not self._ready:
            if not self.client.indices.exists_alias(name=self.alias):
                self.ensure_index()
            self._ready = True
        return True

    def bulk_upsert(self, documents: Iterable[dict[str, Any]]) -> int:
        refused: list[str] = []
        with _es_errors("uppdateras"):
            self._ensure_ready()
            return self._bulk(
                self._actions(documents, refused), refresh=self.refresh, refused=refused
            )

    def delete(self, ids: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(i for i in ids if i))
        if not wanted:
            return 0
        actions = [
            {"_op_type": "delete", "_index": index, "_id": record_id}
            for record_id in wanted
            for index in (self.public_alias, self.alias)
        ]
        with _es_errors("uppdateras"):
            if not self.client.indices.exists_alias(name=self.alias):
                return 0
            return self._bulk(actions, refresh=self.refresh)

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        with _es_errors("byggas om"):
            return self._rebuild(documents, DOCUMENT_VERSION)

    def _rebuild(self, documents: Iterable[dict[str, Any]], document_version: int) -> int:
        versions: list[int] = []

        def tracked() -> Iterator[dict[str, Any]]:
            for document in documents:
                versions.append(int(document.get("document_version", 0)))
                yield document

        pair = self._create_pair(document_version)
        try:
            refused: list[str] = []
            count = self._bulk(
                self._actions(tracked(), refused, pair), refresh=False, refused=refused
            )
            self.client.indices.refresh(index=",".join(pair))
            lowest = min(versions, default=document_version)
            if lowest != document_version:
                for name in pair:
                    self.client.indices.put_mapping(
                        index=name,
                        meta={"schema_version": SCHEMA_VERSION, "document_version": lowest},
                    )
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.indices.delete(index=",".join(pair), ignore_unavailable=True)
            raise
        self._swap(pair)
        return count

    def count(self, public_only: bool = True) -> int:
        with contextlib.suppress(IndexMissingError), _es_errors("läsas"):
            if public_only:
                answer = self.client.count(
                    index=self.public_alias, query={"term": {"is_public": True}}
                )
            else:
                answer = self.client.count(index=self.alias)
            return int(answer["count"])
        return 0

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        query = request.validate()
        plan = plan_text(query)
        builder = QueryBuilder(public=request.public_only)
        by_relevance = request.sort == "relevance" and query.has_text
        if request.sort == "title":
            sort: list[Any] = [{"title_sort": "asc"}, {"id": "asc"}]
        elif by_relevance:
            sort = [{"_score": "desc"}, {"title_sort": "asc"}]
        else:
            sort = [{"modified": {"order": "desc", "missing": "_last"}}, {"title_sort": "asc"}]
        index = self.public_alias if request.public_only else self.alias
        body: dict[str, Any] = {
            "sort": sort,
            "from_": request.offset,
            "size": request.page_size,
            "track_total_hits": True,
            "source": _SOURCE_FIELDS,
        }
        highlight_query = builder.highlight_query(plan, query) if request.highlight else None
        if highlight_query is not None:
            body["highlight"] = {
                "pre_tags": [_OPEN],
                "post_tags": [_CLOSE],
                "number_of_fragments": 0,
                "highlight_query": highlight_query,
                "fields": {
                    f"{field}{suffix}": {}
                    for fields in HIGHLIGHT_FIELDS.values()
                    for field in fields
                    for suffix in ("", ".words", ".prefix")
                    if not (suffix == ".prefix" and field.endswith("_en"))
                },
            }
        if request.facets:
            body["aggs"] = {
                name: {"terms": {"field": FACET_FIELDS[name], "size": request.facet_size}}
                for name in request.facets
            }
        with _es_errors("läsas"):
            # Typo tolerance only for words the index does not know.
            unknown = frozenset(
                g.word
                for g in plan.groups
                if fuzzy_distance(g.word)
                and not self.client.count(index=index, query=builder.known_query(g.word))["count"]
            )
            answer = self.client.search(
                index=index, query=builder.build(query, plan, request, unknown), **body
            )
            strict_total = int(answer["hits"]["total"]["value"])
            if plan.can_relax and strict_total < request.page_size:
                # A compound's parts match alone only when no record holds it whole.
                split = [
                    g.word
                    for g in plan.compounds
                    if not self.client.count(
                        index=index, query=builder.group(g, typos=g.word in unknown)
                    )["count"]
                ]
                relaxed = plan.relax(split)
                if relaxed is not None:
                    answer = self.client.search(
                        index=index, query=builder.build(query, relaxed, request, unknown), **body
                    )
        total = int(answer["hits"]["total"]["value"])
        hits = [self._hit(hit, by_relevance) for hit in answer["hits"]["hits"]]
        facets: dict[str, list[tuple[Any, int]]] = {}
        for name in request.facets:
            buckets = answer.get("aggregations", {}).get(name, {}).get("buckets", [])
            values = [
                (int(b["key"]) if name == "year" else b["key"], int(b["doc_count"]))
                for b in buckets
            ]
            facets[name] = sorted(values, key=lambda v: (-v[1], str(v[0])))
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            took_ms=(time.perf_counter() - started) * 1000,
            page=request.page,
            page_size=request.page_size,
            query=query,
            relaxed=total > strict_total,
            strict_total=strict_total,
            corrected_query=correction_for(query, sorted(unknown), hits),
        )

    @staticmethod
    def _hit(hit: dict[str, Any], by_relevance: bool) -> SearchHit:
        source = hit.get("_source", {})
        title = source.get("title", "")
        description = source.get("description_sv") or source.get("description_en") or ""
        snippets: dict[str, str] = {}
        highlights = hit.get("highlight", {})
        for name, text, size in (
            ("title", title, 0),
            ("description", description, _DESCRIPTION_SNIPPET),
        ):
            spans: list[tuple[int, int]] = []
            for field in HIGHLIGHT_FIELDS[name]:
                for suffix in ("", ".words", ".prefix"):
                    for marked in highlights.get(f"{field}{suffix}", []):
                        plain, found = spans_from_markers(marked, _OPEN, _CLOSE)
                        if plain == text:
                            spans += found
            if spans:
                snippets[name] = render_snippet(text, spans, max_chars=size)
        score = hit.get("_score")
        return SearchHit(
            id=source.get("id", hit.get("_id", "")),
            title=title,
            score=float(score) if by_relevance and score is not None else None,
            kind=source.get("kind", ""),
            snippets=snippets,
            fields={name: source.get(name) for name in HIT_FIELDS},
        )

    def suggest(
        self,
        prefix: str,
        *,
        public_only: bool = True,
        limit: int = 10,
        exclude_ids: Sequence[str] = (),
    ) -> list[str]:
        if not prefix.strip() or limit < 1:
            return []
        filters: list[dict[str, Any]] = [{"term": {"is_public": True}}] if public_only else []
        excluded = [{"ids": {"values": list(exclude_ids)}}] if exclude_ids else []
        query = {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": prefix,
                            "type": "bool_prefix",
                            "operator": "and",
                            "fields": ["suggest", "suggest._2gram", "suggest._3gram"],
                        }
                    }
                ],
                "filter": filters,
                "must_not": excluded,
            }
        }
        with contextlib.suppress(IndexMissingError), _es_errors("läsas"):
            answer = self.client.search(
                index=self.public_alias if public_only else self.alias,
                query=query,
                size=_SUGGEST_CANDIDATES,
                sort=[{"title_sort": "asc"}],
                source=["suggest"],
            )
            candidates = [
                value
                for hit in answer["hits"]["hits"]
                for value in hit.get("_source", {}).get("suggest", [])
            ]
            return rank_suggestions(prefix, candidates, limit)
        return []

    def close(self) -> None:
        if self._owns_client:
            with contextlib.suppress(Exception):
                self.client.close()
