"""Index lag never shows the public a record the catalogue now hides or masks.

Public records are made internal, secret-marked and deleted by a harvest, and every
public route is asked at once, before the indexer has caught up: search (hits, totals,
facets), suggestions, the pages, the CKAN API, the feeds and the record API forget the
internal and deleted ones and show the secret-marked ones only masked (in the feed, by
their IRI; never by their title). After the catch-up that holds; made public again, they
come back. Data that is not public, its description public, is listed throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.documents import index_document, public_view
from insyn.search.indexer import Indexer
from insyn.search.lag import unindexed_hides
from insyn.settings import load_settings
from insyn.vocab.model import Dataset
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from tests.support.catalogues import PREFIXES

BASE = "https://data.zebrafink.example/dataset/"
PUBLIC = "<http://publications.europa.eu/resource/authority/access-right/PUBLIC>"
NON_PUBLIC = "<http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC>"


def catalogue_ttl(states: dict[str, str]) -> str:
    """One dataset per name; state: public, secret (names an OSL provision), non-public
    (its data), internal (its description, and non-public data), gone."""
    body = []
    for name, state in states.items():
        if state == "gone":
            continue
        access = NON_PUBLIC if state in ("non-public", "internal") else PUBLIC
        provision = ' ;\n    insyn:secrecyProvision "39 kap. 3 § OSL"' if state == "secret" else ""
        if state == "internal":
            provision = ' ;\n    insyn:descriptionVisibility "internal"'
        body.append(
            f"<{BASE}{name}> a dcat:Dataset ;\n"
            f'    dcterms:title "Zebrafinkar {name}"@sv ;\n'
            f'    dcterms:description "Räkning av zebrafinkar, {name}."@sv ;\n'
            f"    dcterms:accessRights {access}{provision} ."
        )
    return PREFIXES + "\n\n".join(body) + "\n"


NAMES = ("alfa", "beta", "gamma", "delta")


class Site:
    def __init__(self, work: Path) -> None:
        self.file = work / "zebra.ttl"
        self.settings = load_settings(home=work, base_url="http://testserver")
        self.catalogue = Catalogue(self.settings.catalogue_url)
        self.backend = EmbeddedBackend(work / "search")
        self.indexer = Indexer(self.catalogue, self.backend)
        self.catalogue.add_source("zebra", "dcat", str(self.file), {})
        app = create_app(
            self.settings,
            catalogue=self.catalogue,
            backend=self.backend,
            config=WebConfig(rate_limit_per_minute=0),
        )
        self.client = TestClient(app, base_url="http://testserver")

    def harvest(self, states: dict[str, str]) -> None:
        self.file.write_text(catalogue_ttl(states), encoding="utf-8")
        summary = harvest_source(self.catalogue, "zebra", allow_deletions=True, full=True)
        assert summary.status == "completed", summary.error

    def seen(self) -> dict[str, object]:
        """What each public route says about the zebra finches."""
        search = self.client.get("/api/search", params={"q": "zebrafinkar", "facets": "format"})
        assert search.status_code == 200
        found = search.json()
        suggest = self.client.get("/api/suggest", params={"q": "zebrafink"}).json()
        ckan = self.client.get("/api/3/action/package_search", params={"q": "zebrafinkar"}).json()
        page = self.client.get("/sok", params={"q": "zebrafinkar"}).text
        feed = self.client.get("/catalog.ttl").text
        return {
            "search": sorted(hit["title"] for hit in found["hits"]),
            "total": found["total"],
            "suggest": sorted(suggest["suggestions"]),
            "ckan": ckan["result"]["count"],
            "page": sorted(name for name in NAMES if f"</mark> {name}</a>" in page),
            "feed": sorted(name for name in NAMES if f"{BASE}{name}" in feed),
        }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    made = Site(tmp_path)
    yield made
    made.backend.close()
    made.catalogue.close()


def shown(names: list[str], masked: tuple[str, ...] = ()) -> dict[str, object]:
    """What the routes say when ``names`` are shown and ``masked`` are secret-marked: those
    are in the feed by their IRI only, never found by a word of their title."""
    titles = sorted(f"Zebrafinkar {name}" for name in names)
    return {
        "search": titles,
        "total": len(names),
        "suggest": titles,
        "ckan": len(names),
        "page": sorted(names),
        "feed": sorted([*names, *masked]),
    }


def test_hides_apply_on_every_route_before_the_index_catches_up(site: Site) -> None:
    site.harvest(dict.fromkeys(NAMES, "public"))
    site.indexer.catch_up()
    assert site.seen() == shown(list(NAMES))

    # secret-marked, internal and deleted at the source; the index has not caught up
    site.harvest({"alfa": "public", "beta": "secret", "gamma": "internal", "delta": "gone"})
    assert site.indexer.lag() > 0
    assert site.seen() == shown(["alfa"], masked=("beta",))

    site.indexer.catch_up()
    assert unindexed_hides(site.catalogue) == []
    assert site.seen() == shown(["alfa"], masked=("beta",))

    # public again: back once the index has the public form
    site.harvest(dict.fromkeys(NAMES, "public"))
    site.indexer.catch_up()
    assert site.seen() == shown(list(NAMES))

    # secret and internal once more: masked and gone at once again; data that is not
    # public stays listed
    site.harvest({"alfa": "secret", "beta": "public", "gamma": "non-public", "delta": "internal"})
    assert site.seen() == shown(["beta", "gamma"], masked=("alfa",))


def test_the_public_copy_is_keyed_by_the_unmasked_record_id() -> None:
    # 8112289874 is a valid personnummer: an id holding it must still key the public copy
    record_id = "0000000000000000000008112289874"
    record = Dataset(title={"sv": "Parkbänkar"})
    document = index_document(record_id, record, publisher_name=None, owner_name=None, source="s")
    assert public_view(document)["id"] == record_id
    by_hand = {"id": record_id, "title": "Ring 811228-9874", "is_public": True}
    assert public_view(by_hand) == {**by_hand, "title": "Ring ÅÅMMDD-XXXX"}


def test_searches_step_the_lagging_hides_once_per_change(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Searches in a row while the index lags ask for the hides once, and again only when
    # the change log or the index moves, and then read only the changes since.
    from insyn.search import lag

    site.harvest(dict.fromkeys(NAMES, "public"))
    site.indexer.catch_up()
    reads: list[tuple[int, int]] = []
    changed = lag._changed

    def counted(session: object, after: int, upto: int) -> dict[str, int]:
        reads.append((after, upto))
        return changed(session, after, upto)  # type: ignore[arg-type]

    monkeypatch.setattr(lag, "_changed", counted)
    assert site.seen() == shown(list(NAMES))
    position = site.catalogue.last_change_seq()
    assert reads == [(position, position)]  # no lag: nothing to read

    site.harvest({"alfa": "public", "beta": "public", "gamma": "internal", "delta": "gone"})
    for _ in range(3):
        assert site.seen()["search"] == ["Zebrafinkar alfa", "Zebrafinkar beta"]
    first = site.catalogue.last_change_seq()
    assert reads[1:] == [(position, first)]

    site.harvest({"alfa": "public", "beta": "internal", "gamma": "internal", "delta": "gone"})
    assert site.seen()["search"] == ["Zebrafinkar alfa"]
    assert reads[2:] == [(first, site.catalogue.last_change_seq())]


@pytest.fixture
def lag_catalogue(catalogue_url: str) -> Iterator[Catalogue]:
    catalogue = Catalogue(catalogue_url)
    yield catalogue
    catalogue.close()


# Every record public, then each in another state (epsilon: non-public data, public text).
_ALL_PUBLIC = dict.fromkeys((*NAMES, "epsilon"), "public")
_CHANGED = {
    "alfa": "public",
    "beta": "secret",
    "gamma": "internal",
    "delta": "gone",
    "epsilon": "non-public",
}


def _zebra_harvester(catalogue: Catalogue, tmp_path: Path) -> Callable[[dict[str, str]], None]:
    """A source "zebra" whose file is written in the given states and harvested in full."""
    file = tmp_path / "zebra.ttl"
    catalogue.add_source("zebra", "dcat", str(file), {})

    def harvest(states: dict[str, str]) -> None:
        file.write_text(catalogue_ttl(states), encoding="utf-8")
        summary = harvest_source(catalogue, "zebra", allow_deletions=True, full=True)
        assert summary.status == "completed", summary.error

    return harvest


def _ids_by_name(catalogue: Catalogue) -> dict[str, str]:
    return {row.data["title"]["sv"].split()[-1]: row.id for row in catalogue.iter_records()}


def test_the_lagging_hides_are_the_changed_records_now_hidden_or_masked(
    lag_catalogue: Catalogue, tmp_path: Path
) -> None:
    # The guard looks the changed records up by key; asked as one statement, the planner
    # walked every stored record (20 s per search at 1,000,000 records).
    catalogue = lag_catalogue
    harvest = _zebra_harvester(catalogue, tmp_path)
    backend = EmbeddedBackend(tmp_path / "search")
    try:
        harvest(_ALL_PUBLIC)
        Indexer(catalogue, backend).catch_up()
        ids = _ids_by_name(catalogue)
        assert unindexed_hides(catalogue) == []
        harvest(_CHANGED)
        hidden = {ids[name] for name in ("beta", "gamma", "delta")}
        assert sorted(unindexed_hides(catalogue)) == sorted(hidden)
        Indexer(catalogue, backend).catch_up()
        assert unindexed_hides(catalogue) == []
    finally:
        backend.close()


def test_a_page_of_hits_keeps_the_records_each_viewer_may_see(
    lag_catalogue: Catalogue, tmp_path: Path
) -> None:
    # visible_ids reads the visibility rule as a column of the page's rows, looked up by
    # key: the public keeps the shown and the masked, staff every live record.
    from insyn.web.access import ANONYMOUS, Principal, Role
    from insyn.web.queries import visible_ids

    catalogue = lag_catalogue
    harvest = _zebra_harvester(catalogue, tmp_path)
    harvest(_ALL_PUBLIC)
    ids = _ids_by_name(catalogue)
    harvest(_CHANGED)
    page = [*ids.values(), "no-such-record"]
    shown = visible_ids(catalogue, ANONYMOUS, page)
    assert shown == {ids[name] for name in ("alfa", "beta", "epsilon")}
    staff = visible_ids(catalogue, Principal(role=Role.REGISTRAR), page)
    assert staff == {ids[name] for name in ("alfa", "beta", "gamma", "epsilon")}
    assert visible_ids(catalogue, ANONYMOUS, []) == set()


def test_the_kept_hides_let_a_catalogue_go(tmp_path: Path) -> None:
    # One kept list per catalogue, by a weak key: it must not hold the catalogue itself.
    import gc
    import weakref

    from insyn.web import searching

    catalogue = Catalogue(f"sqlite:///{tmp_path / 'insyn.sqlite3'}")
    assert searching.lagging_hides(catalogue) == ()
    assert catalogue in searching._HIDES
    gone = weakref.ref(catalogue)
    catalogue.close()
    del catalogue
    gc.collect()
    assert gone() is None
