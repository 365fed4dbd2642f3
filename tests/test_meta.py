"""Tests that keep the docs and the tests honest (datasette's habit).

- every option of every source kind has a row in ``docs/connectors.md``;
- every command of ``insyn`` has help text and is run by at least one test.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import click
import pytest

from insyn.cli.main import main
from insyn.connectors import available_kinds, options_of
from insyn.connectors.http import HTTP_OPTIONS
from insyn.connectors.options import COMMON_OPTIONS, Option

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "connectors.md"
TESTS = ROOT / "tests"


def commands(
    command: click.Command = main, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Every command path under ``main``: ("init",), ("sources",), ("sources", "add") …"""
    if path:
        yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


# --- options are documented ---------------------------------------------------------------


def documented(section: str) -> set[str]:
    """The option names in the table under ``### `section` `` of docs/connectors.md."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"^### `{re.escape(section)}`\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    assert match, f"docs/connectors.md has no section ### `{section}`"
    return set(re.findall(r"^\| `([^`]+)` \|", match.group(1), re.M))


@pytest.mark.parametrize("kind", sorted(available_kinds()))
def test_every_option_of_every_kind_is_documented(kind: str) -> None:
    shared = {option.name for option in (*HTTP_OPTIONS, *COMMON_OPTIONS)}
    own = {option.name for option in options_of(kind) or ()} - shared
    assert own <= documented(kind), f"not documented for {kind}: {sorted(own - documented(kind))}"


@pytest.mark.parametrize(("section", "spec"), [("http", HTTP_OPTIONS), ("alla", COMMON_OPTIONS)])
def test_the_shared_options_are_documented(section: str, spec: tuple[Option, ...]) -> None:
    names = {option.name for option in spec}
    assert names <= documented(section), sorted(names - documented(section))


# --- every command has help and a test ----------------------------------------------------


@pytest.mark.parametrize("path", list(commands()), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = command_at(path)
    assert (command.help or "").strip(), f"insyn {' '.join(path)} has no help text"


@cache
def invocations() -> list[list[str]]:
    """The string arguments, in order, of every call in tests/ (lists and tuples flattened).

    ``insyn("sources", "add", …)``, ``runner.invoke(main, [*home, "sources", "add", …])`` and
    ``subprocess.run([INSYN, "--home", …, "scheduler"])`` all come out as word sequences.
    """

    def words(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                yield from words(element)
        elif isinstance(node, ast.Starred):
            yield from words(node.value)

    found = []
    for path in TESTS.rglob("*.py"):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = [word for argument in node.args for word in words(argument)]
                if called:
                    found.append(called)
    return found


def invoked(path: tuple[str, ...]) -> bool:
    size = len(path)
    return any(
        tuple(call[i : i + size]) == path for call in invocations() for i in range(len(call))
    )


@pytest.mark.parametrize("path", list(commands()), ids=" ".join)
def test_every_command_is_run_by_a_test(path: tuple[str, ...]) -> None:
    assert invoked(path), f"no test runs insyn {' '.join(path)}"
