"""Benchmark: MQA scoring of 100,000 datasets (target: with the report, under 30 s).

    .venv/bin/python bench/followup.py [COUNT]

Scores COUNT synthetic datasets (plain data, as stored) and groups them per owner and
source as ``insyn quality`` does. Building the report over a 100,000-record store is not
yet part of this benchmark.
"""

from __future__ import annotations

import sys
import time

from insyn.vocab import quality
from insyn.vocab.model import Agent, ContactPoint, Dataset, Distribution, to_dict

FT = "http://publications.europa.eu/resource/authority/file-type/"


def dataset(number: int) -> dict:
    record = Dataset(
        title={"sv": f"Datamängd {number}"},
        description={"sv": "Beskrivning"} if number % 7 else {},
        keyword={"sv": ["a"]} if number % 3 else {},
        theme=["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
        publisher=Agent(name={"sv": f"Nämnd {number % 12}"}),
        contact_point=[ContactPoint(email="x@exempel.se")] if number % 5 else [],
        distributions=[
            Distribution(
                access_url=f"https://data.exempel.se/{number}",
                download_url=f"https://data.exempel.se/{number}.csv" if number % 2 else None,
                format=FT + ("CSV" if number % 4 else "XLS"),
                license="http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
            )
        ],
    )
    return to_dict(record)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    started = time.perf_counter()
    data = [dataset(n) for n in range(count)]
    built = time.perf_counter() - started
    started = time.perf_counter()
    groups = quality.group_scores(
        (item, (f"owner:{n % 12}", f"source:{n % 30}")) for n, item in enumerate(data)
    )
    scored = time.perf_counter() - started
    print(f"{count} datamängder byggda på {built:.1f} s")
    print(
        f"poängsatta och grupperade ({len(groups)} grupper) på {scored:.1f} s "
        f"({count / scored:,.0f} per sekund)"
    )


if __name__ == "__main__":
    main()
