"""All SQL of the journal. Every query here is scoped to one author."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, or_, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as select_columns  # rows of columns, not ORM objects
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.models import Appointment, Entry, GoalWording
from app.models.enums import EntryKind, Topic


def entry_by_id(session: Session, entry_id: uuid.UUID) -> Entry | None:
    return session.get(Entry, entry_id)


def insert_entry_unless_id_taken(session: Session, entry: Entry) -> bool:
    """INSERT ... ON CONFLICT (id) DO NOTHING: whether the row was stored. The ORM object is not
    added to the session; the columns' own types (the encryption of the text) still apply."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {column.key: getattr(entry, column.key) for column in sa_inspect(Entry).columns}
    statement = insert(Entry).values(values).on_conflict_do_nothing(index_elements=["id"])
    # RETURNING, not rowcount: psycopg reports no count for this statement (-1)
    return session.execute(statement.returning(col(Entry.id))).first() is not None


def is_own_appointment(session: Session, participant_id: uuid.UUID, appointment_id: uuid.UUID) -> bool:
    """Whether this is an appointment of this participant (an entry may be about it)."""
    appointment = session.get(Appointment, appointment_id)
    return appointment is not None and appointment.participant_id == participant_id


def own_entry(session: Session, author_id: uuid.UUID, entry_id: uuid.UUID) -> Entry | None:
    entry = session.get(Entry, entry_id)
    if entry is None or entry.author_id != author_id:
        return None
    return entry


def own_entries_by_ids(
    session: Session, author_id: uuid.UUID, entry_ids: Iterable[uuid.UUID]
) -> Sequence[Entry]:
    """The author's own entries among these ids (in the trash too); anyone else's are left out."""
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        return []
    return session.exec(select(Entry).where(col(Entry.author_id) == author_id, col(Entry.id).in_(ids))).all()


def all_of_author(session: Session, author_id: uuid.UUID) -> Sequence[Entry]:
    """Every entry of an author, in the trash too, oldest first (for their export)."""
    return session.exec(
        select(Entry).where(col(Entry.author_id) == author_id).order_by(col(Entry.created_at), col(Entry.id))
    ).all()


def delete_all_of_author(session: Session, author_id: uuid.UUID) -> int:
    result = session.execute(delete(Entry).where(col(Entry.author_id) == author_id))
    return int(getattr(result, "rowcount", 0) or 0)


def own_entries_page(
    session: Session,
    author_id: uuid.UUID,
    *,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None = None,
    kind: EntryKind | None = None,
    topic: Topic | None = None,
    flagged: bool | None = None,
    in_trash: bool = False,
) -> Sequence[Row[Any]]:
    """One page of an author's entries, newest first; keyset pagination on (created_at, id).
    Plain rows of the entry's columns (the column types still decrypt), not ORM objects: a page
    is only read, and building the objects cost more than the query.

    Text search is not done here: bodies are matched in Python, where Unicode case folding is
    right on every database (and where bodies can be read once they are encrypted at rest).
    """
    statement = select_columns(*sa_inspect(Entry).columns).where(col(Entry.author_id) == author_id)
    if in_trash:
        statement = statement.where(col(Entry.deleted_at).is_not(None))
    else:
        statement = statement.where(col(Entry.deleted_at).is_(None))
    if kind is not None:
        statement = statement.where(col(Entry.kind) == kind)
    if topic is not None:
        statement = statement.where(col(Entry.topic) == topic)
    if flagged is not None:
        statement = statement.where(col(Entry.raise_next_session) == flagged)
    if before is not None:
        created_at, entry_id = before
        statement = statement.where(
            or_(
                col(Entry.created_at) < created_at,
                and_(col(Entry.created_at) == created_at, col(Entry.id) < entry_id),
            )
        )
    statement = statement.order_by(col(Entry.created_at).desc(), col(Entry.id).desc()).limit(limit)
    return session.execute(statement).all()


def update_if_version(session: Session, entry_id: uuid.UUID, version: int, values: dict[str, Any]) -> bool:
    """Apply an edit only if nobody changed the entry since `version`: of two racing edits, one wins."""
    result = session.execute(
        update(Entry)
        .where(col(Entry.id) == entry_id, col(Entry.version) == version)
        .values(**values, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def purge_deleted_before(session: Session, cutoff: datetime) -> int:
    result = session.execute(
        delete(Entry).where(col(Entry.deleted_at).is_not(None), col(Entry.deleted_at) < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def goal_wordings(session: Session, entry_id: uuid.UUID) -> Sequence[GoalWording]:
    """A goal's earlier wordings, first one first."""
    statement = select(GoalWording).where(col(GoalWording.entry_id) == entry_id)
    return session.exec(statement.order_by(col(GoalWording.number))).all()


def goal_wordings_of(session: Session, entry_ids: Iterable[uuid.UUID]) -> Sequence[GoalWording]:
    ids = list(entry_ids)
    if not ids:
        return []
    statement = select(GoalWording).where(col(GoalWording.entry_id).in_(ids))
    return session.exec(statement.order_by(col(GoalWording.entry_id), col(GoalWording.number))).all()


def goal_wording_count(session: Session, entry_id: uuid.UUID) -> int:
    statement = select(func.count()).select_from(GoalWording).where(col(GoalWording.entry_id) == entry_id)
    return int(session.exec(statement).one())


def keep_goal_wording(
    session: Session, entry_id: uuid.UUID, body: str, *, created_at: datetime, replaced_at: datetime
) -> None:
    """Keep a goal's wording as it was (`body`), now that a new one takes its place."""
    earlier = goal_wordings(session, entry_id)
    worded_at = earlier[-1].replaced_at if earlier else created_at
    session.add(
        GoalWording(
            entry_id=entry_id,
            number=len(earlier) + 1,
            body=body,
            worded_at=worded_at,
            replaced_at=replaced_at,
        )
    )
    session.flush()
