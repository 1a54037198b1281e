"""team shares keep their team

A share with the whole team now records which team that was, and a clinician who joined the team
after a share sees it only once the participant agrees (team_share_decisions). Existing team
shares get the participant's current team. No agreement is assumed for clinicians who joined
after existing shares: after the upgrade they see those earlier shares once the participant
says yes to the notice on their home page (private by default).

Revision ID: 90150c70b841
Revises: 7c3a9e51b2d4
Create Date: 2026-12-02 01:06:18.941933
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "90150c70b841"
down_revision: str | None = "7c3a9e51b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_share_decisions",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("decided_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_team_share_decisions_clinician_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_team_share_decisions_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["care_teams.id"],
            name=op.f("fk_team_share_decisions_team_id_care_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "participant_id", "clinician_id", "team_id", name=op.f("pk_team_share_decisions")
        ),
    )
    with op.batch_alter_table("team_share_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_share_decisions_clinician_id"), ["clinician_id"], unique=False
        )

    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_shares_team_id_care_teams"), "care_teams", ["team_id"], ["id"], ondelete="CASCADE"
        )

    op.execute(
        sa.text(
            "UPDATE shares SET team_id = (SELECT m.team_id FROM team_memberships m"
            " WHERE m.user_id = shares.participant_id AND m.member_role = 'participant')"
            " WHERE audience = 'team'"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_shares_team_id_care_teams"), type_="foreignkey")
        batch_op.drop_column("team_id")

    with op.batch_alter_table("team_share_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_share_decisions_clinician_id"))

    op.drop_table("team_share_decisions")
