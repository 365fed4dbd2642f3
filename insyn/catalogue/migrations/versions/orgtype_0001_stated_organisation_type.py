"""orgtype: the ADMS type an administrator states for an organisation

``organisations.org_type`` is what the sources say of an organisation, and a harvest
writes it. ``stated_type`` is what the administrator states (``insyn organisations
type``); no harvest touches it, and the export uses it for a publisher or creator that a
record names without an ADMS type. Nothing is filled in: every organisation starts without.

Revision ID: orgtype_0001
Revises: ids_0001
Create Date: 2026-12-05 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "orgtype_0001"
down_revision = "ids_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("stated_type", sa.String(length=500)))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("stated_type")
