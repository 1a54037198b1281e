"""account resets

Care-team assisted password resets: started by one clinician, approved by a second person, a
one-time code (hash only) that the participant uses to choose a new password.

Revision ID: a7e577495b76
Revises: b3d71e0c2f58
Create Date: 2026-12-02 17:16:40.590661
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "a7e577495b76"
down_revision: str | None = "b3d71e0c2f58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_resets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_issued_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_expires_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_id", sa.Uuid(), nullable=True),
        sa.Column("seen_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_account_resets_approved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["users.id"],
            name=op.f("fk_account_resets_cancelled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_account_resets_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_account_resets_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_resets")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_account_resets_code_hash")),
    )
    with op.batch_alter_table("account_resets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_resets_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("account_resets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_resets_participant_id"))

    op.drop_table("account_resets")
