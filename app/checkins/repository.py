"""All SQL of check-ins."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import Appointment, CheckIn


def check_in_by_id(session: Session, check_in_id: uuid.UUID) -> CheckIn | None:
    return session.get(CheckIn, check_in_id)


def check_ins_of(session: Session, participant_id: uuid.UUID) -> Sequence[CheckIn]:
    """Oldest appointment first."""
    return session.exec(
        select(CheckIn)
        .where(col(CheckIn.participant_id) == participant_id)
        .order_by(col(CheckIn.appointment_at), col(CheckIn.id))
    ).all()


def check_in_for(session: Session, participant_id: uuid.UUID, appointment_id: uuid.UUID) -> CheckIn | None:
    return session.exec(
        select(CheckIn).where(
            col(CheckIn.participant_id) == participant_id, col(CheckIn.appointment_id) == appointment_id
        )
    ).first()


def past_appointments(
    session: Session, participant_id: uuid.UUID, since: datetime, until: datetime
) -> Sequence[Appointment]:
    """My appointments that started in this window, the latest first."""
    return session.exec(
        select(Appointment)
        .where(
            col(Appointment.participant_id) == participant_id,
            col(Appointment.starts_at) >= since,
            col(Appointment.starts_at) <= until,
        )
        .order_by(col(Appointment.starts_at).desc())
    ).all()


def delete(session: Session, check_in: CheckIn) -> None:
    session.delete(check_in)
    session.flush()
