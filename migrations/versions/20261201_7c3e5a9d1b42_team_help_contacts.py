"""team help contacts

A care team's own contacts for its participants' "Help now" page (the reception's phone and
opening hours) and its reading habit, shown where a participant shares. All optional; set by an
admin.

Revision ID: 7c3e5a9d1b42
Revises: d02b185f467f
Create Date: 2026-12-01 06:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3e5a9d1b42"
down_revision: str | None = "d02b185f467f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("care_teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("help_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("help_hours", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reading_habit", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("care_teams", schema=None) as batch_op:
        batch_op.drop_column("reading_habit")
        batch_op.drop_column("help_hours")
        batch_op.drop_column("help_phone")
