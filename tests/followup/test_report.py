"""The follow-up report: built from the demo catalogue, rendered to PDF, checked as PNG and text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from insyn.cli import main
from tests.conftest import require

DEMO = Path(__file__).parents[2] / "insyn" / "demo" / "data"


def test_pdf_report_renders_with_charts(tmp_path: Path) -> None:
    require(
        shutil.which("pdftoppm") and shutil.which("pdftotext"),
        "poppler-utils is not installed (scripts/test-services.sh installs it)",
    )
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    assert runner.invoke(main, [*home, "demo", "--no-serve"]).exit_code == 0
    result = runner.invoke(
        main, [*home, "plan", "import", str(DEMO / "informationshanteringsplan.csv")]
    )
    assert result.exit_code == 0, result.output
    # The 3 data services had no retention rule, and 12 of the demo diarium's 16 records.
    assert "15 av 94 poster" in result.output
    pdf = tmp_path / "rapport.pdf"
    result = runner.invoke(
        main,
        [
            *home,
            "report",
            "--owner",
            "Kommunstyrelsen",
            "--period",
            "2026",
            "--format",
            "pdf",
            "--output",
            str(pdf),
        ],
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Kommunstyrelsen",
        "UPPFÖLJNING AV INFORMATIONSHANTERINGEN 2026",
        "Metadatakvalitet",
        "Skördning och avvikelser",
        "Jämfört med 2025",
    ):
        assert expected in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "sida")],
        check=True,
    )
    png = tmp_path / "sida-1.png"
    from PIL import Image

    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    # The charts' blue bars are on the page (not only black text on white).
    assert any(
        abs(r - 0x1F) < 24 and abs(g - 0x5F) < 24 and abs(b - 0x99) < 24 and n > 200
        for n, (r, g, b) in colours
    )


def test_quality_json_per_owner_and_source(tmp_path: Path) -> None:
    import json

    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    assert runner.invoke(main, [*home, "demo", "--no-serve"]).exit_code == 0
    result = runner.invoke(main, [*home, "quality", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["max_points"] == 405
    owners = {owner["name"]: owner for owner in data["owners"]}
    assert "Kommunstyrelsen" in owners
    assert owners["Kommunstyrelsen"]["rating"] in {"Excellent", "Good", "Sufficient", "Bad"}
    assert owners["Kommunstyrelsen"]["top_missing"]
    assert data["sources"][0]["name"] == "exempelby" and data["sources"][0]["datasets"] == 75
