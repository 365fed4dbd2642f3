"""The Alembic migrations build exactly the schema the models describe, on both stores."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from insyn.catalogue import db
from insyn.catalogue.schema import Base
from insyn.catalogue.store import Catalogue


def test_models_and_migrations_agree(catalogue: Catalogue) -> None:
    with catalogue.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrating_twice_is_harmless(catalogue_url: str) -> None:
    Catalogue(catalogue_url).close()
    again = Catalogue(catalogue_url)
    with again.engine.connect() as connection:
        heads = set(MigrationContext.configure(connection).get_current_heads())
    script = ScriptDirectory.from_config(db.alembic_config(again.engine))
    assert heads == set(script.get_heads())
    again.close()
