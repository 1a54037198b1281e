"""JSON API of goals of my own. Thin: parse, call one service, answer.

Wording and rewording a goal, its status and its why are the journal's (an entry of kind goal:
`POST /api/v1/entries`, `PATCH /api/v1/entries/{id}`), and so is sharing it; here are the goal as
a whole, its ratings and the order. A clinician reads the goals shared with them, with their
wordings and ratings, on the preparation page (`/api/v1/clinician/participants/{id}/goals`)."""

import uuid

from fastapi import APIRouter, Response, status

from app.accounts.deps import CurrentParticipant
from app.deps import SessionDep
from app.goals import service
from app.goals.schemas import GoalOrder, GoalPublic, GoalRatingCreate, GoalRatingPublic

router = APIRouter(prefix="/api/v1", tags=["goals"])


@router.get("/me/goals")
def my_goals(user: CurrentParticipant, session: SessionDep) -> list[GoalPublic]:
    """My goals, the one that matters most first, each with every wording and its ratings."""
    return service.my_goals(session, actor=user)


@router.put("/me/goal-order")
def order_my_goals(data: GoalOrder, user: CurrentParticipant, session: SessionDep) -> list[GoalPublic]:
    """Put my goals in the order of what matters most."""
    return service.order(session, actor=user, data=data)


@router.get("/me/goals/{goal_id}")
def my_goal(goal_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> GoalPublic:
    return service.my_goal(session, actor=user, goal_id=goal_id)


@router.post("/me/goals/{goal_id}/ratings", status_code=status.HTTP_201_CREATED)
def rate_my_goal(
    goal_id: uuid.UUID,
    data: GoalRatingCreate,
    response: Response,
    user: CurrentParticipant,
    session: SessionDep,
) -> GoalRatingPublic:
    """How well can I do this now, 0 to 10. 201 when new; 200 when this id was already saved."""
    rating, created = service.rate(session, actor=user, goal_id=goal_id, data=data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return rating


@router.delete("/me/goals/{goal_id}/ratings/{rating_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_my_rating(
    goal_id: uuid.UUID, rating_id: uuid.UUID, user: CurrentParticipant, session: SessionDep
) -> None:
    """A rating given by mistake goes for good."""
    service.delete_rating(session, actor=user, goal_id=goal_id, rating_id=rating_id)
