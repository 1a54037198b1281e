"""JSON API of check-ins after an appointment. Thin: parse, call one service, answer."""

import uuid

from fastapi import APIRouter, Response, status

from app.accounts.deps import CurrentClinician, CurrentParticipant
from app.checkins import service
from app.checkins.schemas import CheckInCreate, CheckInDue, CheckInPublic, CheckInSent
from app.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["check-ins"])


@router.get("/me/check-ins")
def my_check_ins(user: CurrentParticipant, session: SessionDep) -> list[CheckInPublic]:
    """Mine, oldest appointment first, each with the statements that fell clearly below my level."""
    return service.my_check_ins(session, actor=user)


@router.get("/me/check-ins-due")
def due(user: CurrentParticipant, session: SessionDep) -> list[CheckInDue]:
    """Appointments of the last week without a check-in: offered, never required."""
    return service.due(session, actor=user)


@router.post("/me/check-ins", status_code=status.HTTP_201_CREATED)
def create(
    data: CheckInCreate, response: Response, user: CurrentParticipant, session: SessionDep
) -> CheckInPublic:
    """How an appointment went; private until I send it. 201 when new; 200 when this id was saved."""
    check_in, created = service.create(session, actor=user, data=data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return check_in


@router.get("/me/check-ins/{check_in_id}")
def my_check_in(check_in_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> CheckInPublic:
    return service.my_check_in(session, actor=user, check_in_id=check_in_id)


@router.post("/me/check-ins/{check_in_id}/send")
def send(check_in_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> CheckInPublic:
    """Let the clinician of that appointment see it."""
    return service.send(session, actor=user, check_in_id=check_in_id)


@router.post("/me/check-ins/{check_in_id}/unsend")
def unsend(check_in_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> CheckInPublic:
    """Take it back, at once."""
    return service.unsend(session, actor=user, check_in_id=check_in_id)


@router.delete("/me/check-ins/{check_in_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(check_in_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> None:
    service.delete(session, actor=user, check_in_id=check_in_id)


@router.get("/clinician/participants/{participant_id}/check-ins")
def sent_to_me(participant_id: uuid.UUID, user: CurrentClinician, session: SessionDep) -> list[CheckInSent]:
    """What this participant sent me of their check-ins about our appointments; nothing else."""
    return service.sent_to_me(session, actor=user, participant_id=participant_id)
