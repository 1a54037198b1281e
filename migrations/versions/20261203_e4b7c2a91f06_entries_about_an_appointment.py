"""entries about an appointment

An entry written from a check-in ("Would you like to write down what happened?") keeps the
appointment it is about. Optional; it goes to NULL when the appointment is cancelled or erased.

Revision ID: e4b7c2a91f06
Revises: 5dc3869a8ed8
Create Date: 2026-12-03 13:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4b7c2a91f06"
down_revision: str | None = "5dc3869a8ed8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appointment_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_entries_appointment_id_appointments"),
            "appointments",
            ["appointment_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_entries_appointment_id_appointments"), type_="foreignkey")
        batch_op.drop_column("appointment_id")
