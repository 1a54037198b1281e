"""reminder kinds: check-in and shared for an appointment

Issue 18: two more kinds of reminder, each with its own switch in the reminder settings (on by
default: nothing is sent before a person turns reminders on on a device). A participant's "how
did your appointment go?" after an appointment; a clinician's "a participant sent you something
for tomorrow's appointment". Existing rows get the default.

Revision ID: 3e77d3ca67c0
Revises: 433ad551e5ab
Create Date: 2026-12-03 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e77d3ca67c0"
down_revision: str | None = "433ad551e5ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("appointment_checkin", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("shared_for_appointment", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    # The code before this revision knows no other kind: their waiting reminders go.
    op.execute(
        sa.text("DELETE FROM push_outbox WHERE kind IN ('appointment_checkin', 'shared_for_appointment')")
    )
    with op.batch_alter_table("reminder_settings", schema=None) as batch_op:
        batch_op.drop_column("shared_for_appointment")
        batch_op.drop_column("appointment_checkin")
