"""my story

"My story": a participant's care history in their own words, every saved version kept (its
content encrypted), shared like an entry: a share names an entry or a story, never both.

Revision ID: 8a1f919d20b6
Revises: a7e577495b76
Create Date: 2026-12-02 17:40:49.574436
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "8a1f919d20b6"
down_revision: str | None = "a7e577495b76"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_stories_version_positive")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["users.id"], name=op.f("fk_stories_participant_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
        sa.UniqueConstraint("participant_id", name=op.f("uq_stories_participant_id")),
    )
    op.create_table(
        "story_reads",
        sa.Column("story_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("read_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_story_reads_clinician_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_story_reads_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("story_id", "clinician_id", name=op.f("pk_story_reads")),
    )
    with op.batch_alter_table("story_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_reads_clinician_id"), ["clinician_id"], unique=False)

    op.create_table(
        "story_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("story_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("saved_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_story_versions_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_versions")),
        sa.UniqueConstraint("story_id", "version", name="uq_story_versions_story_version"),
    )
    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_versions_story_id"), ["story_id"], unique=False)

    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.add_column(sa.Column("story_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("entry_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index("ix_shares_story", ["story_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_shares_story_id_stories"), "stories", ["story_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_check_constraint("entry_or_story", "(entry_id IS NULL) <> (story_id IS NULL)")


def downgrade() -> None:
    op.execute("DELETE FROM shares WHERE story_id IS NOT NULL")
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_constraint("entry_or_story", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_shares_story_id_stories"), type_="foreignkey")
        batch_op.drop_index("ix_shares_story")
        batch_op.alter_column("entry_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("story_id")

    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_versions_story_id"))

    op.drop_table("story_versions")
    with op.batch_alter_table("story_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_reads_clinician_id"))

    op.drop_table("story_reads")
    op.drop_table("stories")
