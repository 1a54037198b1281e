"""All SQL of goals that is not the journal's own: ratings and the order of goals."""

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import Entry, GoalRating
from app.models.enums import EntryKind


def goals_of_author(session: Session, author_id: uuid.UUID) -> Sequence[Entry]:
    """The participant's goals (not those in the trash): in their order, then oldest first."""
    statement = select(Entry).where(
        col(Entry.author_id) == author_id, col(Entry.kind) == EntryKind.goal, col(Entry.deleted_at).is_(None)
    )
    return session.exec(
        statement.order_by(
            col(Entry.goal_rank).is_(None), col(Entry.goal_rank), col(Entry.created_at), col(Entry.id)
        )
    ).all()


def ratings_of(session: Session, entry_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[GoalRating]]:
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(GoalRating)
        .where(col(GoalRating.entry_id).in_(ids))
        .order_by(col(GoalRating.rated_at), col(GoalRating.id))
    ).all()
    result: dict[uuid.UUID, list[GoalRating]] = {}
    for rating in rows:
        result.setdefault(rating.entry_id, []).append(rating)
    return result


def rating_by_id(session: Session, rating_id: uuid.UUID) -> GoalRating | None:
    return session.get(GoalRating, rating_id)


def delete_rating(session: Session, rating: GoalRating) -> None:
    session.delete(rating)
    session.flush()


def set_ranks(session: Session, author_id: uuid.UUID, ranks: dict[uuid.UUID, int]) -> None:
    for entry_id, rank in ranks.items():
        session.execute(
            update(Entry)
            .where(col(Entry.id) == entry_id, col(Entry.author_id) == author_id)
            .values(goal_rank=rank)
            .execution_options(synchronize_session=False)
        )
    session.flush()
