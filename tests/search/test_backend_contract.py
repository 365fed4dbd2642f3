"""One contract, every backend: the same cases run against each engine (see conftest.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from insyn.search.backends.base import SearchBackend, SearchRequest, SearchResult
from insyn.search.documents import FACET_FIELDS, title_sort_key
from insyn.search.errors import IndexingError, IndexMissingError, InvalidSearchRequest
from tests.search.fixtures import (
    MASKED_IDS,
    NON_PUBLIC_IDS,
    PUBLIC_IDS,
    documents,
    public_documents,
)

ALL_FACETS = list(FACET_FIELDS)


@pytest.fixture
def loaded(backend: SearchBackend) -> SearchBackend:
    assert backend.bulk_upsert(documents()) == len(documents())
    return backend


def ids(result: SearchResult) -> set[str]:
    return {hit.id for hit in result.hits}


def find(backend: SearchBackend, text: str, **options: Any) -> set[str]:
    options.setdefault("page_size", 200)
    return ids(backend.search(SearchRequest(text, **options)))


def whole(backend: SearchBackend, text: str, **options: Any) -> set[str]:
    """Return the records that match the whole query, not the relaxed ones after them
    (a compound no record holds splits into its parts: "skolenheter" → "skol…")."""
    options.setdefault("page_size", 200)
    result = backend.search(SearchRequest(text, **options))
    strict = result.strict_total if result.relaxed else len(result.hits)
    return {hit.id for hit in result.hits[:strict]}


def expected_facets(docs: list[dict[str, Any]]) -> dict[str, list[tuple[Any, int]]]:
    """Facet counts computed from the documents themselves."""
    facets: dict[str, list[tuple[Any, int]]] = {}
    for name, field in FACET_FIELDS.items():
        counter: Counter[Any] = Counter()
        for doc in docs:
            value = doc.get(field)
            values = value if isinstance(value, list) else [value]
            counter.update({v for v in values if v not in (None, "")})
        facets[name] = sorted(counter.items(), key=lambda v: (-v[1], str(v[0])))
    return facets


# --- index lifecycle ---------------------------------------------------------------------


def test_before_the_index_exists(make_backend: Any) -> None:
    backend = make_backend()
    with pytest.raises(IndexMissingError):
        backend.search(SearchRequest("skola"))
    assert backend.count() == 0
    assert backend.suggest("sk") == []
    assert backend.delete(["ds-skolenheter"]) == 0
    assert backend.bulk_upsert(documents()[:1]) == 1  # the first write creates it
    assert backend.ensure_index() is False
    assert backend.count() == 1


def test_ensure_index_reports_when_a_full_load_is_needed(make_backend: Any) -> None:
    backend = make_backend()
    assert backend.ensure_index() is True  # new and empty
    backend.bulk_upsert(documents()[:2])
    assert backend.ensure_index() is False  # current and filled
    assert backend.count() == 2


def test_upsert_then_find_and_replace(backend: SearchBackend) -> None:
    docs = documents()
    backend.bulk_upsert(docs)
    assert "ds-skolenheter" in find(backend, "skolenheter")
    changed = dict(next(d for d in docs if d["id"] == "ds-skolenheter"))
    changed.update(title="Grundskolor i kommunen", title_sv="Grundskolor i kommunen")
    # The document of the changed record, compound parts included (documents.py).
    changed.update(description_sv="Förteckning över grundskolor.", keywords=[])
    changed.update(parts=["grund", "skolor"])
    assert backend.bulk_upsert([changed]) == 1
    assert "ds-skolenheter" in find(backend, "grundskolor")
    # The old title no longer matches; "grundskolor" shares only the part "skol" with it,
    # so the record may follow among relaxed matches, never as a match of the whole word.
    old_title = backend.search(SearchRequest("skolenheter", page_size=200))
    assert old_title.strict_total == 0
    assert "ds-skolenheter" not in find(backend, "adress")
    assert backend.count(public_only=False) == len(docs)


def test_count(loaded: SearchBackend) -> None:
    assert loaded.count() == len(PUBLIC_IDS)
    assert loaded.count(public_only=False) == len(PUBLIC_IDS) + len(NON_PUBLIC_IDS)


# --- matching ------------------------------------------------------------------------------

BYGGLOV_FORMS = {"ds-bygglov-2023", "ds-bygglovet-eken", "ds-bygglovs-handlaggning"}


@pytest.mark.parametrize("text", ["bygglov", "bygglovet", "bygglovs", "Bygglov"])
def test_swedish_inflections_find_each_other(loaded: SearchBackend, text: str) -> None:
    assert find(loaded, text) >= BYGGLOV_FORMS


def test_compound_words_found_by_their_first_part(loaded: SearchBackend) -> None:
    assert "ds-bygglovsansokningar" in find(loaded, "bygglov")
    assert "ds-skolenheter" in find(loaded, "skolenhet")


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("bygglv", "ds-bygglov-2023"),
        ("skolenhter", "ds-skolenheter"),
        ("skolenheer", "ds-skolenheter"),
        ("vattenprovr", "ds-badplatser"),
        ("detaljplanr", "api-detaljplaner"),
    ],
)
def test_typos_are_forgiven(loaded: SearchBackend, typo: str, expected: str) -> None:
    assert expected in find(loaded, typo)


def test_short_words_codes_and_numbers_match_exactly(loaded: SearchBackend) -> None:
    assert "ds-bygglovsansokningar" in find(loaded, "lov")
    assert find(loaded, "låv") == set()  # four letters or fewer: no typos
    assert find(loaded, "2015") == {"ds-bygglovsansokningar"}
    assert find(loaded, "2016") == set()
    assert find(loaded, "x" * 500) == set()
    assert find(loaded, '"' + "x" * 500 + '"') == set()


def test_all_words_must_match(loaded: SearchBackend) -> None:
    all_words = {"ds-bygglovet-eken", "case-bn-2024-123", "doc-bn-2024-123-4"}
    # A page full of records that match all words: nothing else.
    full = loaded.search(SearchRequest("bygglov eken", page_size=3))
    assert ids(full) == all_words
    assert full.total == 3 and not full.relaxed
    # Fewer than a page: records that match some of the words follow, and the result says so.
    result = loaded.search(SearchRequest("bygglov eken", page_size=200))
    assert {hit.id for hit in result.hits[:3]} == all_words
    assert result.strict_total == 3 and result.relaxed and result.total > 3
    assert ids(result) - all_words <= find(loaded, "bygglov") | find(loaded, "eken")
    # Stop words do not have to appear.
    assert "ds-skolenheter" in find(loaded, "skolenheter i och för kommunen")


def test_phrase(loaded: SearchBackend) -> None:
    found = find(loaded, '"beviljade bygglov"')
    assert "ds-bygglov-2023" in found
    # Both words, but not together in that order.
    assert "case-bn-2024-123" not in found
    assert "case-bn-2024-123" in find(loaded, "beviljade bygglov")


def test_exclusion(loaded: SearchBackend) -> None:
    found = find(loaded, "bygglov -kvarteret")
    assert "ds-bygglovet-eken" not in found
    assert "ds-bygglov-2023" in found
    assert "ds-bygglov-2023" not in find(loaded, 'bygglov -"beviljade bygglov"')


def test_title_ranks_above_description(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("vattenprover"))
    assert result.hits[0].id == "ds-badplatser"
    assert result.hits[0].score is not None and result.hits[0].score > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tema:utbildning", {"ds-skolenheter"}),
        ("tema:EDUC", {"ds-skolenheter"}),
        ("tema:hälsa", {"ds-badplatser"}),
        ("format:geojson", {"ds-skolenheter", "ds-vatten-avlopp"}),
        ("bygglov format:json", {"ds-bygglovsansokningar"}),
        ('utgivare:"Miljö- och hälsoskyddsförvaltningen"', {"ds-badplatser", "ds-vatten-avlopp"}),
        ("utgivare:miljö", {"ds-badplatser", "ds-vatten-avlopp"}),
        ("ägare:kommunstyrelsen", {"case-ks-2024-45", "case-ks-2023-12", "case-ks-2024-46"}),
        (
            "typ:ärende utgivare:kommunledningskontoret",
            # KS 2024/46 is secret-marked: its diarium entry is public, masked.
            {"case-ks-2024-45", "case-ks-2023-12", "case-ks-2024-46"},
        ),
        ("typ:datatjänst", {"api-detaljplaner"}),
        ("år:2022", {"ds-badplatser"}),
        ("tema:GOVE år:2023..2023", {"ds-bygglovet-eken", "ds-bygglovs-handlaggning"}),
        # Restricted data is listed; the secret-marked dataset (GOVE) is too, masked.
        (
            "typ:dataset -tema:GOVE -tema:EDUC",
            {"ds-badplatser", "ds-vatten-avlopp", "ds-lonestatistik"},
        ),
        ("tema:ENVI tema:EDUC", {"ds-badplatser", "ds-vatten-avlopp", "ds-skolenheter"}),
    ],
)
def test_field_filters(loaded: SearchBackend, text: str, expected: set[str]) -> None:
    assert find(loaded, text) == expected


def test_request_filters(loaded: SearchBackend) -> None:
    assert find(loaded, "", filters={"theme": ["EDUC", "ENVI"], "format": ["CSV"]}) == {
        "ds-skolenheter",
        "ds-badplatser",
    }
    assert find(loaded, "", filters={"publisher": ["Utbildningsförvaltningen"]}) == {
        "ds-skolenheter"
    }
    assert find(loaded, "", filters={"year": [2022]}) == {"ds-badplatser"}
    assert find(loaded, "", filters={"kind": ["document"]}) == {"doc-bn-2024-123-4"}
    assert find(loaded, "", filters={"licence": ["CC_BY_4_0"]}) == {"ds-bygglovet-eken"}
    assert find(loaded, "", filters={"diarienummer": ["KS.2024.045"]}) == {"case-ks-2024-45"}


def test_date_range(loaded: SearchBackend) -> None:
    found = find(loaded, "", modified_from=date(2024, 3, 1), modified_to=date(2024, 4, 2))
    assert found == {"api-detaljplaner", "case-ks-2024-45", "ds-bygglovsansokningar"}


# --- facets, paging, sorting, highlighting ---------------------------------------------------


def test_facet_counts_are_exact_over_all_hits(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("", facets=ALL_FACETS, page_size=1))
    assert result.total == len(PUBLIC_IDS)
    assert len(result.hits) == 1
    assert result.facets == expected_facets(public_documents())


def test_facet_counts_follow_the_query(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("bygglov", facets=ALL_FACETS, page_size=2))
    every = loaded.search(SearchRequest("bygglov", page_size=200))
    assert every.total == result.total == len(every.hits)
    hit_ids = ids(every)
    assert result.facets == expected_facets([d for d in documents() if d["id"] in hit_ids])


def test_paging(loaded: SearchBackend) -> None:
    seen: list[str] = []
    totals = set()
    for page in range(1, 10):
        result = loaded.search(SearchRequest("", page=page, page_size=4, sort="title"))
        totals.add(result.total)
        seen += [hit.id for hit in result.hits]
    assert totals == {len(PUBLIC_IDS)}
    assert len(seen) == len(set(seen)) == len(PUBLIC_IDS)


def test_sort_by_modified(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("", sort="modified", page_size=200))
    dates = [hit.fields["modified"] for hit in result.hits]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True)
    assert dates[-1] is None  # no date: last
    assert result.hits[0].id == "case-bn-2024-1234"


def test_sort_by_title_in_swedish_order(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("", sort="title", page_size=200))
    titles = [hit.title for hit in result.hits]
    assert titles[0] == "Ansökan om bygglov för nybyggnad av enbostadshus"
    assert titles == sorted(titles, key=title_sort_key)


def test_highlight(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("vattenprover"))
    hit = next(h for h in result.hits if h.id == "ds-badplatser")
    assert hit.snippets["title"] == "Badplatser och <mark>vattenprover</mark>"
    assert "<mark>vattenprover</mark>" in hit.snippets["description"]
    compound = loaded.search(SearchRequest("bygglov"))
    marked = {h.id: h.snippets.get("title", "") for h in compound.hits}
    assert "<mark>Bygglovsansökningar</mark>" in marked["ds-bygglovsansokningar"]
    assert "<mark>Bygglovet</mark>" in marked["ds-bygglovet-eken"]


def test_highlight_escapes_html(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("ledningsnät"))
    (hit,) = result.hits
    assert hit.snippets["title"] == "Vatten &amp; avlopp &lt;<mark>ledningsnät</mark>&gt;"
    assert "<" not in hit.title.replace("<ledningsnät>", "")


def test_no_highlight_when_not_asked(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("vattenprover", highlight=False))
    assert result.hits[0].snippets == {}


def test_suggest(loaded: SearchBackend) -> None:
    suggestions = loaded.suggest("bygg")
    assert "Beviljade bygglov 2023" in suggestions
    assert "Bygglovsansökningar per månad" in suggestions
    assert loaded.suggest("skolen") == ["Skolenheter i kommunen"]
    assert loaded.suggest("Upphandling av sk") == ["Upphandling av skolskjuts"]
    assert len(loaded.suggest("b", limit=3)) == 3
    assert loaded.suggest("   ") == []


# --- the public never sees an internal record, a secret-marked one only masked ----------------

PROBES = [
    "",
    "bygglov",
    "bygglovsarkiv",
    "skyddade boenden",
    "zebrafinkar",
    "kanarieblomster",
    "orosanmälningar",
    "sekretessbelagt",
    "hemlig",
    "personuppgifter",
    "KS 2024/46",
    "KS 2024/",
    "diarienummer:KS",
    "utgivare:socialförvaltningen",
    "tema:SOCI",
    "format:xml",
    "ägare:socialnämnden",
    "typ:ärende",
    "bygglov -eken",
    '"skyddat boende"',
]


@pytest.mark.parametrize("text", PROBES)
def test_public_search_never_returns_internal(loaded: SearchBackend, text: str) -> None:
    result = loaded.search(SearchRequest(text, facets=ALL_FACETS, page_size=200))
    assert ids(result) <= PUBLIC_IDS
    values = {str(v) for facet in result.facets.values() for v, _ in facet}
    assert "Socialförvaltningen" not in values and "SOCI" not in values
    # Every facet value is one the public partition holds: nothing of an internal record
    # and nothing a secret-marked record shows only unmasked (its formats, licences).
    public = {str(v) for facet in expected_facets(public_documents()).values() for v, _ in facet}
    assert values <= public
    # A secret-marked record is found only in its masked form.
    masked = {d["id"]: d["title"] for d in public_documents() if d["id"] in MASKED_IDS}
    for hit in result.hits:
        if hit.id in masked:
            assert hit.title == masked[hit.id] and "kanarieblomster" not in str(hit.snippets)


def test_a_secret_marked_dataset_is_listed_masked(loaded: SearchBackend) -> None:
    masked = "Uppgift omfattas av sekretess enligt 26 kap. 1 § OSL"
    assert find(loaded, "kanarieblomster") == set()
    assert find(loaded, "orosanmälningar") == set()
    assert loaded.suggest("kanarie") == [] and loaded.suggest("oros") == []
    assert find(loaded, "format:xml") == set()  # its distributions are not shown
    result = loaded.search(SearchRequest("", filters={"access_rights": ["NON_PUBLIC"]}))
    hits = {hit.id: hit.title for hit in result.hits}
    assert hits["ds-orosanmalningar"] == masked
    assert set(hits) == {"ds-orosanmalningar", "case-ks-2024-46"}
    assert "ds-orosanmalningar" in find(loaded, "sekretess utgivare:kommunledningskontoret")


def test_data_that_is_not_public_is_listed_as_it_is(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("lönestatistik", facets=["access_rights"]))
    assert [hit.id for hit in result.hits] == ["ds-lonestatistik"]
    assert result.hits[0].title == "Lönestatistik per förvaltning"
    assert result.facets["access_rights"] == [("RESTRICTED", 1)]


def test_internal_search_finds_non_public(loaded: SearchBackend) -> None:
    assert "ds-skyddade-boenden" in find(loaded, "zebrafinkar", public_only=False)
    assert "ds-orosanmalningar" in find(loaded, "kanarieblomster", public_only=False)
    assert "case-ks-2024-46" in find(loaded, "KS 2024/46", public_only=False)
    assert find(loaded, "bygglov", public_only=False) >= {"ds-bygglovsarkiv-internt"}


def test_private_individuals_are_not_searchable_publicly(loaded: SearchBackend) -> None:
    assert find(loaded, "Andersson") == set()
    assert find(loaded, "Anna Andersson") == set()
    assert loaded.suggest("anders") == []
    internal = find(loaded, "Andersson", public_only=False)
    assert internal == {"case-bn-2024-123", "doc-bn-2024-123-4"}
    # Organisations that are parties are public.
    assert find(loaded, "Byggbolaget") == {"case-bn-2024-123"}


def test_public_answers_equal_an_index_without_non_public(make_backend: Any) -> None:
    full = make_backend("full")
    full.ensure_index()
    full.bulk_upsert(documents())
    only_public = make_backend("public")
    only_public.ensure_index()
    only_public.bulk_upsert(public_documents())
    assert full.count() == only_public.count() == len(PUBLIC_IDS)
    for text in [*PROBES, "bygglv", "bygg", "skolskjuts", "KS 2024/45", "tema:GOVE"]:
        for sort in ("relevance", "modified"):
            request = SearchRequest(text, facets=ALL_FACETS, page_size=200, sort=sort)
            a, b = full.search(request), only_public.search(request)
            assert a.total == b.total, text
            assert a.facets == b.facets, text
            assert [h.id for h in a.hits] == [h.id for h in b.hits], text
            assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits]), text
            assert [h.snippets for h in a.hits] == [h.snippets for h in b.hits], text
    for prefix in ("b", "bygg", "skydd", "zebra", "sekr", "hem", "s", "an"):
        assert full.suggest(prefix) == only_public.suggest(prefix), prefix


def test_a_record_that_stops_being_public_leaves_public_search(loaded: SearchBackend) -> None:
    doc = dict(next(d for d in documents() if d["id"] == "ds-skolenheter"))
    doc.update(is_public=False, access_rights="NON_PUBLIC")
    loaded.bulk_upsert([doc])
    assert "ds-skolenheter" not in find(loaded, "skolenheter")
    assert loaded.suggest("skolen") == []
    assert "ds-skolenheter" in find(loaded, "skolenheter", public_only=False)
    assert loaded.count() == len(PUBLIC_IDS) - 1


# --- delete and rebuild ----------------------------------------------------------------------


def test_delete(loaded: SearchBackend) -> None:
    assert loaded.delete(["ds-skolenheter", "ds-skyddade-boenden", "no-such-record"]) == 2
    assert whole(loaded, "skolenheter") == set()
    assert "ds-skolenheter" not in find(loaded, "skolenheter")
    assert find(loaded, "zebrafinkar", public_only=False) == set()
    assert loaded.count(public_only=False) == len(documents()) - 2
    assert loaded.delete([]) == 0


def test_rebuild_swaps_atomically(loaded: SearchBackend) -> None:
    new_docs = [dict(d) for d in documents() if d["id"] != "ds-skolenheter"]
    for doc in new_docs:
        if doc["id"] == "ds-badplatser":
            doc.update(title="Badplatser 2025", title_sv="Badplatser 2025")
    seen_during: list[set[str]] = []

    def feed() -> Iterator[dict[str, Any]]:
        for number, doc in enumerate(new_docs):
            if number in (0, len(new_docs) // 2, len(new_docs) - 1):
                # The old index answers until the switch: never empty, never half-built.
                seen_during.append(find(loaded, "skolenheter"))
                assert loaded.count() == len(PUBLIC_IDS)
            yield doc

    assert loaded.rebuild(feed()) == len(new_docs)
    assert seen_during == [{"ds-skolenheter"}] * 3
    assert whole(loaded, "skolenheter") == set()
    assert "ds-skolenheter" not in find(loaded, "skolenheter")
    assert find(loaded, "badplatser 2025") == {"ds-badplatser"}
    assert loaded.count(public_only=False) == len(new_docs)
    assert loaded.ensure_index() is False


def test_failed_rebuild_keeps_the_old_index(loaded: SearchBackend) -> None:
    def broken() -> Iterator[dict[str, Any]]:
        yield documents()[0]
        raise RuntimeError("katalogen försvann")

    with pytest.raises(RuntimeError):
        loaded.rebuild(broken())
    assert loaded.count() == len(PUBLIC_IDS)
    assert "ds-skolenheter" in find(loaded, "skolenheter")


# --- diarienummer ------------------------------------------------------------------------------

BN_123 = {"case-bn-2024-123", "doc-bn-2024-123-4"}


@pytest.mark.parametrize(
    "text",
    [
        "BN 2024/123",
        "BN 2024/00123",
        "BN.2024.123",
        "BN.2024.0123",
        "BN-2024-123",
        "bn 2024/123",
        "BN2024/123",
        "Dnr BN 2024/123",
        "diarienummer:BN-2024-0123",
        'dnr:"BN 2024/123"',
    ],
)
def test_diarienummer_exact_in_every_form(loaded: SearchBackend, text: str) -> None:
    assert find(loaded, text) == BN_123


def test_diarienummer_without_series_and_with_document(loaded: SearchBackend) -> None:
    assert find(loaded, "2024/123") == BN_123
    assert find(loaded, "2024/00123") == BN_123
    assert find(loaded, "BN 2024/123-4") == {"doc-bn-2024-123-4"}
    assert find(loaded, "BN 2024/1234") == {"case-bn-2024-1234"}
    assert find(loaded, "BN 2024/12") == set()  # exact: not a prefix of 123 or 1234


def test_diarienummer_with_words(loaded: SearchBackend) -> None:
    assert find(loaded, "beslut BN 2024/123") == {"doc-bn-2024-123-4"}
    assert find(loaded, "BN 2024/123 -beslut") == {"case-bn-2024-123"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BN 2024/", BN_123 | {"case-bn-2024-1234"}),
        ("bn.2024.", BN_123 | {"case-bn-2024-1234"}),
        ("KS 2024/", {"case-ks-2024-45", "case-ks-2024-46"}),  # 46: masked, secret-marked
        ("diarienummer:KS", {"case-ks-2024-45", "case-ks-2023-12", "case-ks-2024-46"}),
        ("dnr:KS 2023", {"case-ks-2023-12"}),
        ("dnr:BN 2024/12*", BN_123 | {"case-bn-2024-1234"}),
    ],
)
def test_diarienummer_prefix_lists_the_series(
    loaded: SearchBackend, text: str, expected: set[str]
) -> None:
    assert find(loaded, text) == expected


def test_diarienummer_results_sorted_by_date(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("BN 2024/"))
    assert next(h.id for h in result.hits) == "case-bn-2024-1234"


# --- bad requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest("x", facets=["colour"]),
        SearchRequest("x", filters={"colour": ["red"]}),
        SearchRequest("x", sort="random"),  # type: ignore[arg-type]
        SearchRequest("x", page=0),
        SearchRequest("x", page_size=0),
        SearchRequest("x", page=1000, page_size=200),
    ],
)
def test_invalid_requests_are_refused(loaded: SearchBackend, request_: SearchRequest) -> None:
    with pytest.raises(InvalidSearchRequest):
        loaded.search(request_)


def test_strange_input_does_not_break_search(loaded: SearchBackend) -> None:
    for text in ['"', "-", "---", '"unclosed phrase', "*", "tema:", "a:b:c", "((", "\\", "ö" * 300]:
        loaded.search(SearchRequest(text, facets=ALL_FACETS))
    assert loaded.suggest('"(') == []


def test_documents_without_visibility_are_refused_by_name(backend: SearchBackend) -> None:
    good, bad = documents()[:2]
    del bad["is_public"]
    with pytest.raises(IndexingError) as caught:
        backend.bulk_upsert([good, bad])
    assert caught.value.record_ids == [bad["id"]]
    assert backend.count(public_only=False) == 1
    assert find(backend, bad["title"], public_only=False) <= {good["id"]}


# --- compounds, related words, English and relaxed matching (issue #15) -----------------


def test_a_compound_in_the_record_is_found_by_its_parts(loaded: SearchBackend) -> None:
    # "bygglovsansökningar" holds "bygglov" and the head "ansökningar"; "badvatten" holds
    # "vatten".
    assert "ds-bygglovsansokningar" in find(loaded, "ansökningar")
    assert "ds-badplatser" in find(loaded, "vatten")


def test_a_compound_in_the_query_is_found_by_its_parts(loaded: SearchBackend) -> None:
    # "bygglovsstatistik" is "bygglov" + "statistik": the record says "Statistik över
    # bygglovs handläggning".
    assert "ds-bygglovs-handlaggning" in find(loaded, "bygglovsstatistik")


def test_related_everyday_words(loaded: SearchBackend) -> None:
    # data/synonyms.toml: "dagis" → "förskola", "bada" → "bad"/"badplatser".
    assert "ds-skolenheter" in find(loaded, "dagis")
    assert "ds-badplatser" in find(loaded, "bada")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("swimming", "ds-badplatser"),
        ("building permits", "ds-bygglov-2023"),
        ("bathing water", "ds-badplatser"),  # one term: "badvatten"
        ("salary statistics", "ds-lonestatistik"),
    ],
)
def test_english_words_find_swedish_records(
    loaded: SearchBackend, text: str, expected: str
) -> None:
    assert expected in find(loaded, text)


def test_question_words_are_dropped(loaded: SearchBackend) -> None:
    assert "ds-skolenheter" in find(loaded, "var hittar jag skolenheter")


def test_a_word_that_matches_nothing_relaxes_to_the_others(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("skolenheter karta", page_size=20))
    assert result.relaxed and result.strict_total == 0
    assert result.hits[0].id == "ds-skolenheter"


def test_a_plain_year_ranks_but_does_not_filter(loaded: SearchBackend) -> None:
    result = loaded.search(SearchRequest("bygglov 2023", page_size=50))
    assert result.hits[0].id == "ds-bygglov-2023"
    # Records from other years still match: only år:2023 filters.
    assert "ds-bygglovsansokningar" in ids(result)


def test_a_plain_file_type_ranks_its_records_first(backend: SearchBackend) -> None:
    # Two records match "skolor" alike; only one is in GeoJSON. "skolor geojson" ranks it
    # first although its text says less about schools, and still finds the other one.
    from insyn.search.documents import index_document
    from tests.search.fixtures import UTB, _dataset

    rich = _dataset(
        "Skolor och skolor i kommunen",
        "Skolor, alla skolor: adresser till skolor.",
        publisher=UTB,
        themes=["EDUC"],
        formats=["CSV"],
        modified=date(2024, 1, 1),
    )
    mapped = _dataset(
        "Skolor",
        "Lägen i kartan.",
        publisher=UTB,
        themes=["EDUC"],
        formats=["GEOJSON"],
        modified=date(2024, 1, 1),
    )
    backend.bulk_upsert(
        index_document(
            record_id, record, publisher_name=UTB.name["sv"], owner_name=None, source="t"
        )
        for record_id, record in (("ds-rich", rich), ("ds-mapped", mapped))
    )
    plain = backend.search(SearchRequest("skolor", page_size=10))
    assert plain.hits[0].id == "ds-rich"
    result = backend.search(SearchRequest("skolor geojson", page_size=10))
    assert [hit.id for hit in result.hits] == ["ds-mapped", "ds-rich"]


def test_a_split_compound_matches_its_parts_as_words(backend: SearchBackend) -> None:
    # "barndata" also finds "barn" and "data" written apart, but not "barn…" and "data…"
    # as the start of other words ("barnsliga" is no compound of "barn"): the parts match
    # as written, and the compounds that hold them are split in the index already.
    from insyn.search.documents import index_document
    from tests.search.fixtures import UTB, _dataset

    def dataset(title: str) -> Any:
        return _dataset(
            title, title, publisher=UTB, themes=["EDUC"], formats=["CSV"], modified=None
        )

    backend.bulk_upsert(
        index_document(
            record_id, record, publisher_name=UTB.name["sv"], owner_name=None, source="t"
        )
        for record_id, record in (
            ("ds-apart", dataset("Data om barn i förskolan")),
            ("ds-starts", dataset("Barnsliga lekar och dataspel")),
            ("ds-whole", dataset("Barndata om barnsliga lekar")),
        )
    )
    assert whole(backend, "barndata") == {"ds-apart", "ds-whole"}
    # The whole word ranks above its parts, and the parts are marked as they matched.
    first, second = backend.search(SearchRequest("barndata")).hits[:2]
    assert first.id == "ds-whole"
    assert first.snippets["title"] == "<mark>Barndata</mark> om barnsliga lekar"
    assert second.snippets["title"] == "<mark>Data</mark> om <mark>barn</mark> i förskolan"


def test_a_compound_whose_parts_are_in_no_one_record_relaxes_to_its_parts(
    loaded: SearchBackend,
) -> None:
    # "badplatskarta" is "bad" + "plats" + "karta": no record holds all three, so a single
    # word relaxes like several; the record matching most parts ranks first.
    result = loaded.search(SearchRequest("badplatskarta", page_size=20))
    assert result.relaxed and result.strict_total == 0
    assert result.hits[0].id == "ds-badplatser"


def test_a_compound_some_record_holds_whole_does_not_split(loaded: SearchBackend) -> None:
    # "lönestatistik" is one record's title: records matching only "statistik" stay out.
    result = loaded.search(SearchRequest("lönestatistik", page_size=20))
    assert not result.relaxed
    assert [hit.id for hit in result.hits] == ["ds-lonestatistik"]


def test_a_split_compound_ranks_below_the_other_words(loaded: SearchBackend) -> None:
    # "skolenheter" matches a record whole, "badplatskarta" none: its parts then match
    # alone, and records matching the whole word rank above those matching some parts.
    result = loaded.search(SearchRequest("skolenheter badplatskarta", page_size=20))
    assert result.relaxed and result.strict_total == 0
    found = [hit.id for hit in result.hits]
    assert found[0] == "ds-skolenheter"
    assert "ds-badplatser" in found
