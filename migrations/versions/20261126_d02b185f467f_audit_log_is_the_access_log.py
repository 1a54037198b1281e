"""audit log is the access log

"Who viewed what I shared" now reads the hash-chained audit log (one `clinician.read` event per
entry opened), so the separate `access_events` table goes. Its rows are not carried over: they
were a copy of what the audit log already held, kept outside the chain.

Revision ID: d02b185f467f
Revises: 18ec5a2822b0
Create Date: 2026-11-26 23:08:31.813699
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "d02b185f467f"
down_revision: str | None = "18ec5a2822b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.drop_index("ix_access_events_participant")

    op.drop_table("access_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_subject_target", ["subject_ref", "target"], unique=False)


def downgrade() -> None:
    # The table comes back empty: reads recorded since live only in the audit log.
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_subject_target")

    op.create_table(
        "access_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_name", sa.String(length=80), nullable=False),
        sa.Column(
            "clinician_discipline",
            sa.Enum(
                "physiotherapist",
                "psychologist",
                "physician",
                "occupational_therapist",
                "social_worker",
                "nurse",
                "other",
                name="clinician_discipline",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("via", sa.String(length=32), nullable=False),
        sa.Column("accessed_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_access_events_clinician_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_access_events_entry_id_entries"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_access_events_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_events")),
    )
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.create_index("ix_access_events_participant", ["participant_id", "accessed_at"], unique=False)
