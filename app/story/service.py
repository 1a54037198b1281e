"""The participant's story (issue 15): written over time, every saved version kept, private until
shared as a whole with the team or chosen clinicians, under the one rule that entries follow.

A clinician it is shared with reads it on the preparation page; every read is audited (the
participant sees who read it) and remembered per clinician, so that what changed since their
last read is marked."""

import json
import uuid

from sqlmodel import Session

from app.audit import service as audit
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_
from app.models import Story, StoryVersion, User
from app.models.enums import StorySection
from app.models.types import utcnow
from app.sharing import service as sharing_service
from app.sharing.schemas import ShareCreate, StorySharePublic
from app.story import repository
from app.story.repository import STORY_READ
from app.story.schemas import (
    MAX_SECTION,
    StoryContent,
    StoryForClinician,
    StoryPublic,
    StoryReader,
    StoryVersionPublic,
    StoryVersionSummary,
    StoryWrite,
    Treatment,
)

VERSION_NOT_FOUND = N_("This version of your story does not exist.")
NOTHING_TO_SHARE = N_("Write and save your story first; then you can share it.")
STORY_CHANGED = N_(
    "Your story was saved somewhere else in the meantime. Your text is still here: "
    "look at the newest version, then save again."
)


def _clean(data: StoryWrite) -> StoryContent:
    """Line endings made alike, empty sections left out, each within its length."""
    sections: dict[StorySection, str] = {}
    for section in StorySection:
        text = data.sections.get(section, "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > MAX_SECTION:
            raise InvalidInput(
                N_("This is too long (at most {maximum} characters)."),
                field=f"sections.{section.value}",
                maximum=MAX_SECTION,
            )
        if text:
            sections[section] = text
    treatments = [
        Treatment(what=item.what.strip(), when=item.when.strip(), effect=item.effect)
        for item in data.treatments
        if item.what.strip()
    ]
    return StoryContent(sections=sections, treatments=treatments)


def _content(version: StoryVersion) -> StoryContent:
    return StoryContent.model_validate(json.loads(version.content))


def _dump(content: StoryContent) -> str:
    return json.dumps(content.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def _public(session: Session, story: Story | None) -> StoryPublic:
    if story is None:
        return StoryPublic(version=0, updated_at=None)
    current = repository.version_of(session, story.id, story.version)
    content = _content(current) if current else StoryContent()
    return StoryPublic(
        **content.model_dump(),
        version=story.version,
        updated_at=story.updated_at,
        shares=sharing_service.story_shares(session, story_id=story.id),
    )


def my_story(session: Session, *, actor: User) -> StoryPublic:
    return _public(session, repository.story_of(session, actor.id))


def save(session: Session, *, actor: User, data: StoryWrite) -> StoryPublic:
    """A new version, unless nothing changed (a second tap on "Save" keeps one version)."""
    content = _clean(data)
    story = repository.story_of(session, actor.id)
    now = utcnow()
    if story is None:
        if data.base_version != 0:
            raise Conflict(STORY_CHANGED, code="story_changed", version=0)
        story = Story(participant_id=actor.id, version=1, created_at=now, updated_at=now)
        session.add(story)
        session.flush()
    else:
        current = repository.version_of(session, story.id, story.version)
        if current is not None and _dump(_content(current)) == _dump(content):
            return _public(session, story)  # the same words again: nothing to keep twice
        if data.base_version != story.version:
            raise Conflict(STORY_CHANGED, code="story_changed", version=story.version)
        story.version += 1
        story.updated_at = now
        session.add(story)
    session.add(StoryVersion(story_id=story.id, version=story.version, content=_dump(content), saved_at=now))
    session.flush()
    audit.record(session, action="story.save", actor=actor, subject_id=actor.id, target=story.id)
    return _public(session, story)


def versions(session: Session, *, actor: User) -> list[StoryVersionSummary]:
    story = repository.story_of(session, actor.id)
    if story is None:
        return []
    summaries = []
    for version in repository.versions_of(session, story.id):
        content = _content(version)
        summaries.append(
            StoryVersionSummary(
                version=version.version,
                saved_at=version.saved_at,
                sections=list(content.sections),
                treatments=len(content.treatments),
            )
        )
    return summaries


def version(session: Session, *, actor: User, number: int) -> StoryVersionPublic:
    story = repository.story_of(session, actor.id)
    found = repository.version_of(session, story.id, number) if story else None
    if found is None:
        raise NotFound(VERSION_NOT_FOUND)
    return StoryVersionPublic(**_content(found).model_dump(), version=found.version, saved_at=found.saved_at)


def share(session: Session, *, actor: User, data: ShareCreate) -> list[StorySharePublic]:
    story = repository.story_of(session, actor.id)
    if story is None:
        raise Conflict(NOTHING_TO_SHARE, code="no_story")
    return sharing_service.share_story(session, actor=actor, story_id=story.id, data=data)


def revoke(session: Session, *, actor: User, share_id: uuid.UUID) -> StorySharePublic:
    story = repository.story_of(session, actor.id)
    if story is None:
        raise NotFound(sharing_service.STORY_SHARE_NOT_FOUND)
    return sharing_service.revoke_story_share(session, actor=actor, story_id=story.id, share_id=share_id)


def for_clinician(session: Session, *, actor: User, participant_id: uuid.UUID) -> StoryForClinician | None:
    """The story, if it is shared with this clinician now; reading it is recorded (audit, and
    the version read, so the next read marks what changed)."""
    story = repository.visible_story(session, actor.id, participant_id)
    if story is None:
        return None
    current = repository.version_of(session, story.id, story.version)
    if current is None:
        return None
    content = _content(current)
    earlier = repository.last_read(session, story.id, actor.id)
    # What changed since this clinician last read it; never read: since it was shared with them.
    if earlier is not None:
        before_version = repository.version_of(session, story.id, earlier.version)
    else:
        shared_at = repository.first_shared_with(session, story.id, actor.id)
        before_version = repository.version_at(session, story.id, shared_at) if shared_at else None
    changed: list[StorySection] = []
    treatments_changed = False
    if before_version is not None and before_version.version != story.version:
        before = _content(before_version)
        changed = [
            section
            for section in StorySection
            if content.sections.get(section, "") != before.sections.get(section, "")
        ]
        treatments_changed = _dump(StoryContent(treatments=content.treatments)) != _dump(
            StoryContent(treatments=before.treatments)
        )
    now = utcnow()
    repository.record_read(session, story.id, actor.id, story.version, now)
    audit.record(session, action=STORY_READ, actor=actor, subject_id=participant_id, target=story.id)
    return StoryForClinician(
        **content.model_dump(),
        participant_id=participant_id,
        version=story.version,
        updated_at=story.updated_at,
        first_read=earlier is None,
        changed=changed,
        treatments_changed=treatments_changed,
    )


def readers(session: Session, *, actor: User) -> list[StoryReader]:
    """Who read my story, and when, newest first."""
    return [
        StoryReader.model_validate(
            {"clinician_name": name, "clinician_discipline": discipline, "read_at": at}
        )
        for name, discipline, at in repository.readers_of(session, actor.id)
    ]
