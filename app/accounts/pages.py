"""HTML pages of accounts: logging in, joining with an invitation, home, account and admin.

Thin like the JSON API, and built on the same service functions: parse the form, call one
service, then redirect (POST → 303 → GET, so a reload never repeats an action) or render the
form again with the problems next to the fields. A failed action rolls back before the page is
rendered again: nothing half-done is committed.
"""

import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app.accounts import service
from app.accounts.api import CLEAR_SITE_DATA, clear_session_cookie, set_session_cookie
from app.accounts.login_sessions import csrf_token_matches, replace_session
from app.accounts.schemas import (
    InvitationCreate,
    InvitationPublic,
    MemberPublic,
    PasswordChange,
    ProfileUpdate,
    RegisterRequest,
    TeamCreate,
    TeamPublic,
)
from app.config import SUPPORTED_LOCALES, get_settings
from app.deps import (
    AuthDep,
    CurrentAdmin,
    CurrentUser,
    OptionalAuthDep,
    SessionDep,
    client_address,
    session_cookie_name,
)
from app.errors import DomainError, Forbidden, TooManyRequests, validation_errors
from app.i18n import N_, locale_cookie_name, normalise_locale, request_locale, translate
from app.models import User
from app.models.enums import Discipline, Role
from app.pages import render

router = APIRouter(include_in_schema=False)

LOCALE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60

# Shown in the reader's language; the templates call _() on these.
ROLE_LABELS = {
    Role.participant: N_("Participant"),
    Role.clinician: N_("Clinician"),
    Role.admin: N_("Administrator"),
}
DISCIPLINE_LABELS = {
    Discipline.physiotherapist: N_("Physiotherapist"),
    Discipline.psychologist: N_("Psychologist"),
    Discipline.physician: N_("Physician"),
    Discipline.occupational_therapist: N_("Occupational therapist"),
    Discipline.social_worker: N_("Social worker"),
    Discipline.nurse: N_("Nurse"),
    Discipline.other: N_("Other discipline"),
}
STATUS_LABELS = {
    "pending": N_("Waiting"),
    "used": N_("Used"),
    "expired": N_("Expired"),
    "revoked": N_("Withdrawn"),
}
# Notes after a redirect (?done=...). Only known keys are shown: nothing from the URL is echoed.
DONE_MESSAGES = {
    "logged_out": N_("You are logged out."),
    "logged_out_everywhere": N_("You are logged out on all your devices."),
    "profile": N_("Your details are saved."),
    "password": N_("Your password is changed. Your other devices are logged out."),
    "team": N_("The care team is created."),
    "revoked": N_("The invitation is withdrawn. The code no longer works."),
    "activated": N_("The account is active again."),
    "deactivated": N_("The account is deactivated and logged out everywhere."),
    "erased": N_("Your account and everything you wrote are erased."),
}


@dataclass
class FormProblems:
    """What went wrong in one form of a page: per visible field, and for the form as a whole."""

    form: str
    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str, visible: frozenset[str]) -> None:
        if name in visible:
            assert name is not None
            self.fields.setdefault(name, message)
        elif message not in self.general:
            self.general.append(message)


def _domain_problems(
    request: Request, form: str, exc: DomainError, visible: frozenset[str] = frozenset()
) -> FormProblems:
    problems = FormProblems(form=form)
    problems.add(exc.field, translate(request_locale(request), exc.message, **exc.params), visible)
    return problems


def _as_missing_when_empty(raw: dict[str, Any]) -> dict[str, Any]:
    """An empty form field is "required", not "too short (at least 1 characters)"."""
    if raw.get("type") == "string_too_short" and (raw.get("ctx") or {}).get("min_length") == 1:
        return {**raw, "type": "missing"}
    return raw


def _validation_problems(
    request: Request, form: str, exc: ValidationError, visible: frozenset[str] = frozenset()
) -> FormProblems:
    problems = FormProblems(form=form)
    raw_errors = [_as_missing_when_empty(dict(error)) for error in exc.errors()]
    for error in validation_errors(request_locale(request), raw_errors):
        problems.add(error["field"], error["message"], visible)
    return problems


def form_problems(
    request: Request, form: str, exc: DomainError | ValidationError, visible: frozenset[str] = frozenset()
) -> tuple[FormProblems, int]:
    """What a refused form submission shows, and the status it answers with."""
    if isinstance(exc, ValidationError):
        return _validation_problems(request, form, exc, visible), 422
    return _domain_problems(request, form, exc, visible), exc.status


def safe_next(value: str | None) -> str:
    """A path on this site to continue to; anything that could lead elsewhere becomes "/"."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    # Browsers read a backslash as a slash ("/\\evil.example"), and strip tabs and newlines.
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _done_message(request: Request) -> str | None:
    msgid = DONE_MESSAGES.get(request.query_params.get("done", ""))
    return translate(request_locale(request), msgid) if msgid else None


def _page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    values: dict[str, Any] = {
        "role_labels": ROLE_LABELS,
        "discipline_labels": DISCIPLINE_LABELS,
        "status_labels": STATUS_LABELS,
        "problems": None,
        "done": _done_message(request) if request.method == "GET" else None,
    }
    values.update(context or {})
    return render(request, name, values, status_code=status_code, headers=headers)


def _optional(value: str) -> str | None:
    value = value.strip()
    return value or None


# --- logging in -------------------------------------------------------------------------

_LOGIN_FIELDS = frozenset({"username", "password"})


@router.get("/login")
def login_page(request: Request, auth: OptionalAuthDep, next: str = "/") -> Response:
    if auth is not None:
        return _redirect(safe_next(next))
    return _page(request, "accounts/login.html", {"next": safe_next(next), "username": ""})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    context: dict[str, Any] = {"next": safe_next(next), "username": username.strip()}
    try:
        if not username.strip() or not password:
            problems = FormProblems(form="login")
            required = translate(request_locale(request), N_("This field is required."))
            for name, value in (("username", username.strip()), ("password", password)):
                if not value:
                    problems.add(name, required, _LOGIN_FIELDS)
            return _page(
                request,
                "accounts/login.html",
                {**context, "problems": problems},
                status_code=422,
            )
        user = service.authenticate(
            session,
            username=username,
            password=password,
            client_address=client_address(request),
        )
    except DomainError as exc:
        session.rollback()
        headers = exc.headers if isinstance(exc, TooManyRequests) else None
        return _page(
            request,
            "accounts/login.html",
            {**context, "problems": _domain_problems(request, "login", exc)},
            status_code=exc.status,
            headers=headers,
        )
    started = replace_session(session, user, request.cookies.get(session_cookie_name(request)))
    response = _redirect(safe_next(next))
    set_session_cookie(request, response, started.token, user)
    return response


@router.post("/logout")
def logout(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    service.logout(session, actor=auth.user, login_session_id=auth.login_session.id)
    response = _redirect("/login?done=logged_out")
    clear_session_cookie(request, response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


# --- joining with an invitation ---------------------------------------------------------

_JOIN_FIELDS = frozenset({"invitation_code", "username", "display_name", "password", "locale"})


def _join_preview(request: Request, session: Session, code: str) -> tuple[dict[str, Any] | None, str | None]:
    """Which team and role a typed code is for, or why it cannot be used."""
    if not code.strip():
        return None, None
    try:
        invitation, team = service.preview_invitation(session, typed_code=code)
    except DomainError as exc:
        return None, translate(request_locale(request), exc.message, **exc.params)
    return {"team_name": team.name, "role": invitation.role, "discipline": invitation.discipline}, None


@router.get("/join")
def join_page(request: Request, session: SessionDep, code: str = "") -> Response:
    code = code[:200]
    preview, code_problem = _join_preview(request, session, code)
    return _page(
        request,
        "accounts/join.html",
        {
            "preview": preview,
            "code_problem": code_problem,
            "form": {
                "invitation_code": code,
                "username": "",
                "display_name": "",
                "locale": request_locale(request),
            },
        },
    )


@router.post("/join")
def join(
    request: Request,
    session: SessionDep,
    invitation_code: Annotated[str, Form(max_length=200)] = "",
    username: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    locale: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    chosen_locale = normalise_locale(locale) or request_locale(request)
    try:
        data = RegisterRequest(
            invitation_code=invitation_code.strip(),
            username=username.strip(),
            display_name=display_name,
            password=password,
            locale=chosen_locale,
        )
        user = service.register(session, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        problems, status_code = form_problems(request, "join", exc, _JOIN_FIELDS)
        preview, _code_problem = _join_preview(request, session, invitation_code)
        return _page(
            request,
            "accounts/join.html",
            {
                "preview": preview,
                "code_problem": None,
                "problems": problems,
                "form": {
                    "invitation_code": invitation_code,
                    "username": username,
                    "display_name": display_name,
                    "locale": chosen_locale,
                },
            },
            status_code=status_code,
        )
    started = replace_session(session, user, request.cookies.get(session_cookie_name(request)))
    response = _redirect("/")
    set_session_cookie(request, response, started.token, user)
    return response


# --- home -------------------------------------------------------------------------------


def _teams_with_members(
    session: Session, user: User
) -> tuple[list[TeamPublic], dict[uuid.UUID, list[MemberPublic]]]:
    teams = service.list_teams(session, actor=user)
    members = {team.id: service.list_members(session, actor=user, team_id=team.id) for team in teams}
    return teams, members


def _invitations_by_team(
    invitations: list[InvitationPublic],
) -> dict[uuid.UUID, list[InvitationPublic]]:
    grouped: dict[uuid.UUID, list[InvitationPublic]] = {}
    for invitation in invitations:
        grouped.setdefault(invitation.team_id, []).append(invitation)
    return grouped


def _home(
    request: Request,
    session: Session,
    user: User,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
) -> Response:
    if user.role == Role.admin:
        return _page(request, "accounts/home_admin.html", {"nav": "home"})
    teams, members = _teams_with_members(session, user)
    context: dict[str, Any] = {
        "nav": "home",
        "teams": teams,
        "members": members,
        "problems": problems,
        "language_next": "/",
    }
    if user.role == Role.participant:
        from app.journal.pages import home_context  # journal.pages imports this module

        context.update(home_context(request, session, user))
        return _page(request, "accounts/home_participant.html", context, status_code=status_code)
    context["invitations"] = _invitations_by_team(service.list_invitations(session, actor=user))
    from app.clinician import views as clinician_views  # the clinician pages import this module

    context["participants"] = clinician_views.dashboard_rows(session, actor=user)
    return _page(request, "accounts/home_clinician.html", context, status_code=status_code)


@router.get("/")
def home(auth: OptionalAuthDep, request: Request, session: SessionDep) -> Response:
    if auth is None:
        return _redirect("/login")
    return _home(request, session, auth.user)


# --- invitations (clinicians and admins) ------------------------------------------------

_ADMIN_INVITE_FIELDS = frozenset({"team_id", "role", "discipline"})


@router.post("/invite")
def invite(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    team_id: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=32)] = "participant",
    discipline: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        data = InvitationCreate.model_validate(
            {"team_id": team_id.strip(), "role": role, "discipline": _optional(discipline)}
        )
        created = service.create_invitation(session, actor=user, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        # Clinicians invite with one button per team; admins use the form with choices.
        form, visible = (
            ("invite", _ADMIN_INVITE_FIELDS)
            if user.role == Role.admin
            else (f"invite-{team_id.strip()}", frozenset[str]())
        )
        problems, status_code = form_problems(request, form, exc, visible)
        if user.role == Role.admin:
            return _admin(
                request,
                session,
                user,
                problems=problems,
                status_code=status_code,
                invite_form={"team_id": team_id, "role": role, "discipline": discipline},
            )
        return _home(request, session, user, problems=problems, status_code=status_code)
    team_names = {team.id: team.name for team in service.list_teams(session, actor=user)}
    back = "/admin" if user.role == Role.admin else "/"
    return _page(
        request,
        "accounts/invitation_created.html",
        {
            "invitation": created,
            "code_groups": created.code.split("-"),
            "team_name": team_names.get(created.team_id, ""),
            "ttl_days": get_settings().invitation_ttl_days,
            "back": back,
            "language_next": back,
        },
    )


@router.post("/invitations/{invitation_id}/revoke")
def revoke_invitation(
    invitation_id: uuid.UUID, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    back = "/admin" if user.role == Role.admin else "/"
    try:
        service.revoke_invitation(session, actor=user, invitation_id=invitation_id)
    except DomainError as exc:
        session.rollback()
        problems = _domain_problems(request, "invitations", exc)
        if user.role == Role.admin:
            return _admin(request, session, user, problems=problems, status_code=exc.status)
        return _home(request, session, user, problems=problems, status_code=exc.status)
    return _redirect(f"{back}?done=revoked")


# --- administration ---------------------------------------------------------------------


def _admin(
    request: Request,
    session: Session,
    user: User,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
    team_form: dict[str, str] | None = None,
    invite_form: dict[str, str] | None = None,
) -> Response:
    teams, members = _teams_with_members(session, user)
    return _page(
        request,
        "accounts/admin.html",
        {
            "nav": "admin",
            "teams": teams,
            "members": members,
            "team_names": {team.id: team.name for team in teams},
            "invitations": service.list_invitations(session, actor=user),
            "accounts": service.list_users(session, actor=user),
            "problems": problems,
            "team_form": team_form or {"name": ""},
            "invite_form": invite_form or {"team_id": "", "role": "participant", "discipline": ""},
            "disciplines": list(Discipline),
            "language_next": "/admin",
        },
        status_code=status_code,
    )


@router.get("/admin")
def admin_page(request: Request, user: CurrentAdmin, session: SessionDep) -> Response:
    return _admin(request, session, user)


@router.post("/admin/teams")
def create_team(
    request: Request,
    user: CurrentAdmin,
    session: SessionDep,
    name: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        service.create_team(session, actor=user, data=TeamCreate(name=name))
    except (DomainError, ValidationError) as exc:
        session.rollback()
        visible = frozenset({"name"})
        problems, status_code = form_problems(request, "team", exc, visible)
        return _admin(
            request,
            session,
            user,
            problems=problems,
            status_code=status_code,
            team_form={"name": name},
        )
    return _redirect("/admin?done=team")


@router.post("/admin/users/{user_id}/active")
def set_user_active(
    user_id: uuid.UUID,
    request: Request,
    user: CurrentAdmin,
    session: SessionDep,
    is_active: Annotated[bool, Form()],
) -> Response:
    try:
        service.set_user_active(session, actor=user, user_id=user_id, is_active=is_active)
    except DomainError as exc:
        session.rollback()
        problems = _domain_problems(request, "accounts", exc)
        return _admin(request, session, user, problems=problems, status_code=exc.status)
    return _redirect("/admin?done=" + ("activated" if is_active else "deactivated"))


# --- own account ------------------------------------------------------------------------

_PROFILE_FIELDS = frozenset({"display_name", "locale", "time_zone"})
_PASSWORD_FIELDS = frozenset({"current_password", "new_password"})


@lru_cache(maxsize=1)
def _time_zone_groups() -> tuple[tuple[str, list[tuple[str, str]]], ...]:
    """Time zones by region, as (region, [(zone, city)]), without legacy aliases."""
    regions: dict[str, list[tuple[str, str]]] = {}
    for zone in sorted(available_timezones()):
        region, _, place = zone.partition("/")
        if not place or region in {"Etc", "SystemV", "US", "Brazil", "Canada", "Chile", "Mexico"}:
            continue
        regions.setdefault(region, []).append((zone, place.replace("_", " ").replace("/", ", ")))
    return (*regions.items(), ("UTC", [("UTC", "UTC")]))


def _account(
    request: Request,
    user: User,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
    profile_form: dict[str, str] | None = None,
) -> Response:
    return _page(
        request,
        "accounts/account.html",
        {
            "nav": "account",
            "problems": problems,
            "profile_form": profile_form
            or {
                "display_name": user.display_name,
                "locale": user.locale,
                "time_zone": user.time_zone,
            },
            "locales": SUPPORTED_LOCALES,
            "time_zone_groups": _time_zone_groups(),
            "language_next": "/account",
        },
        status_code=status_code,
    )


@router.get("/account")
def account_page(request: Request, user: CurrentUser) -> Response:
    return _account(request, user)


@router.post("/account/profile")
def update_profile(
    request: Request,
    auth: AuthDep,
    session: SessionDep,
    display_name: Annotated[str, Form(max_length=200)] = "",
    locale: Annotated[str, Form(max_length=8)] = "",
    time_zone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    submitted = {"display_name": display_name, "locale": locale, "time_zone": time_zone}
    try:
        data = ProfileUpdate.model_validate(submitted)
        service.update_profile(session, actor=auth.user, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        problems, status_code = form_problems(request, "profile", exc, _PROFILE_FIELDS)
        return _account(
            request,
            auth.user,
            problems=problems,
            status_code=status_code,
            profile_form=submitted,
        )
    return _redirect("/account?done=profile")


@router.post("/account/password")
def change_password(
    request: Request,
    auth: AuthDep,
    session: SessionDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        data = PasswordChange(current_password=current_password, new_password=new_password)
        service.change_password(session, actor=auth.user, current_session_id=auth.login_session.id, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        problems, status_code = form_problems(request, "password", exc, _PASSWORD_FIELDS)
        return _account(request, auth.user, problems=problems, status_code=status_code)
    return _redirect("/account?done=password")


@router.post("/account/sessions/revoke-all")
def revoke_all_sessions(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    service.end_all_sessions_of(session, actor=auth.user)
    response = _redirect("/login?done=logged_out_everywhere")
    clear_session_cookie(request, response)
    return response


# --- language ---------------------------------------------------------------------------


@router.post("/language")
def choose_language(
    request: Request,
    auth: OptionalAuthDep,
    session: SessionDep,
    locale: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Public so it works on the login page; for a signed-in user it also changes their setting."""
    chosen = normalise_locale(locale)
    response = _redirect(safe_next(next))
    if chosen is None:
        return response
    if auth is not None:
        # A public route skips the usual check, so a signed-in user's change is checked here.
        if not csrf_token_matches(auth.login_session.id, csrf_token):
            raise Forbidden(N_("This page has expired. Reload it and try again."), code="csrf_token_invalid")
        service.update_profile(
            session, actor=auth.user, data=ProfileUpdate.model_validate({"locale": chosen})
        )
    response.set_cookie(
        locale_cookie_name(request),
        chosen,
        max_age=LOCALE_COOKIE_MAX_AGE,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
        path="/",
    )
    return response
