"""Goals of my own (issue 14): a goal is an entry of kind goal, in the participant's words.

Its earlier wordings are kept by the journal whenever it is reworded; here are the ratings
("how well can I do this now?", 0 to 10), the order of what matters most, and the goal as one
picture: every wording, the ratings and the team's agreement per wording. Visibility is the
entry's: a clinician sees a goal, its wordings and its ratings only while it is shared with them.
"""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.goals import repository
from app.goals.schemas import GoalOrder, GoalPublic, GoalRatingCreate, GoalRatingPublic, GoalWordingPublic
from app.i18n import N_
from app.journal import repository as journal_repository
from app.models import Entry, GoalRating, User
from app.models.enums import EntryKind, GoalStatus, ResponseKind
from app.models.types import utcnow
from app.sharing import repository as sharing_repository
from app.sharing.service import response_public

GOAL_NOT_FOUND = N_("This goal does not exist, or it is not yours.")
RATING_NOT_FOUND = N_("This rating does not exist, or it is not about your goal.")
_CLOCK_SKEW = timedelta(minutes=5)


def goal_views(session: Session, entries: Sequence[Entry]) -> dict[uuid.UUID, GoalPublic]:
    """Each goal among these entries with its wordings, ratings and agreements (three queries)."""
    goals = [entry for entry in entries if entry.kind == EntryKind.goal]
    ids = [entry.id for entry in goals]
    earlier: dict[uuid.UUID, list[GoalWordingPublic]] = {}
    for wording in journal_repository.goal_wordings_of(session, ids):
        earlier.setdefault(wording.entry_id, []).append(
            GoalWordingPublic(
                number=wording.number,
                body=wording.body,
                worded_at=wording.worded_at,
                replaced_at=wording.replaced_at,
            )
        )
    ratings = repository.ratings_of(session, ids)
    responses = sharing_repository.responses_of(session, ids)
    views = {}
    for entry in goals:
        wordings = earlier.get(entry.id, [])
        current = GoalWordingPublic(
            number=len(wordings) + 1,
            body=entry.body,
            worded_at=(wordings[-1].replaced_at if wordings else None) or entry.created_at,
            replaced_at=None,
        )
        views[entry.id] = GoalPublic(
            id=entry.id,
            body=entry.body,
            wording_number=current.number,
            goal_status=entry.goal_status or GoalStatus.active,
            goal_note=entry.goal_note,
            goal_rank=entry.goal_rank,
            version=entry.version,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            wordings=[*wordings, current],
            ratings=[
                GoalRatingPublic.model_validate(r, from_attributes=True) for r in ratings.get(entry.id, [])
            ],
            agreements=[
                response_public(response, clinician)
                for response, clinician in responses.get(entry.id, [])
                if response.kind == ResponseKind.discussed and response.outcome is not None
            ],
        )
    return views


def my_goals(session: Session, *, actor: User) -> list[GoalPublic]:
    """My goals, the one that matters most first."""
    goals = repository.goals_of_author(session, actor.id)
    views = goal_views(session, goals)
    return [views[goal.id] for goal in goals]


def all_goals(session: Session, *, actor: User) -> list[GoalPublic]:
    """Every goal of mine, in the trash too, oldest first: for the participant's export."""
    goals = [
        entry for entry in journal_repository.all_of_author(session, actor.id) if entry.kind == EntryKind.goal
    ]
    views = goal_views(session, goals)
    return [views[goal.id] for goal in goals]


def _own_goal(session: Session, actor: User, goal_id: uuid.UUID) -> Entry:
    entry = journal_repository.own_entry(session, actor.id, goal_id)
    if entry is None or entry.kind != EntryKind.goal or entry.deleted_at is not None:
        raise NotFound(GOAL_NOT_FOUND)
    return entry


def my_goal(session: Session, *, actor: User, goal_id: uuid.UUID) -> GoalPublic:
    entry = _own_goal(session, actor, goal_id)
    return goal_views(session, [entry])[entry.id]


def rate(
    session: Session, *, actor: User, goal_id: uuid.UUID, data: GoalRatingCreate
) -> tuple[GoalRatingPublic, bool]:
    """The stored rating and whether it is new: the same rating sent twice is kept once."""
    entry = _own_goal(session, actor, goal_id)
    if data.id is not None:
        existing = repository.rating_by_id(session, data.id)
        if existing is not None:
            return _replayed(existing, entry, data), False
    now = utcnow()
    rated_at = data.rated_at or now
    if rated_at > now + _CLOCK_SKEW:
        raise InvalidInput(N_("This date lies in the future."), field="rated_at")
    if rated_at < entry.created_at - _CLOCK_SKEW:
        raise InvalidInput(N_("This date lies before the goal was written."), field="rated_at")
    rating = GoalRating(id=data.id or uuid.uuid4(), entry_id=entry.id, value=data.value, rated_at=rated_at)
    try:
        with session.begin_nested():
            session.add(rating)
    except IntegrityError:
        # The same rating arrived twice at the same moment and the other one won.
        existing = repository.rating_by_id(session, rating.id)
        if existing is None:
            raise
        return _replayed(existing, entry, data), False
    return GoalRatingPublic.model_validate(rating, from_attributes=True), True


def _replayed(existing: GoalRating, entry: Entry, data: GoalRatingCreate) -> GoalRatingPublic:
    if existing.entry_id != entry.id:
        # Another goal's rating (perhaps someone else's) looks missing: never "it exists".
        raise NotFound(RATING_NOT_FOUND)
    if existing.value != data.value or (data.rated_at is not None and data.rated_at != existing.rated_at):
        raise Conflict(
            N_("A rating with this id was already saved with another value."), field="id", code="id_conflict"
        )
    return GoalRatingPublic.model_validate(existing, from_attributes=True)


def delete_rating(session: Session, *, actor: User, goal_id: uuid.UUID, rating_id: uuid.UUID) -> None:
    """A rating given by mistake can go: it is the participant's own."""
    entry = _own_goal(session, actor, goal_id)
    rating = repository.rating_by_id(session, rating_id)
    if rating is None or rating.entry_id != entry.id:
        raise NotFound(RATING_NOT_FOUND)
    repository.delete_rating(session, rating)


def order(session: Session, *, actor: User, data: GoalOrder) -> list[GoalPublic]:
    """Put my goals in this order, the one that matters most first."""
    goals = repository.goals_of_author(session, actor.id)
    known = {goal.id for goal in goals}
    if len(set(data.ids)) != len(data.ids):
        raise InvalidInput(N_("Name each goal once."), field="ids")
    if any(goal_id not in known for goal_id in data.ids):
        raise InvalidInput(N_("Name only your own goals that are not in the trash."), field="ids")
    listed = set(data.ids)
    ordered = [*data.ids, *(goal.id for goal in goals if goal.id not in listed)]
    repository.set_ranks(session, actor.id, {goal_id: rank for rank, goal_id in enumerate(ordered, start=1)})
    session.expire_all()
    return my_goals(session, actor=actor)


def move(session: Session, *, actor: User, goal_id: uuid.UUID, up: bool) -> list[GoalPublic]:
    """One place up (matters more) or down; at either end nothing changes."""
    ids = [goal.id for goal in repository.goals_of_author(session, actor.id)]
    if goal_id not in ids:
        raise NotFound(GOAL_NOT_FOUND)
    index = ids.index(goal_id)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return order(session, actor=actor, data=GoalOrder(ids=ids))
