"""Migration vis_0001: the description visibility column, and which records it makes
internal (the non-public records of sql and files sources, no others)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from insyn.catalogue import db
from insyn.vocab.model import NON_PUBLIC, PUBLIC, RESTRICTED

# key: (source kind, access right, is_public, provision, description visibility afterwards)
CASES = {
    "sql-open": ("sql", PUBLIC, True, None, "public"),
    "sql-closed": ("sql", NON_PUBLIC, False, None, "internal"),
    "files-secret": ("files", PUBLIC, False, "26 kap. 1 § OSL", "internal"),
    "dcat-closed": ("dcat", NON_PUBLIC, False, None, "public"),
    "dcat-restricted": ("dcat", RESTRICTED, False, "39 kap. 3 § OSL", "public"),
    "ckan-open": ("ckan", PUBLIC, True, None, "public"),
}


def test_upgrade_sets_internal_only_where_a_sql_or_files_source_said_so(
    catalogue_url: str,
) -> None:
    engine = db.make_engine(catalogue_url)
    config = db.alembic_config(engine)
    command.upgrade(config, "desk_0002")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for number, (key, (kind, access, public, provision, _)) in enumerate(CASES.items()):
            connection.execute(
                text(
                    "INSERT INTO sources (id, name, kind, url, options, enabled, created_at)"
                    " VALUES (:id, :name, :kind, NULL, '{}', :yes, :now)"
                ),
                {"id": number + 1, "name": key, "kind": kind, "yes": True, "now": now},
            )
            governance = {"access_rights": access}
            if provision:
                governance["secrecy_provision"] = provision
            data = json.dumps({"kind": "dataset", "title": {"sv": key}, "governance": governance})
            connection.execute(
                text(
                    "INSERT INTO records (id, kind, source_id, source_key, title, content_hash,"
                    " data, field_provenance, access_rights, is_public, first_seen,"
                    " last_changed) VALUES (:id, 'dataset', :source, :key, :title, 'h', :data,"
                    " '{}', :access, :public, :now, :now)"
                ),
                {
                    "id": key,
                    "key": key,
                    "title": key,
                    "source": number + 1,
                    "data": data,
                    "access": access,
                    "public": public,
                    "now": now,
                },
            )
    # To vis_0001 itself: the later ids_0001 gives every record its derived id.
    command.upgrade(config, "vis_0001")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, description_visibility, data FROM records")
        ).all()
    engine.dispose()
    found = {row[0]: row[1] for row in rows}
    assert found == {key: case[4] for key, case in CASES.items()}
    for record_id, _, data in rows:
        plain = data if isinstance(data, dict) else json.loads(data)
        stated = plain["governance"].get("description_visibility")
        assert stated == ("internal" if found[record_id] == "internal" else None), record_id
