"""tasks the participant can agree with

Tasks (issue 14, item 2): a clinician's suggestion to a participant of their team (encrypted, with
how often and until when, optionally linked to one of the participant's goals), the participant's
answers to it ("fits / doubts / does not fit", every one kept) and their tries, each private until
sent (`sent_at`).

Revision ID: 0e6027160888
Revises: 1ac2d1cd9854
Create Date: 2026-12-03 06:52:57.887227
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0e6027160888"
down_revision: str | None = "1ac2d1cd9854"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("goal_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("how_often", sa.Text(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_tasks_clinician_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["entries.id"], name=op.f("fk_tasks_goal_id_entries"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["users.id"], name=op.f("fk_tasks_participant_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_clinician_id"), ["clinician_id"], unique=False)
        batch_op.create_index("ix_tasks_participant_created", ["participant_id", "created_at"], unique=False)

    op.create_table(
        "task_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "fits",
                "doubts",
                "does_not_fit",
                name="taskanswer",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_answers_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_answers")),
    )
    with op.batch_alter_table("task_answers", schema=None) as batch_op:
        batch_op.create_index("ix_task_answers_task_answered", ["task_id", "answered_at"], unique=False)

    op.create_table(
        "task_tries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "did_it",
                "partly",
                "not_this_time",
                "too_painful",
                name="tryoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("tried_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_tries_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_tries")),
    )
    with op.batch_alter_table("task_tries", schema=None) as batch_op:
        batch_op.create_index("ix_task_tries_task_tried", ["task_id", "tried_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_tries", schema=None) as batch_op:
        batch_op.drop_index("ix_task_tries_task_tried")

    op.drop_table("task_tries")
    with op.batch_alter_table("task_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_task_answers_task_answered")

    op.drop_table("task_answers")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_participant_created")
        batch_op.drop_index(batch_op.f("ix_tasks_clinician_id"))

    op.drop_table("tasks")
