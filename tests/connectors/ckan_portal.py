"""A fake CKAN portal on the real local HTTP server, serving recorded real CKAN data.

The packages are the ten of a real ``package_search`` answer of data.birmingham.gov.uk
and three ckanext-dcat package dicts, completed with what CKAN itself adds (``id``,
``metadata_modified`` …). The portal pages over them like CKAN (``rows``/``start``,
``count``, the ``sort`` Insyn asks for, ``fq`` on organisation, tags and
``metadata_modified``), answers ``organization_list`` in pages, keeps private packages for
the holder of its API key, and breaks chosen requests: a ``Reply`` of one's own (500,
malformed JSON, ``success: false``), a delay, or a reset connection.
"""

from __future__ import annotations

import copy
import json
import re
import socket
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from tests.conftest import shared_file
from tests.support.http import LocalServer, Reply, Request

API = "/api/3/action/"
DCAT_EXAMPLES = (
    "ckan_dataset.json",
    "ckan_full_dataset_dcat_ap.json",
    "ckan_full_dataset_dcat_ap_vocabularies.json",
)
# When each example was last changed: the last two at the same time, as a portal's
# batch update does, so that incremental runs meet a boundary.
DCAT_MODIFIED = (
    "2024-05-01T09:30:00.000001",
    "2024-05-02T09:30:00.250002",
    "2024-05-02T09:30:00.250002",
)


def birmingham_packages() -> list[dict[str, Any]]:
    """The ten packages of the recorded data.birmingham.gov.uk answer, as CKAN sent them."""
    path = shared_file("ckan/api-responses/package_search.json")
    return json.loads(path.read_text(encoding="utf-8"))["result"]["results"]


def ckanext_dcat_packages() -> list[dict[str, Any]]:
    """ckanext-dcat's example package dicts with the fields CKAN adds to every package."""
    packages = []
    for number, name in enumerate(DCAT_EXAMPLES, start=1):
        package = json.loads(shared_file(f"ckan/ckanext-dcat/examples/ckan/{name}").read_text())
        stem = name.removesuffix(".json").replace("_", "-")
        package.setdefault("id", str(uuid.uuid5(uuid.NAMESPACE_URL, f"ckanext-dcat/{name}")))
        # Both "full" examples are called test-dataset-shacl; a portal's names are unique.
        package["name"] = stem
        package.setdefault("metadata_created", f"2024-05-0{number}T08:00:00.000000")
        package.setdefault("metadata_modified", DCAT_MODIFIED[number - 1])
        package.setdefault("state", "active")
        package.setdefault("private", False)
        package.setdefault("type", "dataset")
        packages.append(package)
    return packages


def portal_packages() -> list[dict[str, Any]]:
    return birmingham_packages() + ckanext_dcat_packages()


def _order(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", ""))


@dataclass
class Call:
    """A request the portal received: the action, its arguments, headers and when."""

    action: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


Fault = Callable[[Call], Reply | None]


@dataclass
class FakeCkan:
    server: LocalServer
    packages: list[dict[str, Any]]
    api_key: str | None = None
    org_page_limit: int | None = 25  # None: an old CKAN that ignores limit/offset
    calls: list[Call] = field(default_factory=list)
    faults: list[tuple[Callable[[Call], bool], Fault]] = field(default_factory=list)
    resets: list[Callable[[Call], bool]] = field(default_factory=list)
    before_search: Callable[[FakeCkan, Call], None] | None = None

    def __post_init__(self) -> None:
        self.server.route(API + "package_search", self._package_search)
        self.server.route(API + "organization_list", self._organization_list)
        self._install_resets()

    @property
    def url(self) -> str:
        return self.server.base_url

    def searches(self) -> list[Call]:
        return [call for call in self.calls if call.action == "package_search"]

    def package(self, name: str) -> dict[str, Any]:
        return next(p for p in self.packages if p["name"] == name)

    def fail(self, when: Callable[[Call], bool], fault: Reply | Fault) -> None:
        """Answer requests that ``when`` accepts with ``fault`` (a Reply, or a function)."""
        self.faults.append((when, fault if callable(fault) else (lambda _call, r=fault: r)))

    def reset(self, when: Callable[[Call], bool]) -> None:
        """Reset the connection (TCP RST) of requests that ``when`` accepts."""
        self.resets.append(when)

    # --- the actions ---------------------------------------------------------------------

    def _call(self, request: Request, action: str) -> Call:
        params = {key: values[0] for key, values in parse_qs(request.query).items()}
        call = Call(action, params, request.headers, time.monotonic())
        self.calls.append(call)
        return call

    def _fault(self, call: Call) -> Reply | None:
        for when, fault in self.faults:
            if when(call) and (reply := fault(call)) is not None:
                return reply
        return None

    def _authorised(self, call: Call) -> bool:
        return bool(self.api_key) and call.headers.get("authorization") == self.api_key

    def _package_search(self, request: Request) -> Reply:
        call = self._call(request, "package_search")
        if self.before_search is not None:
            self.before_search(self, call)
        if (reply := self._fault(call)) is not None:
            return reply
        params = call.params
        listing = [p for p in self.packages if self._matches(p, params.get("fq", ""))]
        if params.get("include_deleted") != "true":
            listing = [p for p in listing if p.get("state") != "deleted"]
        if params.get("include_private") != "true" or not self._authorised(call):
            listing = [p for p in listing if not p.get("private")]
        assert params.get("sort") == "metadata_modified asc, id asc", params.get("sort")
        listing.sort(key=lambda p: (_order(p["metadata_modified"]), p.get("id", "")))
        start, rows = int(params.get("start", 0)), int(params.get("rows", 10))
        return _json(
            {
                "help": self.url + API + "help_show?name=package_search",
                "success": True,
                "result": {
                    "count": len(listing),
                    "sort": params["sort"],
                    "facets": {},
                    "results": copy.deepcopy(listing[start : start + rows]),
                    "search_facets": {},
                },
            }
        )

    @staticmethod
    def _matches(package: dict[str, Any], fq: str) -> bool:
        for name in re.findall(r"organization:([\w-]+)", fq):
            if (package.get("organization") or {}).get("name") != name:
                return False
        for tag in re.findall(r'tags:"?([^")]+)"?', fq):
            if tag not in {t.get("name") for t in package.get("tags") or []}:
                return False
        for since in re.findall(r"metadata_modified:\[(\S+) TO \*\]", fq):
            # Solr keeps milliseconds: compare at that precision, inclusive.
            stamp = _order(package["metadata_modified"])
            stamp = stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)
            if stamp < _order(since):
                return False
        return True

    def organisations(self) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for package in self.packages:
            org = package.get("organization")
            if isinstance(org, dict) and org.get("id"):
                found.setdefault(org["id"], org)
        found["kommun"] = {
            "id": "kommun",
            "name": "exempelby-kommun",
            "title": "Exempelby kommun",
            "display_name": "Exempelby kommun",
            "is_organization": True,
            "state": "active",
        }
        return sorted(found.values(), key=lambda org: org["name"])

    def _organization_list(self, request: Request) -> Reply:
        call = self._call(request, "organization_list")
        if (reply := self._fault(call)) is not None:
            return reply
        orgs = self.organisations()
        if self.org_page_limit is not None:
            offset = int(call.params.get("offset", 0))
            limit = min(int(call.params.get("limit", self.org_page_limit)), self.org_page_limit)
            orgs = orgs[offset : offset + limit]
        return _json({"help": "", "success": True, "result": orgs})

    # --- connection resets -------------------------------------------------------------------

    def _install_resets(self) -> None:
        """Swap in a request handler that can end a connection with a TCP RST."""
        httpd = self.server._server
        assert httpd is not None
        base = httpd.RequestHandlerClass
        fake = self

        class ResettingHandler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path.startswith(API):
                    params = {k: v[0] for k, v in parse_qs(query).items()}
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    call = Call(path.removeprefix(API), params, headers, time.monotonic())
                    if any(when(call) for when in fake.resets):
                        fake.calls.append(call)
                        self.connection.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        self.close_connection = True
                        self.rfile.close()
                        self.connection.close()
                        return
                super().do_GET()

        httpd.RequestHandlerClass = ResettingHandler


def _json(body: Any) -> Reply:
    return Reply(
        200,
        json.dumps(body, ensure_ascii=False).encode(),
        {"Content-Type": "application/json;charset=utf-8"},
    )
