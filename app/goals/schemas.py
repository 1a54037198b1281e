"""Request and response shapes of goals: the participant's own words, ratings and order."""

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from app.models.enums import GoalStatus
from app.sharing.schemas import ResponsePublic
from app.validation import StrictModel

MAX_GOALS = 200


class GoalRatingCreate(StrictModel):
    """ "How well can I do this now?", 0 to 10. `id` may be made by the phone, so that a rating
    sent twice is kept once; `rated_at` (defaults to now) when it was given offline."""

    id: uuid.UUID | None = None
    value: int = Field(ge=0, le=10)
    rated_at: AwareDatetime | None = None


class GoalRatingPublic(BaseModel):
    id: uuid.UUID
    value: int
    rated_at: datetime


class GoalWordingPublic(BaseModel):
    """One wording of a goal; the current one has no `replaced_at`."""

    number: int
    body: str
    worded_at: datetime
    replaced_at: datetime | None


class GoalView(BaseModel):
    """A goal as a clinician it is shared with sees it (and its author): every wording (the
    current one last), the ratings (oldest first) and the team's agreement per wording. Nothing
    of the participant's other goals: no place in their order, no version."""

    id: uuid.UUID
    body: str = Field(description="The current wording")
    wording_number: int
    goal_status: GoalStatus
    goal_note: str | None
    created_at: datetime
    updated_at: datetime
    wordings: list[GoalWordingPublic]
    ratings: list[GoalRatingPublic]
    agreements: list[ResponsePublic] = Field(
        description="Clinicians' agreement (an outcome on a wording), with the participant's view"
    )


class GoalPublic(GoalView):
    """A goal as its author sees it: also its place in their order and its version (If-Match)."""

    goal_rank: int | None
    version: int


class GoalOrder(StrictModel):
    """My goals, the one that matters most first. Goals left out follow, in their old order."""

    ids: list[uuid.UUID] = Field(max_length=MAX_GOALS)
