"""The clinician's participants: the soonest appointment first, then the most unread."""

from datetime import UTC, datetime

from fastapi import APIRouter
from sqlmodel import Session
from starlette.responses import Response

from app.clinician import service
from app.clinician.schemas import ParticipantSummary
from app.models import User
from app.web.rendering import page
from app.web.visits import ClinicianVisit

router = APIRouter(include_in_schema=False)

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def dashboard_rows(session: Session, *, actor: User) -> list[ParticipantSummary]:
    """My participants: the soonest appointment first, then the most unread, then by name."""
    return sorted(
        service.list_participants(session, actor=actor),
        key=lambda row: (
            row.next_appointment is None,
            row.next_appointment or _FAR_FUTURE,
            -row.unread_count,
            row.display_name.casefold(),
        ),
    )


@router.get("/clinician")
def dashboard(visit: ClinicianVisit) -> Response:
    participants = dashboard_rows(visit.session, actor=visit.user)
    return page(visit.request, "clinician/dashboard.html", {"participants": participants})
