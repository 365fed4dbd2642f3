"""The Alembic migrations: one linear chain that builds exactly the schema the models describe,
on both stores, also from a database stamped by the old branches."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import text

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


def test_one_linear_chain(catalogue: Catalogue) -> None:
    script = ScriptDirectory.from_config(db.alembic_config(catalogue.engine))
    assert script.get_heads() == ["orgtype_0001"]
    chain = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    assert chain == [
        "0001",
        "0002",
        "ops_0001",
        "followup_0001",
        "desk_0001",
        "trust_0001",
        "desk_0002",
        "vis_0001",
        "ids_0001",
        "orgtype_0001",
    ]


def _old_branch_state(url: str, applied: list[str]) -> None:
    """Build a database as the old four-branch history left it.

    0001 and 0002 are run; each other revision in ``applied`` has its own ``upgrade``
    run as its branch did (on top of 0001 alone); ``alembic_version`` then holds 0002
    and ``applied``, one row per branch head.
    """
    engine = db.make_engine(url)
    config = db.alembic_config(engine)
    command.upgrade(config, "0002")
    script = ScriptDirectory.from_config(config)
    with engine.begin() as connection:
        context = MigrationContext.configure(
            connection, opts={"render_as_batch": connection.dialect.name == "sqlite"}
        )
        with Operations.context(context):
            for revision in applied:
                script.get_revision(revision).module.upgrade()
        connection.execute(text("DELETE FROM alembic_version"))
        for head in ["0002", *applied]:
            connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": head}
            )
    engine.dispose()


@pytest.mark.parametrize(
    "applied",
    [["ops_0001", "followup_0001", "desk_0001"], ["desk_0001"], ["followup_0001"]],
    ids=["all-four-heads", "desk-only", "followup-only"],
)
def test_upgrading_a_database_with_the_old_heads(catalogue_url: str, applied: list[str]) -> None:
    _old_branch_state(catalogue_url, applied)
    upgraded = Catalogue(catalogue_url)
    with upgraded.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_heads() == ("orgtype_0001",)
        assert compare_metadata(context, Base.metadata) == []
    upgraded.close()


def test_the_head_read_without_alembic_is_alembics(catalogue: Catalogue) -> None:
    """``migrate`` skips Alembic when the database is stamped with the head read from the
    revision files' own lines: that head must be Alembic's."""
    script = ScriptDirectory.from_config(db.alembic_config(catalogue.engine))
    assert [db.newest_revision()] == script.get_heads()


def test_a_database_one_revision_behind_is_upgraded(catalogue_url: str) -> None:
    engine = db.make_engine(catalogue_url)
    command.upgrade(db.alembic_config(engine), "ids_0001")
    engine.dispose()
    upgraded = Catalogue(catalogue_url)
    with upgraded.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == ("orgtype_0001",)
    upgraded.close()
