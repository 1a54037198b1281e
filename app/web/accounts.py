"""Pages of accounts: logging in and out, joining with an invitation, invitations, administration,
one's own account and the language.

Thin like the JSON API, and built on the same service functions: parse the form, call one
service, then redirect or render the form again with the problems next to the fields. A failed
action rolls back before the page is rendered again: nothing half-done is committed.
"""

from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.accounts import passkeys, recovery, service
from app.accounts.deps import (
    CLEAR_SITE_DATA,
    OptionalAuthDep,
    clear_session_cookie,
    session_cookie_name,
    set_session_cookie,
)
from app.accounts.login_sessions import csrf_token_matches, replace_session
from app.accounts.schemas import (
    InvitationCreate,
    PasswordChange,
    ProfileUpdate,
    RecoverRequest,
    RecoveryCodesCreate,
    RegisterRequest,
    TeamCreate,
    TeamHelpUpdate,
)
from app.config import SUPPORTED_LOCALES, get_settings
from app.deps import SessionDep, client_address
from app.errors import DomainError, Forbidden
from app.i18n import N_, locale_cookie_name, normalise_locale, request_locale, translate
from app.models import User
from app.models.enums import Discipline, Role
from app.reminders import service as reminders
from app.reminders.schemas import ReminderSettingsUpdate
from app.web.dates import DEFAULT_TIME_ZONE
from app.web.forms import (
    Choice,
    FormFields,
    FormProblems,
    LongText,
    Refusal,
    Secret,
    Target,
    Text,
    id_or_404,
    optional,
    redirect,
    refusal,
    safe_next,
)
from app.web.home import home_page, teams_with_members
from app.web.rendering import page
from app.web.visits import AdminVisit, AnyVisit, Visit

router = APIRouter(include_in_schema=False)

LOCALE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
INVITATION_NOT_FOUND = N_("This invitation does not exist.")
ACCOUNT_NOT_FOUND = N_("This account does not exist.")


def _signed_in(request: Request, session: Session, user: User, target: str) -> Response:
    """A new session (never the one from before signing in), and on to where they were going."""
    started = replace_session(session, user, request.cookies.get(session_cookie_name(request)))
    response = redirect(target)
    set_session_cookie(request, response, started.token, user)
    return response


# --- logging in -------------------------------------------------------------------------

_LOGIN_FIELDS = FormFields(frozenset({"username", "password"}))


@router.get("/login")
def login_page(request: Request, auth: OptionalAuthDep, next: str = "/") -> Response:
    if auth is not None:
        return redirect(safe_next(next))
    context = {"next": safe_next(next), "username": "", "passkeys_offered": passkeys.passkeys_offered()}
    return page(request, "accounts/login.html", context)


class LoginForm(BaseModel):
    username: Text = ""
    password: Secret = ""
    next: Target = "/"


@router.post("/login")
def login(request: Request, session: SessionDep, form: Annotated[LoginForm, Form()]) -> Response:
    username, password, next = form.username.strip(), form.password, safe_next(form.next)
    context = {"next": next, "username": username, "passkeys_offered": passkeys.passkeys_offered()}
    missing = [name for name, value in (("username", username), ("password", password)) if not value]
    if missing:
        problems = FormProblems(form="login")
        for name in missing:
            problems.add(
                name, translate(request_locale(request), N_("This field is required.")), _LOGIN_FIELDS.visible
            )
        return page(request, "accounts/login.html", context, refused=Refusal(problems, 422))
    try:
        user = service.authenticate(
            session, username=username, password=password, client_address=client_address(request)
        )
    except DomainError as exc:
        session.rollback()
        refused = refusal(request, "login", exc)
        return page(request, "accounts/login.html", context, refused=refused, headers=exc.headers)
    return _signed_in(request, session, user, next)


@router.post("/logout")
def logout(visit: AnyVisit) -> Response:
    service.logout(visit.session, actor=visit.user, login_session_id=visit.login_session.id)
    response = redirect("/login?done=logged_out")
    clear_session_cookie(visit.request, response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


# --- a forgotten password: a recovery code ---------------------------------------------

_RECOVER_FIELDS = FormFields(frozenset({"username", "recovery_code", "new_password"}))


class RecoverForm(BaseModel):
    username: Text = ""
    recovery_code: Text = ""
    new_password: Secret = ""


@router.get("/recover")
def recover_page(request: Request, auth: OptionalAuthDep) -> Response:
    if auth is not None:
        return redirect("/account")
    return page(request, "accounts/recover.html", {"form": RecoverForm().model_dump()})


@router.post("/recover")
def recover(request: Request, session: SessionDep, form: Annotated[RecoverForm, Form()]) -> Response:
    shown = {
        "username": form.username.strip(),
        "recovery_code": "",  # a refused code is never written back into the page
        "new_password": "",
    }
    try:
        data = RecoverRequest.model_validate(form.model_dump())
        user = recovery.recover(
            session,
            username=data.username,
            recovery_code=data.recovery_code,
            new_password=data.new_password,
            client_address=client_address(request),
        )
    except (DomainError, ValidationError) as exc:
        session.rollback()
        refused = refusal(request, "recover", exc, _RECOVER_FIELDS)
        headers = exc.headers if isinstance(exc, DomainError) else None
        return page(request, "accounts/recover.html", {"form": shown}, refused=refused, headers=headers)
    return _signed_in(request, session, user, "/?done=recovered")  # home: where a reset is told


# --- joining with an invitation ---------------------------------------------------------

_JOIN_FIELDS = FormFields(frozenset({"invitation_code", "username", "display_name", "password", "locale"}))


def _join_page(
    request: Request, session: Session, form: dict[str, str], refused: Refusal | None = None
) -> Response:
    """The join form, with which team and role a typed code is for, or why it cannot be used."""
    preview, code_problem = None, None
    if form["invitation_code"].strip():
        try:
            invitation, team = service.preview_invitation(session, typed_code=form["invitation_code"])
        except DomainError as exc:
            # A refused form says what is wrong with the code next to the field already.
            code_problem = None if refused else translate(request_locale(request), exc.message, **exc.params)
        else:
            preview = {"team_name": team.name, "role": invitation.role, "discipline": invitation.discipline}
    context = {"preview": preview, "code_problem": code_problem, "form": form}
    return page(request, "accounts/join.html", context, refused=refused)


@router.get("/join")
def join_page(request: Request, session: SessionDep, code: str = "") -> Response:
    form = {
        "invitation_code": code[:200],
        "username": "",
        "display_name": "",
        "locale": request_locale(request),
    }
    return _join_page(request, session, form)


class JoinForm(BaseModel):
    invitation_code: Text = ""
    username: Text = ""
    display_name: Text = ""
    password: Secret = ""
    locale: Choice = ""


@router.post("/join")
def join(request: Request, session: SessionDep, form: Annotated[JoinForm, Form()]) -> Response:
    chosen_locale = normalise_locale(form.locale) or request_locale(request)
    try:
        data = RegisterRequest(
            invitation_code=form.invitation_code.strip(),
            username=form.username.strip(),
            display_name=form.display_name,
            password=form.password,
            locale=chosen_locale,
        )
        user = service.register(session, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        typed = form.model_dump(exclude={"password"}) | {"locale": chosen_locale}
        return _join_page(request, session, typed, refusal(request, "join", exc, _JOIN_FIELDS))
    return _signed_in(request, session, user, "/?done=joined")  # with the offer of recovery codes


# --- invitations (clinicians and admins) ------------------------------------------------

_ADMIN_INVITE_FIELDS = FormFields(frozenset({"team_id", "role", "discipline"}))


def _back_to_invitations(
    visit: Visit, refused: Refusal, invite_form: dict[str, str] | None = None
) -> Response:
    """Admins invite on the admin page; clinicians with one button per team on their home page."""
    if visit.user.role == Role.admin:
        return _admin_page(visit, refused, invite_form=invite_form)
    return home_page(visit, refused)


class InviteForm(BaseModel):
    team_id: Choice = ""
    role: Choice = Role.participant.value
    discipline: Choice = ""


@router.post("/invite")
def invite(visit: AnyVisit, form: Annotated[InviteForm, Form()]) -> Response:
    user, team_id = visit.user, form.team_id.strip()
    try:
        data = InvitationCreate.model_validate(
            {"team_id": team_id, "role": form.role, "discipline": optional(form.discipline)}
        )
        created = service.create_invitation(visit.session, actor=user, data=data)
    except (DomainError, ValidationError) as exc:
        if user.role == Role.admin:
            refused = visit.refuse("invite", exc, _ADMIN_INVITE_FIELDS)
        else:
            refused = visit.refuse(f"invite-{team_id}", exc)
        return _back_to_invitations(visit, refused, form.model_dump())
    team_names = {team.id: team.name for team in service.list_teams(visit.session, actor=user)}
    back = "/admin" if user.role == Role.admin else "/"
    context = {
        "invitation": created,
        "code_groups": created.code.split("-"),
        "team_name": team_names.get(created.team_id, ""),
        "ttl_days": get_settings().invitation_ttl_days,
        "back": back,
        "language_next": back,
    }
    return page(visit.request, "accounts/invitation_created.html", context)


@router.post("/invitations/{invitation_id}/revoke")
def revoke_invitation(invitation_id: str, visit: AnyVisit) -> Response:
    the_id = id_or_404(invitation_id, INVITATION_NOT_FOUND)
    try:
        service.revoke_invitation(visit.session, actor=visit.user, invitation_id=the_id)
    except DomainError as exc:
        return _back_to_invitations(visit, visit.refuse("invitations", exc))
    back = "/admin" if visit.user.role == Role.admin else "/"
    return redirect(f"{back}?done=revoked")


# --- administration ---------------------------------------------------------------------

_TEAM_FIELDS = FormFields(frozenset({"name"}))


def _admin_page(
    visit: Visit,
    refused: Refusal | None = None,
    *,
    team_form: dict[str, str] | None = None,
    invite_form: dict[str, str] | None = None,
    help_forms: dict[str, dict[str, str]] | None = None,
) -> Response:
    session, user = visit.session, visit.user
    teams, members = teams_with_members(session, user)
    context: dict[str, Any] = {
        "nav": "admin",
        "teams": teams,
        "members": members,
        "team_names": {team.id: team.name for team in teams},
        "invitations": service.list_invitations(session, actor=user),
        "accounts": service.list_users(session, actor=user),
        "team_form": team_form or {"name": ""},
        "invite_form": invite_form or {"team_id": "", "role": "participant", "discipline": ""},
        # each team's help form as typed (a refused one) or as stored
        "help_forms": {
            str(team.id): {
                "help_phone": team.help_phone or "",
                "help_hours": team.help_hours or "",
                "reading_habit": team.reading_habit or "",
            }
            for team in teams
        }
        | (help_forms or {}),
        "disciplines": list(Discipline),
        "language_next": "/admin",
    }
    return page(visit.request, "accounts/admin.html", context, refused=refused)


@router.get("/admin")
def admin_page(visit: AdminVisit) -> Response:
    return _admin_page(visit)


@router.post("/admin/teams")
def create_team(visit: AdminVisit, name: Annotated[LongText, Form()] = "") -> Response:
    try:
        service.create_team(visit.session, actor=visit.user, data=TeamCreate(name=name))
    except (DomainError, ValidationError) as exc:
        return _admin_page(visit, visit.refuse("team", exc, _TEAM_FIELDS), team_form={"name": name})
    return redirect("/admin?done=team")


_TEAM_HELP_FIELDS = FormFields(frozenset({"help_phone", "help_hours", "reading_habit"}))
TEAM_NOT_FOUND = N_("This care team does not exist or is not yours.")


@router.post("/admin/teams/{team_id}/help")
def set_team_help(
    team_id: str,
    visit: AdminVisit,
    help_phone: Annotated[Text, Form()] = "",
    help_hours: Annotated[LongText, Form()] = "",
    reading_habit: Annotated[LongText, Form()] = "",
) -> Response:
    """The team's own contacts for "Help now" and its reading habit; an empty field clears it."""
    the_id = id_or_404(team_id, TEAM_NOT_FOUND)
    typed = {"help_phone": help_phone, "help_hours": help_hours, "reading_habit": reading_habit}
    try:
        data = TeamHelpUpdate.model_validate(typed)
        service.update_team_help(visit.session, actor=visit.user, team_id=the_id, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse(f"help-{the_id}", exc, _TEAM_HELP_FIELDS)
        return _admin_page(visit, refused, help_forms={str(the_id): typed})
    return redirect("/admin?done=team_help")


@router.post("/admin/users/{user_id}/active")
def set_user_active(user_id: str, visit: AdminVisit, is_active: Annotated[bool, Form()]) -> Response:
    the_id = id_or_404(user_id, ACCOUNT_NOT_FOUND)
    try:
        service.set_user_active(visit.session, actor=visit.user, user_id=the_id, is_active=is_active)
    except DomainError as exc:
        return _admin_page(visit, visit.refuse("accounts", exc))
    return redirect("/admin?done=" + ("activated" if is_active else "deactivated"))


# --- own account ------------------------------------------------------------------------

_PROFILE_FIELDS = FormFields(frozenset({"display_name", "locale", "time_zone"}))
_PASSWORD_FIELDS = FormFields(frozenset({"current_password", "new_password"}))
_RECOVERY_FIELDS = FormFields(frozenset({"password"}))


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


def _likely_time_zones(current: str) -> list[tuple[str, str]]:
    """The zones a person most likely wants, first in the list: their own, then the programme's
    (the browser's own zone joins them on the page, see time-zones.js)."""
    places = {zone: place for _region, zones in _time_zone_groups() for zone, place in zones}
    likely = dict.fromkeys(zone for zone in (current, DEFAULT_TIME_ZONE) if zone in places)
    return [(zone, places[zone]) for zone in likely]


def _reminder_form(settings: dict[str, Any]) -> dict[str, str]:
    return {
        name: ("on" if value else "") if isinstance(value, bool) else value.strftime("%H:%M")
        for name, value in settings.items()
    }


def _account_page(
    visit: Visit,
    refused: Refusal | None = None,
    profile_form: dict[str, str] | None = None,
    reminder_form: dict[str, str] | None = None,
) -> Response:
    user = visit.user
    context = {
        "likely_time_zones": _likely_time_zones(user.time_zone),
        "recovery": recovery.status_of(visit.session, actor=user),
        "passkeys": passkeys.list_of(visit.session, actor=user),
        "passkeys_offered": passkeys.passkeys_offered(),
        "push_devices": reminders.my_devices(visit.session, actor=user),
        "reminder_kinds": reminders.kinds_for(user),
        "reminder_settings": reminder_form
        or _reminder_form(reminders.my_settings(visit.session, actor=user).model_dump()),
        "nav": "account",
        "profile_form": profile_form
        or {"display_name": user.display_name, "locale": user.locale, "time_zone": user.time_zone},
        "locales": SUPPORTED_LOCALES,
        "time_zone_groups": _time_zone_groups(),
        "language_next": "/account",
    }
    return page(visit.request, "accounts/account.html", context, refused=refused)


@router.get("/account")
def account_page(visit: AnyVisit) -> Response:
    return _account_page(visit)


class ProfileForm(BaseModel):
    display_name: Text = ""
    locale: Choice = ""
    time_zone: Choice = ""


@router.post("/account/profile")
def update_profile(visit: AnyVisit, form: Annotated[ProfileForm, Form()]) -> Response:
    submitted = form.model_dump()
    try:
        data = ProfileUpdate.model_validate(submitted)
        service.update_profile(visit.session, actor=visit.user, data=data)
    except (DomainError, ValidationError) as exc:
        return _account_page(visit, visit.refuse("profile", exc, _PROFILE_FIELDS), submitted)
    return redirect("/account?done=profile")


@router.post("/account/password")
def change_password(
    visit: AnyVisit,
    current_password: Annotated[Secret, Form()] = "",
    new_password: Annotated[Secret, Form()] = "",
) -> Response:
    try:
        data = PasswordChange(current_password=current_password, new_password=new_password)
        service.change_password(
            visit.session, actor=visit.user, current_session_id=visit.login_session.id, data=data
        )
    except (DomainError, ValidationError) as exc:
        return _account_page(visit, visit.refuse("password", exc, _PASSWORD_FIELDS))
    return redirect("/account?done=password")


@router.post("/account/recovery-codes")
def create_recovery_codes(visit: AnyVisit, password: Annotated[Secret, Form()] = "") -> Response:
    """The new codes on a page of their own, shown once (never cached), to print or write down."""
    try:
        data = RecoveryCodesCreate(password=password)
        made = recovery.create_codes(visit.session, actor=visit.user, password=data.password)
    except (DomainError, ValidationError) as exc:
        return _account_page(visit, visit.refuse("recovery", exc, _RECOVERY_FIELDS))
    response = page(
        visit.request,
        "accounts/recovery_codes.html",
        {"nav": "account", "codes": made.codes, "replaced": made.replaced},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


_REMINDER_FIELDS = FormFields(frozenset({"appointment_tomorrow_at", "quiet_from", "quiet_until"}))


class ReminderForm(BaseModel):
    appointment_tomorrow: Choice = ""
    appointment_checkin: Choice = ""
    shared_for_appointment: Choice = ""
    appointment_tomorrow_at: Choice = ""
    quiet_from: Choice = ""
    quiet_until: Choice = ""


@router.post("/account/reminders")
def update_reminders(visit: AnyVisit, form: Annotated[ReminderForm, Form()]) -> Response:
    submitted = form.model_dump()
    # Only the switches of the kinds this person is offered: an unticked box is off, a kind not
    # on their page stays as it is.
    values = {name: value for name, value in submitted.items() if name not in reminders.KINDS}
    values |= {kind: submitted[kind] == "on" for kind in reminders.kinds_for(visit.user)}
    try:
        data = ReminderSettingsUpdate.model_validate(values)
        reminders.update_settings(visit.session, actor=visit.user, data=data)
    except (DomainError, ValidationError) as exc:
        return _account_page(visit, visit.refuse("reminders", exc, _REMINDER_FIELDS), reminder_form=submitted)
    return redirect("/account?done=reminders")


@router.post("/account/push-devices/{device_id}/remove")
def remove_push_device(device_id: str, visit: AnyVisit) -> Response:
    """Reminders off on one device (the browser's own subscription ends when it next hears 410)."""
    reminders.remove_device(
        visit.session, actor=visit.user, device_id=id_or_404(device_id, reminders.DEVICE_NOT_FOUND)
    )
    return redirect("/account?done=push_device_removed")


@router.post("/account/sessions/revoke-all")
def revoke_all_sessions(visit: AnyVisit) -> Response:
    service.end_all_sessions_of(visit.session, actor=visit.user)
    response = redirect("/login?done=logged_out_everywhere")
    clear_session_cookie(visit.request, response)
    return response


# --- language ---------------------------------------------------------------------------


class LanguageForm(BaseModel):
    locale: Choice = ""
    next: Target = "/"
    csrf_token: Text = ""


@router.post("/language")
def choose_language(
    request: Request, auth: OptionalAuthDep, session: SessionDep, form: Annotated[LanguageForm, Form()]
) -> Response:
    """Public so it works on the login page; for a signed-in user it also changes their setting."""
    chosen = normalise_locale(form.locale)
    response = redirect(safe_next(form.next))
    if chosen is None:
        return response
    if auth is not None:
        # A public route skips the usual check, so a signed-in user's change is checked here.
        if not csrf_token_matches(auth.login_session.id, form.csrf_token):
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
