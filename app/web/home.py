"""The home page of each role: what a participant wrote lately and what their team said; the
clinician's participants and invitations; the admin's way in."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.accounts import resets, service
from app.accounts.deps import OptionalAuthDep
from app.accounts.schemas import InvitationPublic, MemberPublic, TeamPublic
from app.checkins import service as checkins_service
from app.deps import SessionDep
from app.models import User
from app.models.enums import Role
from app.web.clinician.dashboard import dashboard_rows
from app.web.forms import Refusal, redirect
from app.web.participant.views import home_overview
from app.web.rendering import page
from app.web.visits import Visit

router = APIRouter(include_in_schema=False)


def teams_with_members(
    session: Session, user: User
) -> tuple[list[TeamPublic], dict[uuid.UUID, list[MemberPublic]]]:
    teams = service.list_teams(session, actor=user)
    members = {team.id: service.list_members(session, actor=user, team_id=team.id) for team in teams}
    return teams, members


def _invitations_by_team(invitations: list[InvitationPublic]) -> dict[uuid.UUID, list[InvitationPublic]]:
    grouped: dict[uuid.UUID, list[InvitationPublic]] = {}
    for invitation in invitations:
        grouped.setdefault(invitation.team_id, []).append(invitation)
    return grouped


def home_page(visit: Visit, refused: Refusal | None = None) -> Response:
    """Also shown again, with the problem, when an invitation from it was refused."""
    session, user = visit.session, visit.user
    if user.role == Role.admin:
        open_resets = resets.open_resets(session, actor=user)
        return page(visit.request, "accounts/home_admin.html", {"nav": "home", "open_resets": open_resets})
    teams, members = teams_with_members(session, user)
    context: dict[str, Any] = {"nav": "home", "teams": teams, "members": members, "language_next": "/"}
    if user.role == Role.participant:
        context["overview"] = home_overview(session, actor=user)
        context["check_ins_due"] = checkins_service.due(session, actor=user)
        context["reset_notices"] = resets.to_tell(session, actor=user)
        return page(visit.request, "participant/home.html", context, refused=refused)
    context["open_resets"] = resets.open_resets(session, actor=user)
    context["invitations"] = _invitations_by_team(service.list_invitations(session, actor=user))
    context["participants"] = dashboard_rows(session, actor=user)
    return page(visit.request, "clinician/home.html", context, refused=refused)


@router.get("/")
def home(auth: OptionalAuthDep, request: Request, session: SessionDep) -> Response:
    if auth is None:
        return redirect("/login")
    return home_page(Visit(request, session, auth))
