"""Links that last: record ids derived from the source's name and the record's key, the
same after re-harvests and a reinstall; a removed source added again does not collide
with its tombstones; ids from before (random) redirect to the derived ones."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from insyn.catalogue import db
from insyn.catalogue.models import CatalogueRecord, RecordAlias
from insyn.catalogue.store import Catalogue, derived_record_id
from insyn.harvester.engine import harvest_source
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.settings import load_settings
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from tests.support.catalogues import write_catalogue
from tests.web.support import make_site


def _ids(catalogue: Catalogue) -> dict[str, str]:
    with catalogue.session() as session:
        rows = session.execute(select(CatalogueRecord.source_key, CatalogueRecord.id)).all()
    return dict(rows)


def test_urls_are_the_same_after_a_reinstall(tmp_path: Path) -> None:
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    first = make_site(tmp_path / "first", "http://localhost", extras=False)
    second = make_site(tmp_path / "second", "http://localhost", extras=False)
    before, after = _ids(first.catalogue), _ids(second.catalogue)
    assert before and before == after
    assert all(record_id == derived_record_id("exempelby", key) for key, record_id in after.items())
    # The same URL answers on the new install.
    with TestClient(second.app) as client:
        for record_id in list(before.values())[:5]:
            page = client.get(f"/datasets/{record_id}", headers={"Accept": "text/html"})
            assert page.status_code == 200, record_id
    # And a re-harvest of everything keeps every id.
    assert harvest_source(second.catalogue, "exempelby", full=True).status == "completed"
    assert _ids(second.catalogue) == before
    for site in (first, second):
        site.catalogue.close()


def test_a_source_added_again_under_its_old_name_does_not_collide(tmp_path: Path) -> None:
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'katalog.db'}")
    source_file = write_catalogue(tmp_path / "katalog.ttl", range(1, 4))
    catalogue.add_source("bn", "dcat", str(source_file))
    assert harvest_source(catalogue, "bn").status == "completed"
    old = _ids(catalogue)
    catalogue.remove_source("bn")
    catalogue.add_source("bn", "dcat", str(source_file))
    assert harvest_source(catalogue, "bn").status == "completed"
    with catalogue.session() as session:
        live = dict(
            session.execute(
                select(CatalogueRecord.source_key, CatalogueRecord.id).where(
                    CatalogueRecord.deleted_at.is_(None)
                )
            ).all()
        )
        tombstoned = session.scalars(
            select(CatalogueRecord.id).where(CatalogueRecord.deleted_at.is_not(None))
        ).all()
    assert sorted(tombstoned) == sorted(old.values())
    assert live.keys() == old.keys()
    assert all(live[key] == derived_record_id("bn", key, 1) for key in live)
    catalogue.close()


def _insert_old_record(connection, record_id: str, key: str, now: datetime) -> None:
    data = json.dumps(
        {"kind": "dataset", "title": {"sv": key}, "governance": {"access_rights": "PUBLIC"}}
    )
    connection.execute(
        text(
            "INSERT INTO records (id, kind, source_id, source_key, title, content_hash, data,"
            " field_provenance, access_rights, is_public, description_visibility, first_seen,"
            " last_changed) VALUES (:id, 'dataset', 1, :key, :title, 'h', :data, '{}',"
            " 'http://publications.europa.eu/resource/authority/access-right/PUBLIC', :yes,"
            " 'public', :now, :now)"
        ),
        {"id": record_id, "key": key, "title": key, "data": data, "yes": True, "now": now},
    )
    connection.execute(
        text("INSERT INTO distributions (record_id, position) VALUES (:id, 0)"), {"id": record_id}
    )
    connection.execute(
        text(
            "INSERT INTO change_log (record_id, operation, changed_at) VALUES (:id, 'upsert', :now)"
        ),
        {"id": record_id, "now": now},
    )


def test_random_ids_from_before_redirect_to_derived_ones(
    catalogue_url: str, tmp_path: Path
) -> None:
    engine = db.make_engine(catalogue_url)
    command.upgrade(db.alembic_config(engine), "vis_0001")
    now = datetime.now(UTC)
    old_ids = {key: uuid.uuid4().hex for key in ("a", "b")}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sources (id, name, kind, url, options, enabled, created_at)"
                " VALUES (1, 'bn', 'dcat', NULL, '{}', :yes, :now)"
            ),
            {"yes": True, "now": now},
        )
        for key, record_id in old_ids.items():
            _insert_old_record(connection, record_id, key, now)
    engine.dispose()

    catalogue = Catalogue(catalogue_url)  # migrates to the head
    new_ids = {key: derived_record_id("bn", key) for key in old_ids}
    assert _ids(catalogue) == new_ids
    with catalogue.session() as session:
        aliases = dict(session.execute(select(RecordAlias.id, RecordAlias.record_id)).all())
        distributions = session.scalars(text("SELECT record_id FROM distributions")).all()
        log = session.execute(text("SELECT record_id, operation FROM change_log")).all()
    assert aliases == {old_ids[key]: new_ids[key] for key in old_ids}
    assert sorted(distributions) == sorted(new_ids.values())
    for key in old_ids:  # indexes drop the old id and take the new one
        assert (old_ids[key], "delete") in log and (new_ids[key], "upsert") in log

    settings = load_settings(home=tmp_path, base_url="http://localhost")
    app = create_app(
        settings,
        catalogue=catalogue,
        backend=EmbeddedBackend(tmp_path / "search"),
        config=WebConfig(rate_limit_per_minute=0),
    )
    with TestClient(app, follow_redirects=False) as client:
        for path in ("/datasets/{}", "/api/records/{}", "/datasets/{}.ttl"):
            answer = client.get(path.format(old_ids["a"]), headers={"Accept": "text/html"})
            assert answer.status_code == 301, path
            assert answer.headers["location"].endswith(path.format(new_ids["a"]))
        assert client.get(f"/datasets/{uuid.uuid4().hex}").status_code == 404
    catalogue.close()
