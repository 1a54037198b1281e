"""JSON API of the clinician's dashboard and session preparation (read-only, access recorded)."""

import uuid

from fastapi import APIRouter

from app.accounts.deps import CurrentClinician
from app.clinician import service
from app.clinician.schemas import ParticipantSummary, Preparation
from app.deps import SessionDep, records_access
from app.models.enums import EntryKind

router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])


@router.get("/participants")
def list_participants(user: CurrentClinician, session: SessionDep) -> list[ParticipantSummary]:
    return service.list_participants(session, actor=user)


@router.get("/participants/{participant_id}/entries")
@records_access
def preparation(
    participant_id: uuid.UUID,
    user: CurrentClinician,
    session: SessionDep,
    kind: EntryKind | None = None,
    new: bool = False,
) -> Preparation:
    """What this participant shared with me, in the order to read before a session."""
    return service.preparation(session, actor=user, participant_id=participant_id, kind=kind, new_only=new)
