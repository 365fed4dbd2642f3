"""desk: requests filed from the web, closing without documents, besvärshänvisning

A request filed by the public carries how the answer goes out and the contact details
given for it, and is new until a registrar opens it (``seen_at``). A request with no
documents can be closed as "no such document" or "not an official document". A refused
document keeps the besvärshänvisning sent with the refusal.

Revision ID: desk_0002
Revises: trust_0001
Create Date: 2026-12-05 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "desk_0002"
down_revision = "trust_0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("access_requests") as batch:
        batch.add_column(sa.Column("delivery", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("contact_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("contact_address", sa.Text(), nullable=True))
        batch.add_column(sa.Column("seen_at", TZ, nullable=True))
        batch.add_column(sa.Column("closed_outcome", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("closed_at", TZ, nullable=True))
        batch.add_column(sa.Column("closed_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("access_request_documents") as batch:
        batch.add_column(sa.Column("appeal", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_request_documents") as batch:
        batch.drop_column("appeal")
    with op.batch_alter_table("access_requests") as batch:
        for column in (
            "closed_by",
            "closed_at",
            "closed_outcome",
            "seen_at",
            "contact_address",
            "contact_email",
            "delivery",
        ):
            batch.drop_column(column)
