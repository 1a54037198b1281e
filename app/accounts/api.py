"""JSON API of accounts, care teams and invitations. Thin: parse, call one service, answer."""

import uuid

from fastapi import APIRouter, Request, Response, status
from sqlmodel import Session

from app.accounts import recovery, resets, service
from app.accounts.deps import (
    CLEAR_SITE_DATA,
    AuthDep,
    CurrentAdmin,
    CurrentClinician,
    CurrentParticipant,
    CurrentStaff,
    CurrentUser,
    clear_session_cookie,
    session_cookie_name,
    set_session_cookie,
)
from app.accounts.login_sessions import replace_session
from app.accounts.schemas import (
    AccountResetView,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
    LoginRequest,
    MemberAdd,
    MemberPublic,
    MePublic,
    PasswordChange,
    ProfileUpdate,
    RecoverRequest,
    RecoveryCodesCreate,
    RecoveryCodesCreated,
    RecoveryCodesStatus,
    RegisterRequest,
    ResetCodeIssued,
    SessionsRevoked,
    TeamCreate,
    TeamHelpUpdate,
    TeamPublic,
    UserAdminUpdate,
    UserAdminView,
)
from app.deps import SessionDep, client_address
from app.models import User

router = APIRouter(prefix="/api/v1")


def _signed_in(request: Request, response: Response, session: Session, user: User) -> MePublic:
    """A new session for this person (never the one from before), its cookie, and /me."""
    started = replace_session(session, user, request.cookies.get(session_cookie_name(request)))
    request.state.locale = user.locale
    set_session_cookie(request, response, started.token, user)
    return service.me(session, actor=user, login_session=started.record)


@router.post("/auth/login", tags=["auth"])
def login(data: LoginRequest, request: Request, response: Response, session: SessionDep) -> MePublic:
    user = service.authenticate(
        session,
        username=data.username,
        password=data.password,
        client_address=client_address(request),
    )
    return _signed_in(request, response, session, user)


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, tags=["auth"])
def register(data: RegisterRequest, request: Request, response: Response, session: SessionDep) -> MePublic:
    user = service.register(session, data=data)
    return _signed_in(request, response, session, user)


@router.post("/auth/recover", tags=["auth"])
def recover(data: RecoverRequest, request: Request, response: Response, session: SessionDep) -> MePublic:
    """A forgotten password: a recovery code and a new password sign the person in again (the
    code is used up, every other session ends)."""
    user = recovery.recover(
        session,
        username=data.username,
        recovery_code=data.recovery_code,
        new_password=data.new_password,
        client_address=client_address(request),
    )
    return _signed_in(request, response, session, user)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
def logout(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    service.logout(session, actor=auth.user, login_session_id=auth.login_session.id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(request, response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@router.get("/me", tags=["me"])
def read_me(auth: AuthDep, session: SessionDep) -> MePublic:
    return service.me(session, actor=auth.user, login_session=auth.login_session)


@router.patch("/me", tags=["me"])
def update_me(data: ProfileUpdate, auth: AuthDep, session: SessionDep) -> MePublic:
    user = service.update_profile(session, actor=auth.user, data=data)
    return service.me(session, actor=user, login_session=auth.login_session)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT, tags=["me"])
def change_password(data: PasswordChange, auth: AuthDep, session: SessionDep) -> Response:
    service.change_password(session, actor=auth.user, current_session_id=auth.login_session.id, data=data)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/sessions/revoke-all", tags=["me"])
def revoke_all_sessions(
    request: Request, response: Response, auth: AuthDep, session: SessionDep
) -> SessionsRevoked:
    ended = service.end_all_sessions_of(session, actor=auth.user)
    clear_session_cookie(request, response)
    return SessionsRevoked(ended_sessions=ended)


@router.get("/me/recovery-codes", tags=["me"])
def recovery_codes_status(auth: AuthDep, session: SessionDep) -> RecoveryCodesStatus:
    return recovery.status_of(session, actor=auth.user)


@router.post("/me/recovery-codes", status_code=status.HTTP_201_CREATED, tags=["me"])
def create_recovery_codes(
    data: RecoveryCodesCreate, response: Response, auth: AuthDep, session: SessionDep
) -> RecoveryCodesCreated:
    """A new set of ten one-time codes, shown this once; the old set stops working."""
    made = recovery.create_codes(session, actor=auth.user, password=data.password)
    response.headers["Cache-Control"] = "no-store"
    return RecoveryCodesCreated(codes=made.codes, created_at=made.created_at)


@router.get("/teams", tags=["teams"])
def list_teams(user: CurrentUser, session: SessionDep) -> list[TeamPublic]:
    return service.list_teams(session, actor=user)


@router.post("/teams", status_code=status.HTTP_201_CREATED, tags=["teams"])
def create_team(data: TeamCreate, user: CurrentAdmin, session: SessionDep) -> TeamPublic:
    return service.create_team(session, actor=user, data=data)


@router.patch("/teams/{team_id}", tags=["teams"])
def update_team(
    team_id: uuid.UUID, data: TeamHelpUpdate, user: CurrentAdmin, session: SessionDep
) -> TeamPublic:
    return service.update_team_help(session, actor=user, team_id=team_id, data=data)


@router.get("/teams/{team_id}/members", tags=["teams"])
def list_members(team_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> list[MemberPublic]:
    return service.list_members(session, actor=user, team_id=team_id)


@router.post("/teams/{team_id}/members", status_code=status.HTTP_201_CREATED, tags=["teams"])
def add_member(team_id: uuid.UUID, data: MemberAdd, user: CurrentAdmin, session: SessionDep) -> MemberPublic:
    return service.add_member(session, actor=user, team_id=team_id, user_id=data.user_id)


@router.delete("/teams/{team_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["teams"])
def remove_member(
    team_id: uuid.UUID, user_id: uuid.UUID, user: CurrentAdmin, session: SessionDep
) -> Response:
    service.remove_member(session, actor=user, team_id=team_id, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users", tags=["users"])
def list_users(user: CurrentAdmin, session: SessionDep) -> list[UserAdminView]:
    return service.list_users(session, actor=user)


@router.patch("/users/{user_id}", tags=["users"])
def update_user(
    user_id: uuid.UUID, data: UserAdminUpdate, user: CurrentAdmin, session: SessionDep
) -> UserAdminView:
    return service.set_user_active(session, actor=user, user_id=user_id, is_active=data.is_active)


@router.post("/invitations", status_code=status.HTTP_201_CREATED, tags=["invitations"])
def create_invitation(data: InvitationCreate, user: CurrentUser, session: SessionDep) -> InvitationCreated:
    return service.create_invitation(session, actor=user, data=data)


@router.get("/invitations", tags=["invitations"])
def list_invitations(user: CurrentUser, session: SessionDep) -> list[InvitationPublic]:
    return service.list_invitations(session, actor=user)


@router.delete("/invitations/{invitation_id}", tags=["invitations"])
def revoke_invitation(invitation_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> InvitationPublic:
    return service.revoke_invitation(session, actor=user, invitation_id=invitation_id)


# --- care-team assisted resets (two people, never one) -----------------------------------


@router.post(
    "/participants/{participant_id}/account-resets",
    status_code=status.HTTP_201_CREATED,
    tags=["account resets"],
)
def start_account_reset(
    participant_id: uuid.UUID, user: CurrentClinician, session: SessionDep
) -> AccountResetView:
    """A clinician of the participant's team starts a reset; a second person must approve it."""
    return resets.start(session, actor=user, participant_id=participant_id)


@router.get("/account-resets", tags=["account resets"])
def open_account_resets(user: CurrentStaff, session: SessionDep) -> list[AccountResetView]:
    """Resets under way that I may see: my teams' participants (an admin: all)."""
    return resets.open_resets(session, actor=user)


@router.get("/account-resets/{reset_id}", tags=["account resets"])
def read_account_reset(reset_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> AccountResetView:
    return resets.read(session, actor=user, reset_id=reset_id)


@router.post("/account-resets/{reset_id}/approve", tags=["account resets"])
def approve_account_reset(reset_id: uuid.UUID, user: CurrentStaff, session: SessionDep) -> AccountResetView:
    """The second person: another clinician of the team or an admin, never the one who started it."""
    return resets.approve(session, actor=user, reset_id=reset_id)


@router.post("/account-resets/{reset_id}/code", status_code=status.HTTP_201_CREATED, tags=["account resets"])
def make_account_reset_code(
    reset_id: uuid.UUID, response: Response, user: CurrentClinician, session: SessionDep
) -> ResetCodeIssued:
    """The starter, once approved, makes the one-time code to hand over in person (shown once)."""
    issued = resets.make_code(session, actor=user, reset_id=reset_id)
    response.headers["Cache-Control"] = "no-store"
    return issued


@router.post("/account-resets/{reset_id}/cancel", tags=["account resets"])
def cancel_account_reset(reset_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> AccountResetView:
    """Stopped by the participant, or by someone of the team who may see it."""
    return resets.cancel(session, actor=user, reset_id=reset_id)


@router.get("/me/account-resets", tags=["me"])
def my_account_resets(user: CurrentParticipant, session: SessionDep) -> list[AccountResetView]:
    """Every reset of my account: who started and who approved it, and when."""
    return resets.of_my_account(session, actor=user)


@router.post("/me/account-resets/{reset_id}/read", status_code=status.HTTP_204_NO_CONTENT, tags=["me"])
def read_reset_notice(reset_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> Response:
    """I have read the notice of a used reset: it leaves my home page (it stays in my log)."""
    resets.mark_read(session, actor=user, reset_id=reset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
