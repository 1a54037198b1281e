"""All SQL of reminders: subscriptions, settings, the outbox and its lease."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.models import Appointment, PushOutboxItem, PushSubscription, ReminderSettings, User

PENDING, SENT, FAILED, DROPPED = "pending", "sent", "failed", "dropped"


def subscriptions_of(session: Session, user_id: uuid.UUID) -> Sequence[PushSubscription]:
    query = select(PushSubscription).where(PushSubscription.user_id == user_id)
    return session.exec(query.order_by(col(PushSubscription.created_at))).all()


def subscription_by_endpoint(session: Session, endpoint: str) -> PushSubscription | None:
    return session.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()


def subscription_by_id(session: Session, subscription_id: uuid.UUID) -> PushSubscription | None:
    return session.get(PushSubscription, subscription_id)


def delete_subscription(session: Session, subscription_id: uuid.UUID) -> None:
    session.execute(delete(PushSubscription).where(col(PushSubscription.id) == subscription_id))


def settings_of(session: Session, user_id: uuid.UUID) -> ReminderSettings | None:
    return session.get(ReminderSettings, user_id)


def appointments_to_remind(
    session: Session, kind: str, *, of_clinician: bool, start: datetime, end: datetime
) -> Sequence[tuple[Appointment, User, ReminderSettings | None]]:
    """Appointments starting in [start, end), each with its participant (or its clinician), who
    is active, turned reminders on on at least one device, did not switch this kind off (the
    setting named after it), and has no reminder of this kind for it yet."""
    person = Appointment.clinician_id if of_clinician else Appointment.participant_id
    has_device = select(PushSubscription.id).where(PushSubscription.user_id == User.id).exists()
    already = (
        select(PushOutboxItem.id)
        .where(
            PushOutboxItem.user_id == User.id,
            PushOutboxItem.kind == kind,
            PushOutboxItem.appointment_id == Appointment.id,
        )
        .exists()
    )
    switch = getattr(ReminderSettings, kind)
    query = (
        select(Appointment, User, ReminderSettings)
        .join(User, col(User.id) == person)
        .outerjoin(ReminderSettings, col(ReminderSettings.user_id) == User.id)
        .where(
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            col(User.is_active),
            has_device,
            ~already,
            or_(col(ReminderSettings.user_id).is_(None), col(switch).is_(True)),
        )
    )
    return [(a, u, s) for a, u, s in session.exec(query).all()]


def enqueue(session: Session, item: PushOutboxItem) -> bool:
    """Adds the item unless one with its (user, kind, appointment) exists: True when added."""
    table = PushOutboxItem.__table__  # type: ignore[attr-defined]
    values = {column.name: getattr(item, column.name) for column in table.columns}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "appointment_id"])
        .returning(table.c.id)
    )
    return session.connection().execute(statement).first() is not None


def due_candidates(session: Session, *, now: datetime, limit: int) -> Sequence[uuid.UUID]:
    """Ids of due items nobody holds. On PostgreSQL the rows are locked, skipping those another
    sender has locked, until this transaction ends; the conditional UPDATE of `claim` is what
    makes a claim hold on both databases."""
    query = (
        select(PushOutboxItem.id)
        .where(
            PushOutboxItem.status == PENDING,
            PushOutboxItem.due_at <= now,
            or_(col(PushOutboxItem.lease_until).is_(None), col(PushOutboxItem.lease_until) < now),
        )
        .order_by(col(PushOutboxItem.due_at))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).all()


def claim(session: Session, item_id: uuid.UUID, *, now: datetime, lease_until: datetime) -> bool:
    """Takes the item for this sender until `lease_until`, unless another sender holds it."""
    result = session.execute(
        update(PushOutboxItem)
        .where(
            and_(
                col(PushOutboxItem.id) == item_id,
                col(PushOutboxItem.status) == PENDING,
                or_(col(PushOutboxItem.lease_until).is_(None), col(PushOutboxItem.lease_until) < now),
            )
        )
        .values(lease_until=lease_until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def person_and_appointment(session: Session, item: PushOutboxItem) -> tuple[User | None, Appointment | None]:
    return session.get(User, item.user_id), session.get(Appointment, item.appointment_id)


def outbox_item(session: Session, item_id: uuid.UUID) -> PushOutboxItem | None:
    return session.get(PushOutboxItem, item_id)


def sent_since(session: Session, user_id: uuid.UUID, since: datetime) -> Sequence[datetime]:
    query = select(PushOutboxItem.sent_at).where(
        PushOutboxItem.user_id == user_id,
        PushOutboxItem.status == SENT,
        col(PushOutboxItem.sent_at) >= since,
    )
    return sorted(value for value in session.exec(query).all() if value is not None)


def outbox_of(session: Session, user_id: uuid.UUID) -> Sequence[PushOutboxItem]:
    query = select(PushOutboxItem).where(PushOutboxItem.user_id == user_id)
    return session.exec(query.order_by(col(PushOutboxItem.due_at))).all()


def count_outbox(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(PushOutboxItem)).one())
