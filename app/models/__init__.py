"""Every table, imported here so that SQLModel.metadata (and so Alembic) knows them all."""

from sqlmodel import SQLModel

# Stable constraint names, so Alembic can alter and drop them on every backend. Set before
# any table is defined: SQLAlchemy names constraints as they attach to their table.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

from app.models.access import EntryRead  # noqa: E402
from app.models.account_reset import AccountReset  # noqa: E402
from app.models.appointment import AgendaItem, Appointment  # noqa: E402
from app.models.audit import AuditEvent, AuditPerson  # noqa: E402
from app.models.calendar_feed import CalendarFeed  # noqa: E402
from app.models.check_in import CheckIn  # noqa: E402
from app.models.entry import Entry  # noqa: E402
from app.models.goal import GoalRating, GoalWording  # noqa: E402
from app.models.invitation import Invitation  # noqa: E402
from app.models.login_session import LoginSession  # noqa: E402
from app.models.login_throttle import LoginThrottle  # noqa: E402
from app.models.passkey import Passkey, PasskeyChallenge  # noqa: E402
from app.models.push import PushOutboxItem, PushSubscription, ReminderSettings  # noqa: E402
from app.models.recovery_code import RecoveryCode  # noqa: E402
from app.models.response import EntryResponse  # noqa: E402
from app.models.share import Share  # noqa: E402
from app.models.story import Story, StoryRead, StoryVersion  # noqa: E402
from app.models.task import Task, TaskAnswerRecord, TaskTry  # noqa: E402
from app.models.team import CareTeam, TeamMembership, TeamShareDecision  # noqa: E402
from app.models.user import User  # noqa: E402

__all__ = [
    "NAMING_CONVENTION",
    "AccountReset",
    "AgendaItem",
    "Appointment",
    "AuditEvent",
    "AuditPerson",
    "CalendarFeed",
    "CareTeam",
    "CheckIn",
    "Entry",
    "EntryRead",
    "EntryResponse",
    "GoalRating",
    "GoalWording",
    "Invitation",
    "LoginSession",
    "LoginThrottle",
    "Passkey",
    "PasskeyChallenge",
    "PushOutboxItem",
    "PushSubscription",
    "RecoveryCode",
    "ReminderSettings",
    "Share",
    "Story",
    "StoryRead",
    "StoryVersion",
    "Task",
    "TaskAnswerRecord",
    "TaskTry",
    "TeamMembership",
    "TeamShareDecision",
    "User",
]
