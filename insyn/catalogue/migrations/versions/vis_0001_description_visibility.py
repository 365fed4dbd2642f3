"""vis: a record's description visibility is its own field, beside the access right

``records.description_visibility`` ("public" or "internal") is what the visibility rule's
SQL reads; the access right no longer hides a description. Every existing record gets
"public", except the records that were not public (``is_public`` false: a non-public or
restricted access right or a secrecy provision) of a ``sql`` or ``files`` source, the
kinds that describe internal systems: those, live or tombstoned, become "internal" in
the column and in the record's JSON (``governance.description_visibility``). No plan
could say "internal" before this revision, so no plan rule is read. ``plan_rules`` gains
the plan's column for it (``description``).

Revision ID: vis_0001
Revises: desk_0002
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "vis_0001"
down_revision = "desk_0002"
branch_labels = None
depends_on = None

INTERNAL_SOURCE_KINDS = ("sql", "files")
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("description_visibility", sa.String(length=10)))
    records = sa.table(
        "records",
        sa.column("id", sa.String()),
        sa.column("source_id", sa.Integer()),
        sa.column("is_public", sa.Boolean()),
        sa.column("data", sa.JSON()),
        sa.column("description_visibility", sa.String()),
    )
    sources = sa.table("sources", sa.column("id", sa.Integer()), sa.column("kind", sa.String()))
    connection = op.get_bind()
    internal_sources = sa.select(sources.c.id).where(sources.c.kind.in_(INTERNAL_SOURCE_KINDS))
    internal = sa.and_(records.c.is_public.is_(False), records.c.source_id.in_(internal_sources))
    rows = connection.execute(sa.select(records.c.id, records.c.data).where(internal)).all()
    for start in range(0, len(rows), BATCH):
        for record_id, data in rows[start : start + BATCH]:
            data = dict(data or {})
            data["governance"] = {
                **(data.get("governance") or {}),
                "description_visibility": "internal",
            }
            connection.execute(
                records.update()
                .where(records.c.id == record_id)
                .values(data=data, description_visibility="internal")
            )
    connection.execute(
        records.update()
        .where(records.c.description_visibility.is_(None))
        .values(description_visibility="public")
    )
    with op.batch_alter_table("records") as batch:
        batch.alter_column(
            "description_visibility", existing_type=sa.String(length=10), nullable=False
        )
        batch.create_index(
            "ix_records_kind_description", ["kind", "description_visibility"], unique=False
        )
    with op.batch_alter_table("plan_rules") as batch:
        batch.add_column(sa.Column("description", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_rules") as batch:
        batch.drop_column("description")
    with op.batch_alter_table("records") as batch:
        batch.drop_index("ix_records_kind_description")
        batch.drop_column("description_visibility")
