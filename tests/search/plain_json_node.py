"""A test-only transport node that speaks plain JSON to OpenSearch-compatible servers.

The official ``elasticsearch`` client sends ``application/vnd.elasticsearch+json;
compatible-with=N`` (and ``+x-ndjson``) in ``Accept`` and ``Content-Type``. osmem-server
answers the product check but refuses those media types with 406, so this node rewrites
them to plain ``application/json`` / ``application/x-ndjson`` before sending. Pass it as
``node_class=PlainJsonNode``. Production clusters do not need it.
"""

from __future__ import annotations

import re
from typing import Any

from elastic_transport import HttpHeaders, Urllib3HttpNode

_VENDOR = re.compile(r"application/vnd\.elasticsearch\+([a-z-]+)(\s*;\s*compatible-with=\d+)?")


def _plain(value: str) -> str:
    return _VENDOR.sub(lambda m: f"application/{m.group(1)}", value)


class PlainJsonNode(Urllib3HttpNode):
    """``Urllib3HttpNode`` that replaces vendor media types with the plain ones."""

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        **kwargs: Any,
    ) -> Any:
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = _plain(headers[name])
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)
