"""reviews: review analyses (sentiment, aspects), aspect taxonomies, alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_analyses",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("p_positive", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("aspects", sa.JSON(), nullable=False),
        sa.Column("analyzed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_analyses_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_analyses")),
    )
    with op.batch_alter_table("review_analyses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_analyses_sentiment"), ["sentiment"], unique=False)
    op.create_table(
        "aspect_taxonomies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=500), nullable=False),
        sa.Column("aspects", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aspect_taxonomies")),
        sa.UniqueConstraint("category", name=op.f("uq_aspect_taxonomies_category")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_status_kind", ["status", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_status_kind")
    op.drop_table("alerts")
    op.drop_table("aspect_taxonomies")
    with op.batch_alter_table("review_analyses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_analyses_sentiment"))
    op.drop_table("review_analyses")
