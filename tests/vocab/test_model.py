"""``to_dict``: a record as the plain data that is hashed and stored."""

from __future__ import annotations

import json
from datetime import date, datetime

from insyn.vocab.model import Dataset, Distribution, PeriodOfTime, Retention, to_dict


def test_to_dict_makes_plain_data_at_every_depth_and_copies_every_container() -> None:
    dataset = Dataset(
        uri="https://ex.se/ds",
        title={"sv": "Luft", "en": "Air"},
        keyword={"sv": ["halter", "luft"]},
        modified=datetime(2024, 5, 1, 12, 30),
        temporal=[PeriodOfTime(start=date(2020, 1, 1), end=None)],
        distributions=[Distribution(uri=None, title={"sv": "CSV"}, byte_size=1024)],
        extras={"https://ex.se/p": ["a", "b"]},
    )
    dataset.governance.retention = Retention(action="gallras", period="2 år")
    plain = to_dict(dataset)
    assert plain["title"] == {"sv": "Luft", "en": "Air"}
    assert plain["keyword"] == {"sv": ["halter", "luft"]}
    assert plain["modified"] == "2024-05-01T12:30:00"
    assert plain["temporal"] == [{"start": "2020-01-01", "end": None}]
    (distribution,) = plain["distributions"]
    assert distribution["title"] == {"sv": "CSV"}
    assert distribution["byte_size"] == 1024
    assert distribution["uri"] is None
    assert plain["governance"]["retention"] == {
        "action": "gallras",
        "period": "2 år",
        "derived_from": None,
    }
    assert plain["extras"] == {"https://ex.se/p": ["a", "b"]}
    json.dumps(plain)  # nothing but JSON's own types is left
    # Plain data is a copy: changing it leaves the record as it was.
    plain["title"]["sv"] = "Ändrad"
    plain["keyword"]["sv"].append("ny")
    plain["extras"]["https://ex.se/p"].append("c")
    assert dataset.title["sv"] == "Luft"
    assert dataset.keyword == {"sv": ["halter", "luft"]}
    assert dataset.extras == {"https://ex.se/p": ["a", "b"]}
