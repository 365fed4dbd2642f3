"""Search backends behind one contract (``base.SearchBackend``).

``embedded.EmbeddedBackend`` (tantivy, the default) and
``elasticsearch.ElasticsearchBackend`` are imported from their modules, so that using
one never imports the other's library.
"""

from insyn.search.backends.base import (
    FACETS,
    SORTS,
    SearchBackend,
    SearchHit,
    SearchRequest,
    SearchResult,
)

__all__ = ["FACETS", "SORTS", "SearchBackend", "SearchHit", "SearchRequest", "SearchResult"]
