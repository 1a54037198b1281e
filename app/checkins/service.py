"""After an appointment: how did it go? (issue 14, item 3)

Four of Stem's own statements (not a validated questionnaire), each 0 to 10, any may be skipped,
and anything to add. Offered after each appointment, never required. Private by default: the
participant may send one to the clinician of that appointment, and take it back at once. They
see their own trend per clinician; a clinician sees only the check-ins sent to them, never
another clinician's.

When an answer falls clearly below the participant's own recent level, Stem gently offers to
write down what happened. The rule (`low_items`): a statement answered 4 or lower, or, with at
least two earlier answers to it about the same clinician, 2 or more points below the median of
the last three of them. For a clinician the rule looks only at check-ins sent to them, so that a
flag never says anything about one that was not.
"""

import statistics
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts import repository as accounts_repository
from app.checkins import repository
from app.checkins.schemas import ITEMS, MAX_NOTE, CheckInCreate, CheckInDue, CheckInPublic, CheckInSent
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_
from app.models import Appointment, CheckIn, User
from app.models.enums import Role
from app.models.types import utcnow
from app.sharing import repository as sharing_repository

CHECK_IN_NOT_FOUND = N_("This check-in does not exist, or it is not yours.")
APPOINTMENT_NOT_FOUND = N_("This appointment does not exist, or it is not yours.")
PARTICIPANT_NOT_FOUND = N_("This participant does not exist, or is not in one of your teams.")
OFFERED_FOR = timedelta(days=7)  # how long after an appointment the home page offers a check-in
LOW = 4
DROP = 2
_CLOCK_SKEW = timedelta(minutes=5)


def low_items(earlier: Sequence[CheckIn], current: CheckIn) -> list[str]:
    """The statements of `current` that fell clearly below the participant's recent level, given
    the earlier check-ins about the same clinician (oldest first)."""
    low = []
    for item in ITEMS:
        value = getattr(current, item)
        if value is None:
            continue
        history = [getattr(c, item) for c in earlier if getattr(c, item) is not None][-3:]
        if value <= LOW or (len(history) >= 2 and value <= statistics.median(history) - DROP):
            low.append(item)
    return low


def _earlier(all_of_mine: Sequence[CheckIn], current: CheckIn) -> list[CheckIn]:
    return [
        c
        for c in all_of_mine
        if c.id != current.id
        and c.clinician_id == current.clinician_id
        and (c.appointment_at, str(c.id)) < (current.appointment_at, str(current.id))
    ]


def _views(session: Session, check_ins: Sequence[CheckIn], shown: Sequence[CheckIn]) -> list[CheckInPublic]:
    people: dict[uuid.UUID, User | None] = {}
    views = []
    for check_in in shown:
        clinician = None
        if check_in.clinician_id is not None:
            if check_in.clinician_id not in people:
                people[check_in.clinician_id] = accounts_repository.user_by_id(session, check_in.clinician_id)
            clinician = people[check_in.clinician_id]
        views.append(
            CheckInPublic(
                id=check_in.id,
                appointment_id=check_in.appointment_id,
                appointment_at=check_in.appointment_at,
                clinician_id=check_in.clinician_id,
                clinician_name=clinician.display_name if clinician else None,
                clinician_discipline=clinician.discipline if clinician else None,
                heard=check_in.heard,
                goals=check_in.goals,
                approach=check_in.approach,
                voice=check_in.voice,
                note=check_in.note,
                created_at=check_in.created_at,
                sent_at=check_in.sent_at,
                low=low_items(_earlier(check_ins, check_in), check_in),
            )
        )
    return views


def my_check_ins(session: Session, *, actor: User) -> list[CheckInPublic]:
    """Mine, oldest appointment first (the order of a trend)."""
    mine = repository.check_ins_of(session, actor.id)
    return _views(session, mine, mine)


def _own(session: Session, actor: User, check_in_id: uuid.UUID) -> CheckIn:
    check_in = repository.check_in_by_id(session, check_in_id)
    if check_in is None or check_in.participant_id != actor.id:
        raise NotFound(CHECK_IN_NOT_FOUND)
    return check_in


def my_check_in(session: Session, *, actor: User, check_in_id: uuid.UUID) -> CheckInPublic:
    check_in = _own(session, actor, check_in_id)
    return _views(session, repository.check_ins_of(session, actor.id), [check_in])[0]


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.replace("\r\n", "\n").replace("\r", "\n")
    if not note.strip():
        return None
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            N_("This is {count} characters; at most {maximum} fit here."),
            field="note",
            count=len(note),
            maximum=MAX_NOTE,
        )
    if "\x00" in note or any(unicodedata.category(char) == "Cs" for char in note):
        raise InvalidInput(N_("This text contains characters that cannot be saved."), field="note")
    return note


def create(session: Session, *, actor: User, data: CheckInCreate) -> tuple[CheckInPublic, bool]:
    """The stored check-in and whether it is new: the same one sent twice is kept once; a second
    check-in about the same appointment is refused (there is one per appointment)."""
    note = _clean_note(data.note)
    values = {item: getattr(data, item) for item in ITEMS}
    if all(value is None for value in values.values()) and note is None:
        raise InvalidInput(N_("Answer at least one question, or write a note."), field=ITEMS[0])
    if data.id is not None:
        existing = repository.check_in_by_id(session, data.id)
        if existing is not None:
            return _replayed(session, actor, existing, data, note), False
    appointment = sharing_repository.appointment_by_id(session, data.appointment_id)
    if appointment is None or appointment.participant_id != actor.id:
        raise InvalidInput(N_("Choose one of your own appointments."), field="appointment_id")
    if appointment.starts_at > utcnow() + _CLOCK_SKEW:
        raise InvalidInput(N_("This appointment has not happened yet."), field="appointment_id")
    if repository.check_in_for(session, actor.id, appointment.id) is not None:
        raise Conflict(N_("You already said how this appointment went."), code="already_checked_in")
    check_in = CheckIn(
        id=data.id or uuid.uuid4(),
        participant_id=actor.id,
        appointment_id=appointment.id,
        clinician_id=appointment.clinician_id,
        appointment_at=appointment.starts_at,
        note=note,
        **values,
    )
    try:
        with session.begin_nested():
            session.add(check_in)
    except IntegrityError:
        existing = repository.check_in_by_id(session, check_in.id)
        if existing is None:
            raise Conflict(
                N_("You already said how this appointment went."), code="already_checked_in"
            ) from None
        return _replayed(session, actor, existing, data, note), False
    return my_check_in(session, actor=actor, check_in_id=check_in.id), True


def _replayed(
    session: Session, actor: User, existing: CheckIn, data: CheckInCreate, note: str | None
) -> CheckInPublic:
    if existing.participant_id != actor.id:
        raise NotFound(CHECK_IN_NOT_FOUND)
    same = existing.appointment_id == data.appointment_id and existing.note == note
    if not same or any(getattr(existing, item) != getattr(data, item) for item in ITEMS):
        raise Conflict(
            N_("A check-in with this id was already saved with different content."),
            field="id",
            code="id_conflict",
        )
    return my_check_in(session, actor=actor, check_in_id=existing.id)


def send(session: Session, *, actor: User, check_in_id: uuid.UUID) -> CheckInPublic:
    """Let the clinician of that appointment see it."""
    check_in = _own(session, actor, check_in_id)
    if check_in.clinician_id is None:
        raise Conflict(N_("The person you saw is no longer in your team."), code="no_clinician")
    if check_in.sent_at is None:
        check_in.sent_at = utcnow()
        session.add(check_in)
        session.flush()
    return my_check_in(session, actor=actor, check_in_id=check_in.id)


def unsend(session: Session, *, actor: User, check_in_id: uuid.UUID) -> CheckInPublic:
    """Take it back, at once."""
    check_in = _own(session, actor, check_in_id)
    if check_in.sent_at is not None:
        check_in.sent_at = None
        session.add(check_in)
        session.flush()
    return my_check_in(session, actor=actor, check_in_id=check_in.id)


def delete(session: Session, *, actor: User, check_in_id: uuid.UUID) -> None:
    repository.delete(session, _own(session, actor, check_in_id))


def _clinician_to_check_in_about(session: Session, appointment: Appointment) -> User | None:
    """The clinician a check-in about this appointment would be about, while one can be given:
    none was given yet, and that clinician is still active."""
    if repository.check_in_for(session, appointment.participant_id, appointment.id) is not None:
        return None
    clinician = accounts_repository.user_by_id(session, appointment.clinician_id)
    return clinician if clinician is not None and clinician.is_active else None


def check_in_open(session: Session, *, appointment: Appointment) -> bool:
    """Whether a check-in about this appointment can still be given (once it has happened, and
    within OFFERED_FOR): the same rule as the home page's offer, for a reminder to follow."""
    return _clinician_to_check_in_about(session, appointment) is not None


def due(session: Session, *, actor: User) -> list[CheckInDue]:
    """My appointments of the last week that started and have no check-in: offered on the home
    page, the latest first; never more than that, never a reminder."""
    now = utcnow()
    offered = []
    for appointment in repository.past_appointments(session, actor.id, since=now - OFFERED_FOR, until=now):
        clinician = _clinician_to_check_in_about(session, appointment)
        if clinician is None:
            continue
        offered.append(
            CheckInDue(
                appointment_id=appointment.id,
                starts_at=appointment.starts_at,
                clinician_id=clinician.id,
                clinician_name=clinician.display_name,
            )
        )
    return offered


def sent_to_me(session: Session, *, actor: User, participant_id: uuid.UUID) -> list[CheckInSent]:
    """The check-ins this participant sent me, oldest first; flags computed from those alone."""
    if actor.role != Role.clinician:
        raise NotFound(PARTICIPANT_NOT_FOUND)
    if sharing_repository.participant_of_clinician(session, actor.id, participant_id) is None:
        raise NotFound(PARTICIPANT_NOT_FOUND)
    sent = [
        c
        for c in repository.check_ins_of(session, participant_id)
        if c.clinician_id == actor.id and c.sent_at is not None
    ]
    return [
        CheckInSent(
            id=c.id,
            appointment_id=c.appointment_id,
            appointment_at=c.appointment_at,
            heard=c.heard,
            goals=c.goals,
            approach=c.approach,
            voice=c.voice,
            note=c.note,
            created_at=c.created_at,
            sent_at=c.sent_at,
            low=low_items(_earlier(sent, c), c),
        )
        for c in sent
    ]


def averages(check_ins: Sequence[CheckIn | CheckInSent | CheckInPublic]) -> list[float]:
    """The average of the statements answered in each check-in (those with none are left out):
    the points of a trend line."""
    result = []
    for check_in in check_ins:
        values = [getattr(check_in, item) for item in ITEMS if getattr(check_in, item) is not None]
        if values:
            result.append(round(sum(values) / len(values), 1))
    return result


def all_check_ins(session: Session, *, actor: User) -> list[CheckInPublic]:
    """Every check-in of mine: for my export."""
    return my_check_ins(session, actor=actor)
