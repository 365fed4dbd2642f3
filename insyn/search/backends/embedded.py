"""The embedded search backend (the default): tantivy indexes in a directory, no server.

The index lives in ``<data_dir>/index/`` (layout in ``_tantivy_store``): generations
of two indexes each, all records and public records (restricted fields removed), and a
CURRENT file naming the generation in use.

Search is BM25 with field boosts (title > keywords > description > the rest), Swedish
stemming, compound words by stem prefix ("bygglov" finds "bygglovsansökningar"), typo
tolerance (edit distance 1 from five letters, 2 from eight), phrases, exact and prefix
diarienummer lookup, facet counts over all hits, and Python-side highlighting that
marks words the way the query matched them.

Writers (``bulk_upsert``, ``delete``, ``rebuild``, ``ensure_index``) take the lock file,
so one process writes at a time; readers in any process never wait for it. A reader
notices commits by other processes (meta.json changes) and a switched generation
(CURRENT changes) before each search. ``rebuild`` fills a new generation beside the
one in use and switches CURRENT only when it is complete, so searches never see an
empty or half-built index; the old generation is deleted after the switch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy

from insyn.search.backends._tantivy_schema import (
    SCHEMA_VERSION,
    Analyzers,
    Highlighter,
    QueryBuilder,
    build_schema,
    stored_document,
    stored_original,
    to_tantivy,
)
from insyn.search.backends._tantivy_store import (
    Generation,
    IndexDirectory,
    caller_documents,
    engine_errors,
)
from insyn.search.backends.base import (
    HIT_FIELDS,
    SearchHit,
    SearchRequest,
    SearchResult,
    TextPlan,
    correction_for,
    fuzzy_distance,
    plan_text,
    rank_suggestions,
    render_snippet,
)
from insyn.search.documents import DOCUMENT_VERSION, FACET_FIELDS
from insyn.search.errors import IndexingError, IndexMissingError

__all__ = ["EmbeddedBackend", "HeldWriter"]

_SUGGEST_CANDIDATES = 200
_DESCRIPTION_SNIPPET = 240
_TOTAL = " total"  # the aggregation that counts the records (no facet has a space)
# A search's facet counts and, when asked, its total.
Counted = tuple[dict[str, list[tuple[Any, int]]], int | None]


class EmbeddedBackend:
    """The tantivy backend; keeps its index in ``<data_dir>/<subdir>``."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        subdir: str = "index",
        writer_heap_bytes: int = 64_000_000,
        lock_timeout: float = 30.0,
    ) -> None:
        self.root = Path(data_dir) / subdir
        self._analyzers = Analyzers()
        # Facet counts run beside the building of the hits: tantivy releases the GIL, so on
        # a free core a search takes about the longer of the two instead of their sum.
        self._counters: tuple[int, ThreadPoolExecutor] | None = None
        self._counters_lock = threading.Lock()
        self._schema = build_schema()
        self._files = IndexDirectory(
            self.root,
            self._schema,
            self._analyzers,
            lock_timeout=lock_timeout,
            writer_heap_bytes=writer_heap_bytes,
        )

    def __repr__(self) -> str:
        return f"<EmbeddedBackend {self.root}>"

    # --- the contract --------------------------------------------------------------

    def ensure_index(self) -> bool:
        with self._files.writing(), engine_errors("skapas"):
            name = self._files.pointer()
            if name is None or not self._files.has_generation(name):
                new_name, _ = self._files.create_generation(DOCUMENT_VERSION)
                self._files.switch(new_name)
                return True
            generation = self._files.current()
            if generation.schema_version != SCHEMA_VERSION:
                # Same documents, new schema: copy them from the stored originals, streamed
                # (the old generation is only dropped once the new one is complete).
                self._rebuild_locked(
                    self._stored_documents(generation),
                    document_version=generation.document_version,
                )
                generation = self._files.current()
            if generation.document_version != DOCUMENT_VERSION:
                return True
            return generation.searcher("all").num_docs == 0

    def _stored_documents(self, generation: Generation) -> Iterator[dict[str, Any]]:
        searcher = generation.searcher("all")
        found = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1), count=False)
        for _, address in found.hits:
            yield stored_original(searcher.doc(address))

    def bulk_upsert(self, documents: Iterable[dict[str, Any]]) -> int:
        with self._files.writing(), engine_errors("uppdateras"):
            if self._files.pointer() is None:
                name, _ = self._files.create_generation(DOCUMENT_VERSION)
                self._files.switch(name)
            generation = self._files.current()
            writers = self._files.writers(generation)
            try:
                count, refused = self._add(writers, documents, replace=True)
            except BaseException:
                self._files.finish(writers, commit=False)
                raise
            self._files.finish(writers, commit=True)
            generation.reload()
            if refused:
                raise self._refused(refused)
            return count

    def _add(
        self,
        writers: dict[str, tantivy.IndexWriter],
        documents: Iterable[dict[str, Any]],
        *,
        replace: bool,
    ) -> tuple[int, list[str]]:
        """Add documents; return how many were added and the ids of those refused."""
        count = 0
        refused: list[str] = []
        for document in caller_documents(documents):
            record_id = document.get("id")
            if not isinstance(record_id, str) or not record_id:
                refused.append(str(record_id or ""))
                continue
            if not isinstance(document.get("is_public"), bool):
                # Without it the record's visibility is unknown: never guess.
                refused.append(record_id)
                continue
            if replace:
                for writer in writers.values():
                    writer.delete_documents_by_term("id", record_id)
            full, public = to_tantivy(document)
            if public is not None:
                writers["public"].add_document(public)
            writers["all"].add_document(full)
            count += 1
        return count, refused

    @staticmethod
    def _refused(refused: list[str]) -> IndexingError:
        return IndexingError(
            f"{len(refused)} indexdokument saknar id eller is_public och indexerades inte; "
            "bygg dem med index_document.",
            record_ids=refused,
        )

    @contextlib.contextmanager
    def holding(self) -> Iterator[HeldWriter | None]:
        """Hold the write lock and the index's writers for a long run of changes that
        ``HeldWriter.commit`` makes visible at once; left without a commit, nothing of them
        is. The writers are those ``ensure_index`` and then ``bulk_upsert`` or ``rebuild``
        would use: a new generation (switched in at the commit) where the index is missing
        or empty, else the one in use. None where the index holds documents of another
        schema or document version (``ensure_index`` copies or rebuilds them, the whole
        catalogue, which is the indexer's work).

        Raises:
            IndexLockedError: another writer holds the lock past ``lock_timeout``.
        """
        with self._files.writing(), engine_errors("uppdateras"):
            name = self._files.pointer()
            path: Path | None = None
            generation: Generation | None = None
            if name is not None and self._files.has_generation(name):
                generation = self._files.current()
                if (
                    generation.schema_version != SCHEMA_VERSION
                    or generation.document_version != DOCUMENT_VERSION
                ):
                    yield None
                    return
                if generation.searcher("all").num_docs == 0:
                    generation = None
            if generation is None:
                name, path = self._files.create_generation(DOCUMENT_VERSION)
            held = HeldWriter(self, self._files.writers(path or generation), name, path)
            try:
                yield held
            finally:
                if not held.committed:
                    self._files.finish(held.writers, commit=False)
                    if path is not None:
                        shutil.rmtree(path, ignore_errors=True)

    def delete(self, ids: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(i for i in ids if i))
        if not wanted:
            return 0
        with self._files.writing(), engine_errors("uppdateras"):
            if self._files.pointer() is None:
                return 0
            generation = self._files.current()
            searcher = generation.searcher("all")
            present = searcher.search(
                tantivy.Query.term_set_query(self._schema, "id", wanted), 1, count=True
            ).count
            writers = self._files.writers(generation)
            try:
                for record_id in wanted:
                    for writer in writers.values():
                        writer.delete_documents_by_term("id", record_id)
            except BaseException:
                self._files.finish(writers, commit=False)
                raise
            self._files.finish(writers, commit=True)
            generation.reload()
            return present

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        with self._files.writing(), engine_errors("byggas om"):
            return self._rebuild_locked(documents, document_version=DOCUMENT_VERSION)

    def _rebuild_locked(self, documents: Iterable[dict[str, Any]], *, document_version: int) -> int:
        name, path = self._files.create_generation(document_version)
        try:
            writers = self._files.writers(path)
            try:
                versions: list[int] = []

                def tracked() -> Iterator[dict[str, Any]]:
                    for document in documents:
                        versions.append(int(document.get("document_version", 0)))
                        yield document

                count, refused = self._add(writers, tracked(), replace=False)
                if refused:
                    raise self._refused(refused)
            except BaseException:
                self._files.finish(writers, commit=False)
                raise
            self._files.finish(writers, commit=True)
            self._files.write_meta(path, min(versions, default=document_version))
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._files.switch(name)
        return count

    def count(self, public_only: bool = True) -> int:
        with engine_errors("läsas"):
            try:
                if not public_only:
                    return self._files.searcher("all").num_docs
                searcher = self._files.searcher("public")
            except IndexMissingError:
                return 0
            query = tantivy.Query.term_query(self._schema, "is_public", True)
            return searcher.search(query, 1, count=True).count

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        query = request.validate()
        plan = plan_text(query)
        with engine_errors("läsas"):
            searcher = self._files.searcher("public" if request.public_only else "all")
            builder = QueryBuilder(
                self._schema, self._analyzers, public=request.public_only, searcher=searcher
            )
            # The same records, unranked: cheaper to count (facets, whether a word matches).
            counting = builder.counting()
            # Typo tolerance only for words the index does not know.
            unknown = frozenset(
                g.word
                for g in plan.groups
                if fuzzy_distance(g.word) and not builder.known(searcher, g.word)
            )
            order: dict[str, Any] = {}
            by_relevance = request.sort == "relevance" and query.has_text
            if request.sort == "title":
                order = {"order_by_field": "title_sort", "order": tantivy.Order.Asc}
            elif not by_relevance:
                order = {"order_by_field": "modified", "order": tantivy.Order.Desc}

            # A lagging index's hides (``exclude_ids``) cost a lookup of every id in every
            # query that leaves them out. With facets, the counting query leaves them out
            # and counts the total too; the ranked query does only when its page holds one
            # of them (leaving a record out changes no other record's score or place).
            lean = bool(request.exclude_ids and request.facets and not request.offset)
            excluded = frozenset(request.exclude_ids) if lean else frozenset()

            def rank(plan: TextPlan, *, exclude: bool) -> Any:
                built = builder.build(query, plan, request, unknown, exclude=exclude)
                return searcher.search(
                    built, request.page_size, count=True, offset=request.offset, **order
                )

            def documents(found: Any) -> list[dict[str, Any]]:
                return [stored_document(searcher, address) for _, address in found.hits]

            def run(plan: TextPlan) -> tuple[Future[Counted] | None, Any, list[dict[str, Any]]]:
                """Count the facets (in a thread) and rank; the hits' documents when lean."""
                counted = None
                if request.facets:
                    matching = counting.build(query, plan, request, unknown)
                    counted = self._facet_counter().submit(
                        self._facets, searcher, matching, request, total=lean
                    )
                found = rank(plan, exclude=not lean)
                shown = documents(found) if lean else []
                if lean and not excluded.isdisjoint(d.get("id") for d in shown):
                    found = rank(plan, exclude=True)
                    shown = documents(found)
                return counted, found, shown

            def total(counted: Future[Counted] | None, found: Any) -> int:
                counts = counted.result()[1] if lean and counted is not None else None
                return found.count if counts is None else counts

            # The facets of the words as typed are counted while the search runs; a search
            # that relaxes (few do) counts its relaxed words again.
            counted, found, shown = run(plan)
            strict_total: int | None = None
            # A full page means enough records match all words (the count can wait).
            if (
                plan.can_relax
                and len(found.hits) < request.page_size
                and (strict_total := total(counted, found)) < request.page_size
            ):
                # A compound's parts match alone only when no record holds it whole.
                split = [
                    g.word
                    for g in plan.compounds
                    if not searcher.search(
                        counting.group(g, typos=g.word in unknown), 1, count=True
                    ).count
                ]
                relaxed = plan.relax(split)
                if relaxed is not None:
                    counted, found, shown = run(relaxed)
            highlighter = (
                Highlighter(
                    self._analyzers,
                    plan.highlighted,
                    query.phrases,
                    fuzzy=unknown,
                    as_written=plan.highlighted_as_written,
                )
                if request.highlight
                else None
            )
            hits = [
                self._hit(document, key, by_relevance, highlighter)
                for document, (key, _) in zip(shown or documents(found), found.hits, strict=True)
            ]
            facets = counted.result()[0] if counted is not None else {}
            found_total = total(counted, found)
            if strict_total is None:
                strict_total = found_total
        return SearchResult(
            total=found_total,
            hits=hits,
            facets=facets,
            took_ms=(time.perf_counter() - started) * 1000,
            page=request.page,
            page_size=request.page_size,
            query=query,
            relaxed=found_total > strict_total,
            strict_total=strict_total,
            corrected_query=correction_for(query, sorted(unknown), hits),
        )

    @staticmethod
    def _hit(
        document: dict[str, Any], key: Any, by_relevance: bool, highlighter: Highlighter | None
    ) -> SearchHit:
        snippets: dict[str, str] = {}
        title = document.get("title", "")
        if highlighter is not None:
            description = document.get("description_sv") or document.get("description_en") or ""
            for name, text, size in (
                ("title", title, 0),
                ("description", description, _DESCRIPTION_SNIPPET),
            ):
                spans = highlighter.spans(text)
                if spans:
                    snippets[name] = render_snippet(text, spans, max_chars=size)
        return SearchHit(
            id=document.get("id", ""),
            title=title,
            score=float(key) if by_relevance and key is not None else None,
            kind=document.get("kind", ""),
            snippets=snippets,
            fields={name: document.get(name) for name in HIT_FIELDS},
        )

    @staticmethod
    def _facets(
        searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest, *, total: bool
    ) -> Counted:
        """Count the facets of the records ``query`` matches and, with ``total``, the
        records (every document has ``is_public``)."""
        aggregations: dict[str, Any] = {
            name: {
                "terms": {
                    "field": FACET_FIELDS[name],
                    "size": request.facet_size,
                    # Per-segment lists long enough that merged counts are exact.
                    "segment_size": max(65_000, request.facet_size),
                }
            }
            for name in request.facets
        }
        if total:
            aggregations[_TOTAL] = {"value_count": {"field": "is_public"}}
        answer = searcher.aggregate(query, aggregations)
        facets: dict[str, list[tuple[Any, int]]] = {}
        for name in request.facets:
            buckets = answer.get(name, {}).get("buckets", [])
            values = [
                (int(b["key"]) if name == "year" else b["key"], int(b["doc_count"]))
                for b in buckets
            ]
            facets[name] = sorted(values, key=lambda v: (-v[1], str(v[0])))
        return facets, int(answer[_TOTAL]["value"]) if total else None

    def suggest(
        self,
        prefix: str,
        *,
        public_only: bool = True,
        limit: int = 10,
        exclude_ids: Sequence[str] = (),
    ) -> list[str]:
        words = self._analyzers.tokens("lc", prefix)
        if not words or limit < 1:
            return []
        with engine_errors("läsas"):
            try:
                searcher = self._files.searcher("public" if public_only else "all")
            except IndexMissingError:
                return []
            schema = self._schema
            clauses = [
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, "suggest", w))
                for w in words[:-1]
            ]
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.fuzzy_term_query(
                        schema, "suggest", words[-1], distance=0, prefix=True
                    ),
                )
            )
            if public_only:
                clauses.append(
                    (tantivy.Occur.Must, tantivy.Query.term_query(schema, "is_public", True))
                )
            if exclude_ids:
                clauses.append(
                    (
                        tantivy.Occur.MustNot,
                        tantivy.Query.term_set_query(schema, "id", list(exclude_ids)),
                    )
                )
            found = searcher.search(
                tantivy.Query.boolean_query(clauses),
                _SUGGEST_CANDIDATES,
                count=False,
                order_by_field="title_sort",
                order=tantivy.Order.Asc,
            )
            candidates = [
                value
                for _, address in found.hits
                for value in stored_document(searcher, address).get("suggest", [])
            ]
        return rank_suggestions(prefix, candidates, limit)

    def _facet_counter(self) -> ThreadPoolExecutor:
        with self._counters_lock:
            # A forked process does not inherit the threads: it starts its own.
            if self._counters is None or self._counters[0] != os.getpid():
                pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="facets")
                self._counters = (os.getpid(), pool)
            return self._counters[1]

    def close(self) -> None:
        self._files.forget()
        with self._counters_lock:
            counters, self._counters = self._counters, None
        if counters is not None and counters[0] == os.getpid():
            counters[1].shutdown(wait=True)


class HeldWriter:
    """The writers ``EmbeddedBackend.holding`` holds: documents added and deleted here are
    seen by no search until ``commit``."""

    def __init__(
        self,
        backend: EmbeddedBackend,
        writers: dict[str, tantivy.IndexWriter],
        name: str,
        new_path: Path | None,
    ) -> None:
        self.backend = backend
        self.writers = writers
        self.name = name
        self.new_path = new_path
        self.committed = False
        self.added = 0
        self.refused: list[str] = []

    @property
    def rebuilding(self) -> bool:
        """Whether the writers fill a new generation (no record is in it before this run)."""
        return self.new_path is not None

    def add(self, documents: Iterable[dict[str, Any]], *, replace: bool) -> None:
        """Add documents; with ``replace``, each first removes what the index holds of its
        record (also a document added earlier through these writers)."""
        with engine_errors("uppdateras"):
            count, refused = self.backend._add(self.writers, documents, replace=replace)
        self.added += count
        self.refused.extend(refused)

    def delete(self, ids: Iterable[str]) -> None:
        with engine_errors("uppdateras"):
            for record_id in ids:
                for writer in self.writers.values():
                    writer.delete_documents_by_term("id", record_id)

    def commit(self) -> int:
        """Make every change visible at once (a new generation is switched in); return the
        documents added.

        Raises:
            IndexingError: some documents had no id or visibility (nothing is committed).
        """
        if self.refused:
            raise self.backend._refused(self.refused)
        files = self.backend._files
        with engine_errors("uppdateras"):
            files.finish(self.writers, commit=True)
            self.committed = True
            if self.new_path is not None:
                files.switch(self.name)
            else:
                files.current().reload()
        return self.added
