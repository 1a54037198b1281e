"""The participant's goals (issue 14, item 1): all of them in the order of what matters most,
each with its ratings as a small line, rated in one tap ("how well can I do this now?"), moved up
or down. A goal is an entry of kind goal: its own page is the entry's page, which adds every
wording it had and what the team said about each.

A rating form carries an id made when the page was drawn: sent twice (a double tap, a phone that
lost the answer), it is kept once."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Form
from pydantic import ValidationError
from starlette.responses import Response

from app.errors import DomainError
from app.goals import service
from app.goals.schemas import GoalRatingCreate
from app.web.forms import FormFields, Refusal, id_or_404, redirect
from app.web.participant.journal import entry_page
from app.web.rendering import page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

_RATING_FIELDS = FormFields(frozenset({"value"}))
Back = Literal["goals", "entry"]


def goals_page(visit: Visit, refused: Refusal | None = None, rated: str = "") -> Response:
    goals = service.my_goals(visit.session, actor=visit.user)
    working = [goal for goal in goals if goal.goal_status == "active"]
    context = {
        "working": working,
        "finished": [goal for goal in goals if goal.goal_status != "active"],
        "rated_goal": rated,
        "new_rating_id": str(uuid.uuid4()),
    }
    return page(visit.request, "participant/goals.html", context, refused=refused)


@router.get("/goals")
def goals(visit: ParticipantVisit) -> Response:
    return goals_page(visit)


@router.post("/goals/{goal_id}/ratings")
def rate(
    goal_id: str,
    visit: ParticipantVisit,
    value: Annotated[str, Form(max_length=10)] = "",
    rating_id: Annotated[str, Form(max_length=40)] = "",
    back: Annotated[Back, Form()] = "goals",
) -> Response:
    the_goal = id_or_404(goal_id, service.GOAL_NOT_FOUND)
    try:
        data = GoalRatingCreate.model_validate(
            {"value": value.strip() or None, "id": rating_id.strip() or None}
        )
        service.rate(visit.session, actor=visit.user, goal_id=the_goal, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse(f"rate-{the_goal}", exc, _RATING_FIELDS)
        if back == "entry":
            return entry_page(visit, the_goal, refused=refused)
        return goals_page(visit, refused=refused)
    suffix = "?done=rated" + ("#ratings" if back == "entry" else f"#goal-{the_goal}")
    return redirect((f"/entries/{the_goal}" if back == "entry" else "/goals") + suffix)


@router.post("/goals/{goal_id}/ratings/{rating_id}/delete")
def delete_rating(goal_id: str, rating_id: str, visit: ParticipantVisit) -> Response:
    the_goal = id_or_404(goal_id, service.GOAL_NOT_FOUND)
    the_rating = id_or_404(rating_id, service.RATING_NOT_FOUND)
    service.delete_rating(visit.session, actor=visit.user, goal_id=the_goal, rating_id=the_rating)
    return redirect(f"/entries/{the_goal}?done=rating_removed#ratings")


@router.post("/goals/{goal_id}/move")
def move(
    goal_id: str, visit: ParticipantVisit, direction: Annotated[Literal["up", "down"], Form()] = "up"
) -> Response:
    the_goal = id_or_404(goal_id, service.GOAL_NOT_FOUND)
    service.move(visit.session, actor=visit.user, goal_id=the_goal, up=direction == "up")
    return redirect(f"/goals?done=moved#goal-{the_goal}")
