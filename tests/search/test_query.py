"""The query language: what people type becomes a small typed AST."""

from __future__ import annotations

import pytest

from insyn.search.backends.base import RELAX_STEP, part_steps, plan_text
from insyn.search.query import FieldFilter, SearchQuery, parse_query, year_range
from insyn.search.vocabulary import ENGLISH_WEIGHT


def test_free_text() -> None:
    query = parse_query("bygglov  Storgatan ")
    assert query.terms == ("bygglov", "Storgatan")
    assert query.phrases == query.excluded == query.filters == ()
    assert query.text == "bygglov  Storgatan "
    assert not query.is_empty and query.has_text


def test_empty_and_blank() -> None:
    for text in ("", "   ", "\t\n"):
        query = parse_query(text)
        assert query == SearchQuery()
        assert query.is_empty and not query.has_text


def test_phrases() -> None:
    query = parse_query('bygglov "detaljplan för  centrum" "ensam"')
    assert query.phrases == ("detaljplan för centrum",)
    assert query.terms == ("bygglov", "ensam")  # a one-word phrase is a word


def test_unclosed_phrase_runs_to_the_end() -> None:
    assert parse_query('skola "grund skola').phrases == ("grund skola",)
    assert parse_query('"').phrases == ()


def test_exclusions() -> None:
    query = parse_query('bygglov -vindkraft -"förhandsbesked för fritidshus" -tema:ENVI')
    assert query.terms == ("bygglov",)
    assert query.excluded == ("vindkraft", "förhandsbesked för fritidshus")
    assert query.filters == (FieldFilter("theme", "ENVI", negated=True),)


def test_hyphens_inside_words_and_lone_dashes_are_not_exclusions() -> None:
    query = parse_query("e-tjänst - -- covid-19")
    assert query.terms == ("e-tjänst", "covid-19")
    assert query.excluded == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("utgivare:Stadsbyggnadskontoret", FieldFilter("publisher", "Stadsbyggnadskontoret")),
        ('utgivare:"Miljö- och  hälsa"', FieldFilter("publisher", "Miljö- och hälsa")),
        ("publisher:SBK", FieldFilter("publisher", "SBK")),
        ("ägare:Kommunstyrelsen", FieldFilter("owner", "Kommunstyrelsen")),
        ("agare:ks", FieldFilter("owner", "ks")),
        ("tema:miljö", FieldFilter("theme", "miljö")),
        ("Tema:ENVI", FieldFilter("theme", "ENVI")),
        ("format:csv", FieldFilter("format", "csv")),
        ("typ:ärende", FieldFilter("kind", "case")),
        ("typ:Datamängd", FieldFilter("kind", "dataset")),
        ("typ:api", FieldFilter("kind", "dataservice")),
        ("typ:handling", FieldFilter("kind", "document")),
        ("år:2024", FieldFilter("year", "2024")),
        ("ar:2020..2024", FieldFilter("year", "2020..2024")),
        ("year:>=2020", FieldFilter("year", ">=2020")),
    ],
)
def test_field_filters(text: str, expected: FieldFilter) -> None:
    query = parse_query(text)
    assert query.filters == (expected,)
    assert query.terms == ()


def test_filters_combine_with_text() -> None:
    query = parse_query("skola tema:EDUC format:csv år:2023")
    assert query.terms == ("skola",)
    assert [f.field for f in query.filters] == ["theme", "format", "year"]
    assert query.filters_for("theme") == [FieldFilter("theme", "EDUC")]
    assert query.is_empty is False


def test_filters_alone_make_an_empty_text_query() -> None:
    query = parse_query("tema:EDUC")
    assert query.is_empty and not query.has_text


@pytest.mark.parametrize("text", ["typ:banan", "år:förra", "år:20245"])
def test_meaningless_filter_values_are_free_text(text: str) -> None:
    query = parse_query(text)
    assert query.filters == ()
    assert query.terms == (text,)


def test_unknown_fields_and_urls_stay_text() -> None:
    query = parse_query("https://example.se/data klockan 10:30 färg:röd")
    assert query.filters == ()
    assert query.terms == ("https://example.se/data", "klockan", "10:30", "färg:röd")


def test_a_field_without_value_is_a_word() -> None:
    assert parse_query("tema:").terms == ("tema",)
    assert parse_query("tema: skola").terms == ("tema", "skola")


def test_punctuation_around_words_is_dropped() -> None:
    assert parse_query("(bygglov), skola! ... ?").terms == ("bygglov", "skola")


def test_duplicates_are_dropped() -> None:
    assert parse_query("skola Skola skola").terms == ("skola",)


@pytest.mark.parametrize(
    "text",
    [
        "KS 2024/123",
        "KS 2024/00123",
        "KS.2024.123",
        "KS.2024.0123",
        "ks 2024/123",
        "KS-2024-123",
        "Dnr KS 2024/123",
        "dnr: KS 2024/123",
        "diarienummer:KS 2024/123",
        "dnr:KS.2024.0123",
        'dnr:"KS 2024/123"',
        "diarienr:ks-2024-00123",
    ],
)
def test_diarienummer_in_every_form(text: str) -> None:
    query = parse_query(text)
    assert query.diarienummer == ("KS 2024/123",)
    assert query.terms == () and query.filters == ()


def test_diarienummer_among_words() -> None:
    query = parse_query("bygglov BN-2024-123 Storgatan 2024/00007")
    assert query.terms == ("bygglov", "Storgatan")
    assert query.diarienummer == ("BN 2024/123", "2024/7")


def test_diarienummer_with_document_number() -> None:
    assert parse_query("KS 2024/123-4").diarienummer == ("KS 2024/123-4",)


def test_diarienummer_prefixes() -> None:
    assert parse_query("KS 2024/").diarienummer_prefixes == ("KS 2024/",)
    assert parse_query("ks.2024.").diarienummer_prefixes == ("KS 2024/",)
    assert parse_query("dnr:KS").diarienummer_prefixes == ("KS ",)
    assert parse_query("dnr:KS 2024").diarienummer_prefixes == ("KS 2024/",)
    assert parse_query("dnr:KS 2024/12*").diarienummer_prefixes == ("KS 2024/12",)
    assert parse_query("KS 2024/12*").diarienummer_prefixes == ("KS 2024/12",)
    query = parse_query("dnr:KS bygglov")
    assert query.diarienummer_prefixes == ("KS ",)
    assert query.terms == ("bygglov",)


def test_excluded_diarienummer() -> None:
    query = parse_query("bygglov -KS 2024/123")
    assert query.filters == (FieldFilter("diarienummer", "KS 2024/123", negated=True),)
    assert query.terms == ("bygglov",)


def test_unknown_diarienummer_form_is_kept_as_written() -> None:
    query = parse_query("dnr:Ä-12/2024")
    assert query.diarienummer == ("ä-12/2024",)


def test_words_that_look_like_series_are_words() -> None:
    query = parse_query("beslut 2024/12")
    assert query.terms == ("beslut",)
    assert query.diarienummer == ("2024/12",)
    assert parse_query("budget 2024").terms == ("budget", "2024")
    assert parse_query("2024-05-01").diarienummer == ()


def test_year_range() -> None:
    assert year_range("2024") == (2024, 2024)
    assert year_range("2020..2024") == (2020, 2024)
    assert year_range("2024-2020") == (2020, 2024)
    assert year_range("2020..") == (2020, None)
    assert year_range("..2020") == (None, 2020)
    assert year_range(">2020") == (2021, None)
    assert year_range("<=2020") == (None, 2020)
    assert year_range("<2020") == (None, 2019)
    assert year_range("..") is None
    assert year_range("i fjol") is None


def test_never_raises_on_odd_input() -> None:
    for text in ['"""', "-", '-"', "::", "tema:::", "\x00", "a" * 10_000, "dnr:", 'dnr:"', "*"]:
        parse_query(text)


def test_text_plan_requires_all_words_up_to_three() -> None:
    plan = plan_text(parse_query("bygglov storgatan eken"))
    assert plan.required == ("bygglov", "storgatan", "eken")
    assert plan.minimum_match == 3


def test_text_plan_allows_one_miss_in_four() -> None:
    plan = plan_text(parse_query("bygglov storgatan eken villa fasad"))
    assert plan.minimum_match == 4


def test_text_plan_makes_stop_words_optional() -> None:
    plan = plan_text(parse_query("skolor i kommunen och"))
    assert plan.required == ("skolor", "kommunen")
    assert plan.optional == ("i", "och")
    assert plan_text(parse_query("och i")).required == ("och", "i")


def test_an_english_term_of_two_words_is_one_unit() -> None:
    # data/english.toml: "district heating" is "fjärrvärme", not "distrikt" + "värme".
    plan = plan_text(parse_query("district heating"))
    assert plan.required == ("district heating",)
    assert (("fjärrvärme",), ENGLISH_WEIGHT) in plan.groups[0].alternatives
    single = plan_text(parse_query("apartments")).groups[0]
    assert (("lägenheter",), ENGLISH_WEIGHT) in single.alternatives


def test_a_compound_relaxes_into_its_parts_only_when_split() -> None:
    plan = plan_text(parse_query("badplatskarta"))
    assert plan.groups[0].parts == ("bad", "plats", "karta")
    assert plan.can_relax and plan.minimum_match == 1
    # Relaxing a single word that some record holds whole would find nothing more.
    assert plan.relax([]) is None
    relaxed = plan.relax(["badplatskarta"])
    assert relaxed is not None and relaxed.split == ("badplatskarta",)
    steps = part_steps(plan.groups[0])
    assert [part for part, _ in steps] == ["bad", "plats", "karta"]
    # All parts but one score below one matched word.
    assert sum(step for _, step in steps[:-1]) < RELAX_STEP


def test_a_compounds_parts_are_marked_as_written_until_the_plan_splits_it() -> None:
    # The parts of "barndata" match as words ("barn", "data"), not as the start of others;
    # split in a relaxed plan they match by prefix like any word, and so does a part the
    # query also holds as a word of its own.
    plan = plan_text(parse_query("barndata rivning"))
    assert plan.highlighted_as_written == {"barn", "data"}
    relaxed = plan.relax(["barndata"])
    assert relaxed is not None and relaxed.highlighted_as_written == frozenset()
    assert plan_text(parse_query("barndata barn")).highlighted_as_written == {"data"}
