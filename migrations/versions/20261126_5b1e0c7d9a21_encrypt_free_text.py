"""Encrypted free text: participant notes become TEXT (ciphertext is longer than the note).

Entry and response bodies were TEXT already; their values are encrypted by the application
(app.crypto). Rows written before this revision are read as they are and sealed by
`stem rotate-key`.

Revision ID: 5b1e0c7d9a21
Revises: c241c8db30fc
Create Date: 2026-11-26 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e0c7d9a21"
down_revision: str | None = "c241c8db30fc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entry_responses", schema=None) as batch_op:
        batch_op.alter_column(
            "participant_note", existing_type=sa.String(length=1000), type_=sa.Text(), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("entry_responses", schema=None) as batch_op:
        batch_op.alter_column(
            "participant_note", existing_type=sa.Text(), type_=sa.String(length=1000), existing_nullable=True
        )
