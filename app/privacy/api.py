"""GDPR rights: export everything (`GET /api/v1/me/export`), erase everything (`DELETE /api/v1/me`)."""

from fastapi import APIRouter, Request, Response, status

from app.accounts.deps import CLEAR_SITE_DATA, CurrentParticipant, clear_session_cookie
from app.deps import SessionDep, records_access
from app.privacy import service
from app.privacy.schemas import EraseRequest, ParticipantExport

router = APIRouter(prefix="/api/v1", tags=["privacy"])


@router.get("/me/export")
@records_access
def export(response: Response, user: CurrentParticipant, session: SessionDep) -> ParticipantExport:
    """All of my data: entries (the trash included), shares, responses, appointments and agendas,
    and who viewed what I shared."""
    response.headers["Content-Disposition"] = 'attachment; filename="stem-export.json"'
    return service.export_participant(session, actor=user)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def erase(data: EraseRequest, request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    """Erase my account and everything I wrote. Cannot be undone."""
    service.erase_participant(session, actor=user, data=data)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(request, response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
