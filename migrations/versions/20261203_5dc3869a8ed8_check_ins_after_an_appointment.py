"""check-ins after an appointment

After an appointment, how did it go? (issue 14, item 3): four of Stem's own statements, 0 to 10
each (any may be skipped), and an encrypted note; one per appointment; private until sent
(`sent_at`). The appointment and clinician go to NULL when they are removed; `appointment_at`
keeps the moment.

Revision ID: 5dc3869a8ed8
Revises: 0e6027160888
Create Date: 2026-12-03 07:29:28.214660
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "5dc3869a8ed8"
down_revision: str | None = "0e6027160888"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heard", sa.Integer(), nullable=True),
        sa.Column("goals", sa.Integer(), nullable=True),
        sa.Column("approach", sa.Integer(), nullable=True),
        sa.Column("voice", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "approach IS NULL OR (approach >= 0 AND approach <= 10)", name=op.f("ck_check_ins_approach_range")
        ),
        sa.CheckConstraint(
            "goals IS NULL OR (goals >= 0 AND goals <= 10)", name=op.f("ck_check_ins_goals_range")
        ),
        sa.CheckConstraint(
            "heard IS NULL OR (heard >= 0 AND heard <= 10)", name=op.f("ck_check_ins_heard_range")
        ),
        sa.CheckConstraint(
            "voice IS NULL OR (voice >= 0 AND voice <= 10)", name=op.f("ck_check_ins_voice_range")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_check_ins_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_check_ins_clinician_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_check_ins_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint("participant_id", "appointment_id", name="uq_check_ins_participant_appointment"),
    )
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_ins_clinician_id"), ["clinician_id"], unique=False)
        batch_op.create_index(
            "ix_check_ins_participant_clinician",
            ["participant_id", "clinician_id", "appointment_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_participant_clinician")
        batch_op.drop_index(batch_op.f("ix_check_ins_clinician_id"))

    op.drop_table("check_ins")
