"""participant answers in the thread

The participant can answer their team's reply on a shared entry: such an answer is a response
row marked `from_participant` (its clinician_id stays empty). Existing rows are the team's.

Revision ID: 7c3a9e51b2d4
Revises: 7c3e5a9d1b42
Create Date: 2026-12-01 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3a9e51b2d4"
down_revision: str | None = "7c3e5a9d1b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entry_responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("from_participant", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    # The participant's answers would read as a removed clinician's replies: they go.
    op.execute(sa.text("DELETE FROM entry_responses WHERE from_participant"))
    with op.batch_alter_table("entry_responses", schema=None) as batch_op:
        batch_op.drop_column("from_participant")
