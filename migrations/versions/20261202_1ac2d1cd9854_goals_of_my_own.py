"""goals of my own

Goals in the participant's own words (issue 14): every earlier wording kept (encrypted), ratings
of "how well can I do this now" from 0 to 10, a why when reached or let go, an order of what
matters most, and the wording a clinician's agreement was about. An outcome recorded on a goal
before this revision was about its only wording so far: number 1.

Revision ID: 1ac2d1cd9854
Revises: 57abf943b94d
Create Date: 2026-12-02 21:50:56.048074
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "1ac2d1cd9854"
down_revision: str | None = "57abf943b94d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goal_ratings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("rated_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value >= 0 AND value <= 10", name=op.f("ck_goal_ratings_value_range")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_goal_ratings_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_ratings")),
    )
    with op.batch_alter_table("goal_ratings", schema=None) as batch_op:
        batch_op.create_index("ix_goal_ratings_entry_rated", ["entry_id", "rated_at"], unique=False)

    op.create_table(
        "goal_wordings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("worded_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_goal_wordings_number_positive")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_goal_wordings_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_wordings")),
        sa.UniqueConstraint("entry_id", "number", name="uq_goal_wordings_entry_number"),
    )
    with op.batch_alter_table("goal_wordings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_wordings_entry_id"), ["entry_id"], unique=False)

    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("goal_rank", sa.Integer(), nullable=True))

    with op.batch_alter_table("entry_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal_wording", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE entry_responses SET goal_wording = 1 WHERE outcome IS NOT NULL"
        " AND entry_id IN (SELECT id FROM entries WHERE kind = 'goal')"
    )


def downgrade() -> None:
    with op.batch_alter_table("entry_responses", schema=None) as batch_op:
        batch_op.drop_column("goal_wording")

    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("goal_rank")
        batch_op.drop_column("goal_note")

    with op.batch_alter_table("goal_wordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_wordings_entry_id"))

    op.drop_table("goal_wordings")
    with op.batch_alter_table("goal_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_goal_ratings_entry_rated")

    op.drop_table("goal_ratings")
