"""JSON API of sharing, responses, appointments and the participant's access log."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.accounts.deps import CurrentParticipant, CurrentUser
from app.deps import SessionDep, records_access
from app.sharing import service
from app.sharing.schemas import (
    AccessLogItem,
    AgendaSet,
    AppointmentCreate,
    AppointmentPublic,
    BulkShareCreate,
    MessageCreate,
    ParticipantViewCreate,
    RaiseCreate,
    RaisePublic,
    ResponseCreate,
    ResponsePublic,
    ShareCreate,
    SharePublic,
    TeamJoiner,
    TeamJoinerDecided,
    TeamJoinerDecision,
)

router = APIRouter(prefix="/api/v1")


@router.post("/entries/{entry_id}/shares", status_code=status.HTTP_201_CREATED, tags=["sharing"])
def share_entry(
    entry_id: uuid.UUID, data: ShareCreate, user: CurrentParticipant, session: SessionDep
) -> list[SharePublic]:
    return service.share_entries(session, actor=user, entry_ids=[entry_id], data=data)


@router.post("/shares", status_code=status.HTTP_201_CREATED, tags=["sharing"])
def share_entries(data: BulkShareCreate, user: CurrentParticipant, session: SessionDep) -> list[SharePublic]:
    """Share several entries in one step, e.g. before an appointment."""
    return service.share_entries(
        session,
        actor=user,
        entry_ids=data.entry_ids,
        data=ShareCreate(audience=data.audience, clinician_ids=data.clinician_ids),
    )


@router.get("/entries/{entry_id}/shares", tags=["sharing"])
def list_shares(entry_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> list[SharePublic]:
    return service.list_shares(session, actor=user, entry_id=entry_id)


@router.delete("/entries/{entry_id}/shares/{share_id}", tags=["sharing"])
def revoke_share(
    entry_id: uuid.UUID, share_id: uuid.UUID, user: CurrentParticipant, session: SessionDep
) -> SharePublic:
    return service.revoke_share(session, actor=user, entry_id=entry_id, share_id=share_id)


@router.get("/me/access-log", tags=["sharing"])
def access_log(user: CurrentParticipant, session: SessionDep) -> list[AccessLogItem]:
    """Who viewed what I shared, newest first."""
    return service.access_log(session, actor=user)


@router.get("/me/team-joiners", tags=["sharing"])
def team_joiners(user: CurrentParticipant, session: SessionDep) -> list[TeamJoiner]:
    """Clinicians who joined my team after me, not yet answered: they see what I share with the
    whole team from their joining on, and what I shared with it before only if I say yes."""
    return service.team_joiners(session, actor=user)


@router.put("/me/team-joiners/{clinician_id}", tags=["sharing"])
def decide_team_joiner(
    clinician_id: uuid.UUID, data: TeamJoinerDecision, user: CurrentParticipant, session: SessionDep
) -> TeamJoinerDecided:
    return service.decide_team_joiner(session, actor=user, clinician_id=clinician_id, data=data)


@router.post("/entries/{entry_id}/responses", status_code=status.HTTP_201_CREATED, tags=["responses"])
def add_response(
    entry_id: uuid.UUID, data: ResponseCreate, user: CurrentUser, session: SessionDep
) -> ResponsePublic:
    return service.add_response(session, actor=user, entry_id=entry_id, data=data)


@router.post("/entries/{entry_id}/messages", status_code=status.HTTP_201_CREATED, tags=["responses"])
def add_message(
    entry_id: uuid.UUID, data: MessageCreate, user: CurrentParticipant, session: SessionDep
) -> ResponsePublic:
    """The participant answers in the thread of their shared entry."""
    return service.add_participant_message(session, actor=user, entry_id=entry_id, data=data)


@router.get("/entries/{entry_id}/responses", tags=["responses"])
@records_access
def list_responses(entry_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> list[ResponsePublic]:
    return service.list_responses(session, actor=user, entry_id=entry_id)


@router.post("/entries/{entry_id}/responses/{response_id}/view", tags=["responses"])
def give_view(
    entry_id: uuid.UUID,
    response_id: uuid.UUID,
    data: ParticipantViewCreate,
    user: CurrentParticipant,
    session: SessionDep,
) -> ResponsePublic:
    """The participant says whether a recorded outcome matches their view."""
    return service.record_participant_view(
        session, actor=user, entry_id=entry_id, response_id=response_id, data=data
    )


@router.post("/entries/{entry_id}/raise", tags=["appointments"])
def raise_at_next_session(
    entry_id: uuid.UUID, data: RaiseCreate, user: CurrentParticipant, session: SessionDep
) -> RaisePublic:
    """Raise this at my next session: share with that person and put it on our next agenda."""
    return service.raise_at_next_session(session, actor=user, entry_id=entry_id, data=data)


@router.post("/appointments", status_code=status.HTTP_201_CREATED, tags=["appointments"])
def create_appointment(data: AppointmentCreate, user: CurrentUser, session: SessionDep) -> AppointmentPublic:
    return service.create_appointment(session, actor=user, data=data)


@router.get("/appointments", tags=["appointments"])
def list_appointments(
    user: CurrentUser, session: SessionDep, include_past: Annotated[bool, Query()] = False
) -> list[AppointmentPublic]:
    return service.list_appointments(session, actor=user, include_past=include_past)


@router.get("/appointments/{appointment_id}", tags=["appointments"])
def get_appointment(appointment_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> AppointmentPublic:
    return service.get_appointment(session, actor=user, appointment_id=appointment_id)


@router.delete(
    "/appointments/{appointment_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["appointments"]
)
def cancel_appointment(appointment_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    service.cancel_appointment(session, actor=user, appointment_id=appointment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/appointments/{appointment_id}/agenda", tags=["appointments"])
def set_agenda(
    appointment_id: uuid.UUID, data: AgendaSet, user: CurrentParticipant, session: SessionDep
) -> AppointmentPublic:
    return service.set_agenda(session, actor=user, appointment_id=appointment_id, data=data)
