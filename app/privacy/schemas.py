"""The participant's own data, whole: what `GET /api/v1/me/export` returns (GDPR access and
portability)."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.accounts.schemas import AccountResetView, PasskeySummary, RecoveryCodesStatus, SignInEvent
from app.checkins.schemas import CheckInPublic
from app.goals.schemas import GoalPublic
from app.journal.schemas import EntryPublic
from app.models.enums import Discipline
from app.reminders.schemas import DevicePublic, ReminderPublic, ReminderSettingsPublic
from app.sharing.schemas import (
    AccessLogItem,
    AppointmentPublic,
    CalendarLinkStatus,
    ResponsePublic,
    SharePublic,
    TeamJoinerDecided,
)
from app.story.schemas import StoryPublic, StoryReader, StoryVersionPublic
from app.tasks.schemas import TaskPublic
from app.validation import StrictModel


class ExportProfile(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    locale: str
    time_zone: str
    created_at: datetime
    care_team: str | None


class ExportTeamMember(BaseModel):
    display_name: str
    discipline: Discipline | None


class ParticipantExport(BaseModel):
    format: str = "stem-export/1"
    exported_at: datetime
    profile: ExportProfile
    care_team_clinicians: list[ExportTeamMember]
    entries: list[EntryPublic]
    shares: list[SharePublic]
    responses: list[ResponsePublic]
    appointments: list[AppointmentPublic]
    access_log: list[AccessLogItem]
    team_joiner_answers: list[TeamJoinerDecided] = Field(
        description="My answers about clinicians who joined my team later: may they see earlier team shares"
    )
    sign_ins: list[SignInEvent] = Field(description="My own sign-ins, failed attempts and sign-outs")
    recovery_codes: RecoveryCodesStatus = Field(
        description="How many of my recovery codes are left (the codes themselves are never kept)"
    )
    story: StoryPublic = Field(description="My story as it is now, and who it is shared with")
    story_versions: list[StoryVersionPublic] = Field(
        description="Every saved version of my story, newest first"
    )
    story_readers: list[StoryReader] = Field(description="Who read my story, and when")
    goals: list[GoalPublic] = Field(
        default_factory=list,
        description="My goals (the trash too) with every wording, every rating and the team's agreement",
    )
    tasks: list[TaskPublic] = Field(
        default_factory=list,
        description="What my team suggested, with every answer and try of mine and what I sent of them",
    )
    check_ins: list[CheckInPublic] = Field(
        default_factory=list,
        description="How my appointments went, in my words (sent or not), oldest first",
    )
    account_resets: list[AccountResetView] = Field(
        default_factory=list,
        description="Password resets of my account by my team: who started, who approved, when",
    )
    passkeys: list[PasskeySummary] = Field(
        description="My passkeys: my own name for each, when I added it and when I last used it"
    )
    push_devices: list[DevicePublic] = Field(
        default_factory=list,
        description="The devices I turned reminders on for: my name for each, its push service's host "
        "and since when (never the push address or keys)",
    )
    reminder_settings: ReminderSettingsPublic | None = Field(
        default=None, description="When I want reminders, and my quiet hours"
    )
    reminders: list[ReminderPublic] = Field(
        default_factory=list, description="The reminders pushed or to be pushed to me: kind and when"
    )
    calendar_link: CalendarLinkStatus = Field(
        description="Whether my private calendar link is on, and since when (the link itself is never kept)"
    )


class EraseRequest(StrictModel):
    password: str = Field(min_length=1, max_length=1024)
    confirm: bool = Field(description="Must be true: erasing cannot be undone")
