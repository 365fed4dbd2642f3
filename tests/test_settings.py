"""Settings stay in one place: only insyn/settings.py reads the environment, and every
setting is in SETTINGS (grouped, with Swedish help) and in the README's settings table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from insyn import settings
from insyn.settings import GROUPS, SETTINGS, flag, load_settings, secret, value

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "insyn"
README = ROOT / "README.md"
ENVIRONMENT_READS = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_reads(path: Path) -> list[str]:
    """Every use of os.environ, os.getenv and kin in a module (attribute or import)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_READS:
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {alias.name for alias in node.names} & ENVIRONMENT_READS
            found.extend(f"{path.name}:{node.lineno} {name}" for name in sorted(names))
    return found


def test_only_settings_reads_the_environment() -> None:
    reads = [
        read
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "settings.py"
        for read in (f"{path.parent.relative_to(ROOT)}/{r}" for r in environment_reads(path))
    ]
    assert reads == [], "read the environment through insyn.settings: " + ", ".join(reads)


def test_the_scan_finds_a_read(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom os import getenv\nx = os.environ.get('A')\n")
    assert sorted(environment_reads(module)) == ["m.py:2 getenv", "m.py:3 .environ"]


def readme_settings() -> set[str]:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Settings\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, "README.md has no ## Settings section"
    return set(re.findall(r"^\| `([A-Z_]+)` \|", match.group(1), re.M))


def test_every_setting_is_in_the_readme() -> None:
    envs = {setting.env for setting in SETTINGS}
    assert envs <= readme_settings(), sorted(envs - readme_settings())
    assert readme_settings() <= envs, sorted(readme_settings() - envs)


def test_settings_are_unique_grouped_and_helped_in_swedish() -> None:
    names = [setting.name for setting in SETTINGS]
    envs = [setting.env for setting in SETTINGS]
    assert len(set(names)) == len(names) and len(set(envs)) == len(envs)
    for setting in SETTINGS:
        assert setting.group in GROUPS, setting
        assert setting.help.strip().endswith("."), setting
    swedish = re.compile(r"[åäöÅÄÖ]|\b(och|eller|när|som|för|med|till)\b")
    assert all(swedish.search(setting.help) for setting in SETTINGS if len(setting.help) > 30)


def test_given_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSYN_SMTP_PORT", raising=False)
    assert value("smtp_port") == "25"
    monkeypatch.setenv("INSYN_SMTP_PORT", "")
    assert value("smtp_port") == "25"  # an empty variable counts as unset
    monkeypatch.setenv("INSYN_SMTP_PORT", "2525")
    assert value("smtp_port") == "2525"
    assert value("smtp_port", 587) == "587"
    monkeypatch.setenv("INSYN_BASE_URL", "https://insyn.example.se")
    assert load_settings(home="/tmp/x").base_url == "https://insyn.example.se"
    assert load_settings(home="/tmp/x", base_url="http://a").base_url == "http://a"


def test_flag_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for word, expected in (("true", True), ("1", True), ("Yes", True), ("0", False), ("", False)):
        monkeypatch.setenv("INSYN_SECURE_COOKIES", word)
        assert flag("secure_cookies") is expected
    monkeypatch.setenv("INSYN_TEST_TOKEN", "  hemlig \n")
    assert secret("INSYN_TEST_TOKEN") == "hemlig"
    monkeypatch.delenv("INSYN_TEST_TOKEN")
    assert secret("INSYN_TEST_TOKEN") is None
    with pytest.raises(KeyError):
        settings.setting("no_such_setting")
