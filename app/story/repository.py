"""All SQL of "My story"."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import AuditEvent, AuditPerson, Share, Story, StoryRead, StoryVersion, User
from app.sharing.repository import live_story_share_for, participant_in_my_teams

STORY_READ = "story.read"


def story_of(session: Session, participant_id: uuid.UUID) -> Story | None:
    return session.exec(select(Story).where(col(Story.participant_id) == participant_id)).first()


def versions_of(session: Session, story_id: uuid.UUID) -> Sequence[StoryVersion]:
    """Newest first."""
    return session.exec(
        select(StoryVersion)
        .where(col(StoryVersion.story_id) == story_id)
        .order_by(col(StoryVersion.version).desc())
    ).all()


def version_of(session: Session, story_id: uuid.UUID, version: int) -> StoryVersion | None:
    return session.exec(
        select(StoryVersion).where(
            col(StoryVersion.story_id) == story_id, col(StoryVersion.version) == version
        )
    ).first()


def version_at(session: Session, story_id: uuid.UUID, moment: datetime) -> StoryVersion | None:
    """The version that was the newest at that moment."""
    return session.exec(
        select(StoryVersion)
        .where(col(StoryVersion.story_id) == story_id, col(StoryVersion.saved_at) <= moment)
        .order_by(col(StoryVersion.version).desc())
    ).first()


def first_shared_with(session: Session, story_id: uuid.UUID, clinician_id: uuid.UUID) -> datetime | None:
    """When the live share of the story with this clinician, or with the whole team, began."""
    return session.exec(
        select(Share.created_at)
        .where(
            col(Share.story_id) == story_id,
            col(Share.revoked_at).is_(None),
            (col(Share.clinician_id) == clinician_id) | col(Share.clinician_id).is_(None),
        )
        .order_by(col(Share.created_at))
    ).first()


def visible_story(session: Session, clinician_id: uuid.UUID, participant_id: uuid.UUID) -> Story | None:
    """The participant's story, if it is shared with this clinician now (the one rule) and the
    participant is in one of their teams."""
    return session.exec(
        select(Story).where(
            col(Story.participant_id) == participant_id,
            participant_in_my_teams(clinician_id, Story.participant_id),
            live_story_share_for(clinician_id, Story.id, Story.participant_id),
        )
    ).first()


def last_read(session: Session, story_id: uuid.UUID, clinician_id: uuid.UUID) -> StoryRead | None:
    return session.get(StoryRead, (story_id, clinician_id))


def record_read(
    session: Session, story_id: uuid.UUID, clinician_id: uuid.UUID, version: int, now: datetime
) -> None:
    read = session.get(StoryRead, (story_id, clinician_id))
    if read is None:
        session.add(StoryRead(story_id=story_id, clinician_id=clinician_id, version=version, read_at=now))
    else:
        read.version, read.read_at = version, now
        session.add(read)
    session.flush()


def readers_of(
    session: Session, participant_id: uuid.UUID, limit: int = 500
) -> list[tuple[str | None, object, datetime]]:
    """Every clinician read of this participant's story, newest first: (name, discipline, when)."""
    subject_ref = select(AuditPerson.ref).where(col(AuditPerson.user_id) == participant_id).scalar_subquery()
    actor = aliased(AuditPerson)
    statement = (
        select_columns(col(User.display_name), col(User.discipline), col(AuditEvent.occurred_at))
        .select_from(AuditEvent)
        .outerjoin(actor, col(actor.ref) == col(AuditEvent.actor_ref))
        .outerjoin(User, col(User.id) == col(actor.user_id))
        .where(
            col(AuditEvent.subject_ref) == subject_ref,
            col(AuditEvent.action) == STORY_READ,
            col(AuditEvent.outcome) == "ok",
        )
        .order_by(col(AuditEvent.seq).desc())
        .limit(limit)
    )
    return [(name, discipline, at) for name, discipline, at in session.execute(statement).all()]
