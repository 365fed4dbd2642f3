"""The lock files pin what pyproject.toml (and pycsw's requirements) ask for, with hashes.

``make install`` installs ``requirements.lock`` with ``pip --require-hashes`` and Insyn
itself with ``--no-deps``, so a requirement added to pyproject.toml but not locked would
be missing from every fresh install: this fails first, and says to run ``make lock``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: Path) -> dict[str, set[Version]]:
    """Package → its pinned versions (a universal lock may pin two, by Python version)."""
    found: dict[str, set[Version]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            found.setdefault(canonicalize_name(match[1]), set()).add(Version(match[2]))
    return found


def every_requirement() -> list[Requirement]:
    project = PYPROJECT["project"]
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += extra
    return [Requirement(text) for text in listed]


def lock_problems(lock: Path, requirements: list[Requirement]) -> list[str]:
    pinned = pins(lock)
    problems = []
    for requirement in requirements:
        versions = pinned.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement} is not in {lock.name}")
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{requirement}: {lock.name} pins {sorted(map(str, versions))}")
    return problems


def test_requirements_lock_pins_everything_pyproject_asks_for() -> None:
    problems = lock_problems(ROOT / "requirements.lock", every_requirement())
    assert not problems, "run `make lock` and commit requirements.lock:\n" + "\n".join(problems)


def test_pycsw_lock_pins_everything_its_requirements_ask_for() -> None:
    lines = (ROOT / "scripts" / "pycsw-requirements.in").read_text(encoding="utf-8").splitlines()
    wanted = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    problems = lock_problems(ROOT / "scripts" / "pycsw.lock", wanted)
    assert not problems, "run `make lock` and commit scripts/pycsw.lock:\n" + "\n".join(problems)


@pytest.mark.parametrize("lock", ["requirements.lock", "scripts/pycsw.lock"])
def test_every_pin_carries_its_hashes(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])  # one per package
    unhashed = [block.split()[0] for block in blocks if "--hash=sha256:" not in block]
    assert not unhashed, f"{lock} pins without hashes: {unhashed}"


def test_the_elasticsearch_client_is_held_to_8x() -> None:
    # The 8.x client talks to Elasticsearch 8 and 9 servers; the 9.x client refuses 8.x.
    requirements = [r for r in every_requirement() if r.name == "elasticsearch"]
    assert len(requirements) == 2  # the main dependency and the elasticsearch extra
    assert all(not r.specifier.contains("9.0.0") for r in requirements)
    assert {v.major for v in pins(ROOT / "requirements.lock")["elasticsearch"]} == {8}
