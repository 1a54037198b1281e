"""JSON API of "My story". Thin: parse, call one service, answer."""

import uuid

from fastapi import APIRouter, status

from app.accounts.deps import CurrentClinician, CurrentParticipant
from app.deps import SessionDep, records_access
from app.errors import NotFound
from app.i18n import N_
from app.sharing.schemas import ShareCreate, StorySharePublic
from app.story import service
from app.story.schemas import (
    StoryForClinician,
    StoryPublic,
    StoryReader,
    StoryVersionPublic,
    StoryVersionSummary,
    StoryWrite,
)

router = APIRouter(prefix="/api/v1", tags=["story"])

NOT_SHARED = N_("There is no story shared with you by this participant.")


@router.get("/me/story")
def read_my_story(user: CurrentParticipant, session: SessionDep) -> StoryPublic:
    """My story as it is now (version 0 when nothing is written yet), and who it is shared with."""
    return service.my_story(session, actor=user)


@router.put("/me/story")
def save_my_story(data: StoryWrite, user: CurrentParticipant, session: SessionDep) -> StoryPublic:
    """Save a new version (every version is kept). 409 when it changed since `base_version`."""
    return service.save(session, actor=user, data=data)


@router.get("/me/story/versions")
def my_story_versions(user: CurrentParticipant, session: SessionDep) -> list[StoryVersionSummary]:
    return service.versions(session, actor=user)


@router.get("/me/story/versions/{number}")
def my_story_version(number: int, user: CurrentParticipant, session: SessionDep) -> StoryVersionPublic:
    return service.version(session, actor=user, number=number)


@router.post("/me/story/shares", status_code=status.HTTP_201_CREATED)
def share_my_story(
    data: ShareCreate, user: CurrentParticipant, session: SessionDep
) -> list[StorySharePublic]:
    """Share the whole story with my team or chosen clinicians of it; private until I do."""
    return service.share(session, actor=user, data=data)


@router.delete("/me/story/shares/{story_share_id}")
def revoke_my_story_share(
    story_share_id: uuid.UUID, user: CurrentParticipant, session: SessionDep
) -> StorySharePublic:
    """Taken back at once."""
    return service.revoke(session, actor=user, share_id=story_share_id)


@router.get("/me/story/readers")
def my_story_readers(user: CurrentParticipant, session: SessionDep) -> list[StoryReader]:
    """Who read my story, and when."""
    return service.readers(session, actor=user)


@router.get("/clinician/participants/{participant_id}/story")
@records_access
def participant_story(
    participant_id: uuid.UUID, user: CurrentClinician, session: SessionDep
) -> StoryForClinician:
    """A participant's story, only if they shared it with me; the read is recorded."""
    story = service.for_clinician(session, actor=user, participant_id=participant_id)
    if story is None:
        raise NotFound(NOT_SHARED)
    return story
