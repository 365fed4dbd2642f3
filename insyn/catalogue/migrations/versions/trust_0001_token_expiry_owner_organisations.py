"""trust: API tokens expire, owner accounts belong to organisations, sign-in throttle index

Existing tokens get a year from the upgrade (not from their creation: none stops working
the moment the upgrade runs). ``ix_audit_log_client`` serves the sign-in throttle's
look-ups of failures per client address.

Revision ID: trust_0001
Revises: desk_0001
Create Date: 2026-12-03 10:00:00
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "trust_0001"
down_revision = "desk_0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", TZ, nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", TZ))
    op.execute(tokens.update().values(expires_at=datetime.now(UTC) + timedelta(days=365)))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=TZ, nullable=False)
    op.create_table(
        "user_organisations",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "organisation_id"),
    )
    op.create_index("ix_audit_log_client", "audit_log", ["client_address", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_client", table_name="audit_log")
    op.drop_table("user_organisations")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
