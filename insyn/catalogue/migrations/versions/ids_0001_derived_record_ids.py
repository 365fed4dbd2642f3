"""ids: record ids derived from the source's name and the record's key; old ids redirect

A record's id was random, so its URL changed on every new install. It is now the first
32 hex digits of SHA-256 over the source's name and the record's key
(``insyn.catalogue.store.derived_record_id``). Each existing record gets its derived id
(oldest first, so where two would share one, the older keeps it and the younger takes the
next of the series); the tables that name it follow (distributions, K/R/T history, change
log, request documents; the audit log keeps what was seen then), and its old id goes into
the new ``record_aliases`` table, from which the web redirects. The change log gains a
delete of the old id and an upsert of the new one for each live record, so search indexes
follow without a rebuild.

Revision ID: ids_0001
Revises: vis_0001
Create Date: 2026-12-07 10:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from insyn.catalogue.store import derived_record_id

revision = "ids_0001"
down_revision = "vis_0001"
branch_labels = None
depends_on = None

FOLLOWERS = ("distributions", "classification_history", "change_log", "access_request_documents")


def upgrade() -> None:
    op.create_table(
        "record_aliases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_aliases_record", "record_aliases", ["record_id"])
    connection = op.get_bind()
    metadata = sa.MetaData()
    records = sa.Table("records", metadata, autoload_with=connection)
    sources = sa.Table("sources", metadata, autoload_with=connection)
    aliases = sa.Table("record_aliases", metadata, autoload_with=connection)
    change_log = sa.Table("change_log", metadata, autoload_with=connection)
    followers = [sa.Table(name, metadata, autoload_with=connection) for name in FOLLOWERS]
    rows = connection.execute(
        sa.select(records.c.id, sources.c.name, records.c.source_key, records.c.deleted_at)
        .join(sources, sources.c.id == records.c.source_id)
        .order_by(records.c.first_seen, records.c.id)
    ).all()
    taken = {row.id for row in rows}
    now = datetime.now(UTC)
    others = [column for column in records.c if column.name not in ("id", "source_key")]
    for old, source_name, key, deleted_at in rows:
        if old == derived_record_id(source_name, key):
            continue
        attempt = 0
        while (new := derived_record_id(source_name, key, attempt)) in taken:
            attempt += 1
        taken.add(new)
        # The old row steps aside from (source, key) so its copy can take them.
        connection.execute(
            records.update()
            .where(records.c.id == old)
            .values(source_key=f"[ids_0001 moving {old}]")
        )
        copy = sa.select(sa.literal(new, sa.String()), sa.literal(key, sa.String()), *others)
        connection.execute(
            records.insert().from_select(
                ["id", "source_key", *(column.name for column in others)],
                copy.where(records.c.id == old),
            )
        )
        for table in followers:
            connection.execute(table.update().where(table.c.record_id == old).values(record_id=new))
        connection.execute(records.delete().where(records.c.id == old))
        connection.execute(aliases.insert().values(id=old, record_id=new))
        if deleted_at is None:
            connection.execute(
                change_log.insert(),
                [
                    {"record_id": old, "operation": "delete", "changed_at": now},
                    {"record_id": new, "operation": "upsert", "changed_at": now},
                ],
            )


def downgrade() -> None:
    # The derived ids stay (they are as good an id as the random ones); the aliases go.
    op.drop_index("ix_record_aliases_record", table_name="record_aliases")
    op.drop_table("record_aliases")
