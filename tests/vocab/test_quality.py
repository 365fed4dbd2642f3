"""MQA scoring: the published points, ratings and the missing items."""

from __future__ import annotations

from datetime import date

from insyn.vocab import quality
from insyn.vocab.model import (
    Agent,
    ContactPoint,
    DataService,
    Dataset,
    Distribution,
    PeriodOfTime,
    to_dict,
)

FT = "http://publications.europa.eu/resource/authority/file-type/"
CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"


def full_dataset() -> Dataset:
    return Dataset(
        title={"sv": "Luftkvalitet"},
        description={"sv": "Mätvärden"},
        keyword={"sv": ["luft"]},
        theme=["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
        spatial=["http://publications.europa.eu/resource/authority/place/SWE"],
        temporal=[PeriodOfTime(start=date(2020, 1, 1))],
        publisher=Agent(name={"sv": "Miljönämnden"}),
        contact_point=[ContactPoint(email="miljo@exempel.se")],
        issued=None,
        extras={quality.DCT_RIGHTS: ["Fri användning"]},
        distributions=[
            Distribution(
                access_url="https://data.exempel.se/luft",
                download_url="https://data.exempel.se/luft.csv",
                format=FT + "CSV",
                media_type="http://www.iana.org/assignments/media-types/text/csv",
                license=CC_BY,
                byte_size=1024,
            )
        ],
    )


def test_published_dimension_maxima_and_total() -> None:
    assert quality.DIMENSIONS == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 20,
    }
    assert quality.MAX_POINTS == 405


def test_rating_thresholds() -> None:
    assert [quality.rating(p) for p in (405, 351, 350, 221, 220, 121, 120, 0)] == [
        "Excellent",
        "Excellent",
        "Good",
        "Good",
        "Sufficient",
        "Sufficient",
        "Bad",
        "Bad",
    ]


def test_complete_dataset_scores_everything_but_missing_dates() -> None:
    dataset = full_dataset()
    score = quality.score_record(dataset)
    assert score is not None
    # issued and modified are missing: 5 + 5 points.
    assert score.points == 395
    assert {item.key for item in score.missing} == {"issued", "modified"}
    assert score.rating == "Excellent"
    assert set(score.assumed) == {"access_url_reachable", "download_url_reachable"}


def test_empty_dataset_is_bad_and_lists_biggest_gains_first() -> None:
    score = quality.score_record(Dataset(title={"sv": "T"}))
    assert score is not None
    # Only access rights (PUBLIC by default, from the EU vocabulary) are there: 10 + 5.
    assert score.points == 15
    assert score.rating == "Bad"
    assert score.missing[0].key == "access_url_reachable"
    assert score.missing[0].points == 50


def test_distribution_checks_count_share_and_probe_overrides() -> None:
    dataset = full_dataset()
    dataset.distributions.append(Distribution(access_url="https://data.exempel.se/trasig"))
    score = quality.score_record(dataset, reachable={"https://data.exempel.se/trasig": False})
    assert score is not None
    assert score.checks["access_url_reachable"] == 25  # one of two reachable
    assert score.checks["download_url"] == 10
    assert score.checks["format"] == 20  # interoperability: the best distribution counts


def test_proprietary_format_loses_points() -> None:
    dataset = full_dataset()
    dataset.distributions[0].format = FT + "XLS"
    dataset.distributions[0].media_type = None
    score = quality.score_record(dataset)
    assert score is not None
    assert score.checks["non_proprietary"] == 0
    assert score.checks["machine_readable"] == 20
    assert score.checks["media_type"] == 0


def test_only_datasets_are_scored_and_summary_averages() -> None:
    assert quality.score_record(DataService(title={"sv": "API"})) is None
    good = quality.score_record(full_dataset())
    bad = quality.score_record(Dataset(title={"sv": "T"}))
    summary = quality.summarise("ägare", [good, bad, None])
    assert summary.datasets == 2
    assert summary.points == (395 + 15) / 2
    assert summary.ratings == {"Excellent": 1, "Bad": 1}
    top = summary.as_json(top=1)["top_missing"][0]
    assert top["check"] == "access_url_reachable" and top["datasets"] == 1


def test_the_points_a_harvest_stores_are_the_full_score_s() -> None:
    proprietary = full_dataset()
    proprietary.distributions[0].format = FT + "XLS"
    two = full_dataset()
    two.distributions.append(Distribution(access_url="ftp://trasig"))
    for dataset in (full_dataset(), Dataset(title={"sv": "T"}), proprietary, two):
        data = to_dict(dataset)
        score = quality.score_data(data)
        assert score is not None
        assert quality.points_data(data) == score.points
    assert quality.points_data(to_dict(DataService(title={"sv": "API"}))) is None
