"""The demo's diarium: FGS Ärendehantering XML that validates against the bundled XSD and
Schematron, holds a secret case, private parties and a case with a public title, and
`insyn demo` loads it beside the catalogue and says how to make a staff account."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from insyn.catalogue.models import CatalogueRecord, RecordError
from insyn.catalogue.store import Catalogue
from insyn.cli.main import main
from insyn.cli.web import DEMO_DIARIUM, DEMO_SOURCE
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.indexer import Indexer
from insyn.settings import load_settings
from insyn.vocab.visibility import DCAT_KINDS
from insyn.web.access import ANONYMOUS, may_see
from insyn.web.app import create_app
from insyn.web.config import WebConfig

DIARIUM_FILE = Path(str(resources.files("insyn.demo").joinpath("data", "exempelby-diarium.xml")))


def test_the_demo_loads_the_diarium_and_says_how_to_sign_in(tmp_path: Path) -> None:
    home = tmp_path / "data"
    result = CliRunner().invoke(main, ["--home", str(home), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "users add registrator --role registrar" in result.output
    settings = load_settings(home=home, base_url="http://localhost")
    catalogue = Catalogue(settings.catalogue_url)
    assert {source.name for source in catalogue.sources()} == {DEMO_SOURCE, DEMO_DIARIUM}
    with catalogue.session() as session:
        # The fgs connector validates each case on harvest: not one warning.
        assert session.scalar(select(func.count()).select_from(RecordError)) == 0
        rows = session.scalars(
            select(CatalogueRecord).where(CatalogueRecord.kind.in_(("case", "document")))
        ).all()
    cases = {row.diarienummer: row for row in rows if row.kind == "case"}
    assert len(cases) == 5 and len(rows) == 15
    secret = cases["SN 2025/45"]
    assert not secret.is_public and secret.data["governance"]["secrecy_provision"]
    public_title = cases["TN 2025/33"]
    assert public_title.data["public_title"] == {"sv": "Klagomål om snöröjning"}
    parties = cases["KS 2025/12"].data["parties"]
    assert any(party.get("personnummer") or "Sven" in str(party) for party in parties)

    backend = EmbeddedBackend(settings.index_dir)
    Indexer(catalogue, backend).catch_up()
    app = create_app(
        settings, catalogue=catalogue, backend=backend, config=WebConfig(rate_limit_per_minute=0)
    )
    html = {"Accept": "text/html"}
    with TestClient(app) as client:
        # What the public sees: the private party and the private title masked, the
        # secret case shown masked, each with its documents and the request button.
        page = client.get(f"/datasets/{cases['KS 2025/12'].id}", headers=html).text
        assert "KS 2025/00012" in page and "Begär ut handlingen" in page and "Enskild" in page
        assert "19121212" not in page and "Sven Svensson" not in page
        page = client.get(f"/datasets/{public_title.id}", headers=html).text
        assert "Klagomål om snöröjning" in page and "Lisa Berg" not in page
        page = client.get(f"/datasets/{secret.id}", headers=html).text
        assert "Anna Hemlig" not in page and "19900101" not in page
        # The home page counts datasets and the diarium apart, each by its name.
        home_page = client.get("/", headers=html).text
        assert "15 ärenden och handlingar" in home_page
        counted = re.search(r"(\d+) offentliga datamängder och datatjänster", home_page)
        with catalogue.session() as session:
            shown = [
                row
                for row in session.scalars(select(CatalogueRecord))
                if row.kind in DCAT_KINDS and may_see(ANONYMOUS, row)
            ]
        assert counted and int(counted.group(1)) == len(shown)
    catalogue.close()
