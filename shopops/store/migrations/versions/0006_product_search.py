"""product search: stored BM25 tokens and embeddings per product

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_search_docs",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("embed_model", sa.String(length=100), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("indexed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_search_docs_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_search_docs")),
    )


def downgrade() -> None:
    op.drop_table("product_search_docs")
