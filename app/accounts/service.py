"""The rules of accounts, care teams and enrollment. Functions flush; the request commits."""

import re
import unicodedata
import uuid
from datetime import timedelta
from typing import NoReturn
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts import repository
from app.accounts.invitation_codes import CODE_LENGTH, code_hash, new_code, normalise_code
from app.accounts.login_sessions import csrf_token_for, end_all_sessions, end_session
from app.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from app.accounts.schemas import (
    ClinicianBrief,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
    InvitationStatus,
    MemberPublic,
    MePublic,
    PasswordChange,
    ProfileUpdate,
    RegisterRequest,
    SignInEvent,
    TeamCreate,
    TeamHelp,
    TeamHelpUpdate,
    TeamPublic,
    UserAdminView,
    UserPublic,
)
from app.accounts.throttle import ThrottleKey, counter_keys, refusals_recorded, throttle_keys, throttle_store
from app.audit import service as audit
from app.config import get_settings
from app.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from app.help_contacts import is_phone_number, tel_form
from app.i18n import N_
from app.models import CareTeam, Invitation, LoginSession, TeamMembership, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


# --- enrollment -------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return username.strip().lower()


USERNAME_TAKEN = N_("This username is already taken. Try another.")
# Registering with a code tells whether a username exists: that answer is counted per code and
# per address, so a code cannot be used to list the usernames of a clinic.
REGISTER_PROBES_PER_CODE = 10
REGISTER_PROBES_PER_ADDRESS = 30


def _check_username(session: Session, username: str, *, taken_check: bool = True) -> str:
    username = normalise_username(username)
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            N_(
                "Use 3 to 40 characters: letters a-z, digits, dots, dashes or underscores, "
                "starting with a letter or digit."
            ),
            field="username",
        )
    if taken_check and repository.username_taken(session, username):
        raise Conflict(USERNAME_TAKEN, field="username")
    return username


def _check_new_password(password: str, *, username: str, display_name: str) -> None:
    problem = password_problem(password, username=username, display_name=display_name)
    if problem:
        raise InvalidInput(problem, field="password")


def _usable_invitation(session: Session, typed_code: str) -> Invitation:
    invitation = repository.invitation_by_code_hash(session, code_hash(typed_code))
    typed_length = len(normalise_code(typed_code))
    if invitation is None and typed_length != CODE_LENGTH:
        # Say what to check: most wrong codes are a group too few or too many.
        raise InvalidInput(
            N_(
                "We do not know this invitation code. It has {typed} letters and digits, "
                "an invitation code has {expected}: check that you typed all of it."
            ),
            field="invitation_code",
            code="invitation_unknown",
            typed=typed_length,
            expected=CODE_LENGTH,
        )
    if invitation is None:
        raise InvalidInput(
            N_("We do not know this invitation code. Check it, or ask your care team for a new one."),
            field="invitation_code",
            code="invitation_unknown",
        )
    status = invitation_status(invitation)
    if status == "used":
        raise Gone(
            N_("This invitation has already been used. If that was not you, tell your care team."),
            field="invitation_code",
            code="invitation_used",
        )
    if status == "revoked":
        raise Gone(
            N_("This invitation was withdrawn. Ask your care team for a new one."),
            field="invitation_code",
            code="invitation_revoked",
        )
    if status == "expired":
        raise Gone(
            N_("This invitation has expired. Ask your care team for a new one."),
            field="invitation_code",
            code="invitation_expired",
        )
    return invitation


def preview_invitation(session: Session, *, typed_code: str) -> tuple[Invitation, CareTeam]:
    """For the join page: which team an invitation is for, refusing unusable codes."""
    invitation = _usable_invitation(session, typed_code)
    team = repository.team_by_id(session, invitation.team_id)
    assert team is not None  # the foreign key cascades
    return invitation, team


# --- names people see -----------------------------------------------------------------------

# Characters a person cannot see that can make one name look like another or change the order in
# which it is shown: controls, formatting characters (bidirectional overrides and isolates,
# zero-width spaces), private use, unassigned. The zero-width (non-)joiners stay: some scripts
# need them inside names.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cn", "Cs"}
_NAME_JOINERS = {"\u200c", "\u200d"}
NAME_IN_USE = N_(
    "Someone in this care team already uses this name. Add something that tells you apart, "
    "such as an initial."
)


def clean_display_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise InvalidInput(N_("This field is required."), field="display_name")
    if any(unicodedata.category(char) in _HIDDEN_CATEGORIES and char not in _NAME_JOINERS for char in name):
        raise InvalidInput(
            N_("A name cannot contain invisible characters or characters that change the writing direction."),
            field="display_name",
        )
    return name


def name_key(name: str) -> str:
    """Two names that read the same are the same: compatibility forms (full-width letters,
    ligatures) folded, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _check_name_free(
    session: Session, name: str, team_ids: list[uuid.UUID], *, except_user: uuid.UUID | None = None
) -> None:
    """Within a team every name is one person: nobody can pass as a colleague."""
    key = name_key(name)
    for team_id in team_ids:
        for _member, user in repository.members_of(session, team_id):
            if user.id != except_user and name_key(user.display_name) == key:
                raise Conflict(NAME_IN_USE, field="display_name", code="name_in_use")


def _register_keys(invitation: Invitation, client_address: str) -> list[ThrottleKey]:
    limits = (REGISTER_PROBES_PER_CODE, REGISTER_PROBES_PER_ADDRESS)
    return counter_keys(("reg-code", "reg-addr"), str(invitation.id), client_address, limits, get_settings())


def register(session: Session, *, data: RegisterRequest) -> User:
    """Everything else is checked before whether the username is free, and that answer is
    throttled per code and per address (a taken name counts as a probe)."""
    invitation = _usable_invitation(session, data.invitation_code)
    keys = _register_keys(invitation, audit.client_address_var.get() or "unknown")
    store = throttle_store()
    wait = store.retry_after(keys)
    if wait:
        raise TooManyRequests.attempts(wait)
    username = _check_username(session, data.username, taken_check=False)
    display_name = clean_display_name(data.display_name)
    _check_name_free(session, display_name, [invitation.team_id])
    _check_new_password(data.password, username=username, display_name=display_name)
    if repository.username_taken(session, username):
        session.rollback()  # the probe is counted in a transaction of its own
        store.record_failure(keys)
        raise Conflict(USERNAME_TAKEN, field="username")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(data.password),
        role=invitation.role,
        discipline=invitation.discipline if invitation.role == Role.clinician else None,
        locale=data.locale,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(USERNAME_TAKEN, field="username") from None
    if not repository.claim_invitation(session, invitation.id, user.id):
        # Someone registered with the same code a moment ago; the request rolls back whole.
        raise Gone(
            N_("This invitation has already been used. If that was not you, tell your care team."),
            field="invitation_code",
            code="invitation_used",
        )
    session.add(TeamMembership(team_id=invitation.team_id, user_id=user.id, member_role=user.role))
    session.flush()
    audit.record(session, action="account.register", actor=user, subject_id=user.id, target=invitation.id)
    return user


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    discipline: Discipline | None = None,
    locale: str = "en",
    check_password: bool = True,
) -> User:
    """Accounts made by an operator (the first admin, demo data) rather than by invitation."""
    username = _check_username(session, username)
    display_name = clean_display_name(display_name)
    if check_password:
        _check_new_password(password, username=username, display_name=display_name)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        discipline=discipline if role == Role.clinician else None,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


# --- signing in -------------------------------------------------------------------------

WRONG_CREDENTIALS = N_("The username or password is not correct.")


def _throttled(wait: int, key: ThrottleKey) -> NoReturn:
    # One audit row per key and window; every refusal still has its line in the security log.
    if refusals_recorded.first(key, throttle_store().window_of(key)):
        audit.record_alone(action="auth.login", outcome="throttled")
    raise TooManyRequests.attempts(wait)


def authenticate(session: Session, *, username: str, password: str, client_address: str) -> User:
    """The user for these credentials; the same answer and timing for unknown and wrong."""
    keys = throttle_keys(username, client_address, get_settings())
    account_key, address_key = keys
    store = throttle_store()
    wait = store.retry_after([account_key])
    if wait:
        _throttled(wait, account_key)
    # The address key alone does not refuse a correct password: behind a proxy that hides the
    # clients' addresses everyone shares one, and anyone's failures would lock everyone out.
    # Over it, a wrong password gets the 429 (and still counts for its account).
    address_wait = store.retry_after([address_key])
    user = repository.user_by_username(session, normalise_username(username))
    usable = user is not None and user.is_active
    password_ok = verify_password(user.password_hash if usable and user else dummy_hash(), password)
    if not (usable and password_ok) or user is None:
        subject_id = user.id if user else None  # read before the rollback expires it
        # Release the request's transaction first: the failure is counted in one of its own.
        session.rollback()
        store.record_failure(keys)
        if address_wait:
            _throttled(address_wait, address_key)
        audit.record_alone(action="auth.login", subject_id=subject_id, outcome="failed")
        raise NotAuthenticated(WRONG_CREDENTIALS, code="wrong_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    store.clear(session, keys[0])
    audit.record(session, action="auth.login", actor=user, subject_id=user.id)
    return user


def logout(session: Session, *, actor: User, login_session_id: uuid.UUID) -> None:
    end_session(session, login_session_id)
    audit.record(session, action="auth.logout", actor=actor, subject_id=actor.id)


def end_all_sessions_of(session: Session, *, actor: User) -> int:
    ended = end_all_sessions(session, actor.id)
    audit.record(session, action="auth.logout_everywhere", actor=actor, subject_id=actor.id)
    return ended


def me(session: Session, *, actor: User, login_session: LoginSession) -> MePublic:
    """The signed-in account, with the CSRF token its session needs and its teams."""
    return MePublic.model_validate(
        {
            **UserPublic.model_validate(actor, from_attributes=True).model_dump(),
            "csrf_token": csrf_token_for(login_session.id),
            "team_ids": repository.team_ids_of(session, actor.id),
        }
    )


SIGN_IN_ACTIONS = ("auth.login", "auth.logout", "auth.logout_everywhere", "auth.reauthenticate")


def sign_in_history(session: Session, *, actor: User) -> list[SignInEvent]:
    """My own sign-ins, failed attempts and sign-outs (for the export: it is my data too)."""
    return [
        SignInEvent.model_validate(event, from_attributes=True)
        for event in audit.events_about(session, actor.id, SIGN_IN_ACTIONS)
    ]


def erase_account(session: Session, *, actor: User) -> None:
    """The account of someone who asked to erase everything: every session ends, invitations they
    used forget them, and the account goes (what they wrote is erased by its own domains)."""
    end_all_sessions(session, actor.id)
    user = repository.user_by_id(session, actor.id)
    if user is not None:
        account_key = throttle_keys(user.username, "", get_settings())[0]
        throttle_store().forget(session, account_key)
        repository.delete_user(session, user)


def confirm_password(session: Session, *, actor: User, password: str, field: str, message: str) -> None:
    """Re-authentication inside a session (password change, erasure): throttled and audited like
    a login, so a stolen session cannot guess the password without limit."""
    keys = throttle_keys(actor.username, audit.client_address_var.get() or "unknown", get_settings())
    store = throttle_store()
    wait = store.retry_after(keys)
    if wait:
        raise TooManyRequests.attempts(wait)
    if verify_password(actor.password_hash, password):
        return
    actor_id = actor.id  # read before the rollback expires it
    session.rollback()  # release the request's write lock: the failure is counted on its own
    store.record_failure(keys)
    audit.record_alone(action="auth.reauthenticate", subject_id=actor_id, outcome="failed")
    raise InvalidInput(message, field=field)


def change_password(
    session: Session, *, actor: User, current_session_id: uuid.UUID, data: PasswordChange
) -> None:
    confirm_password(
        session,
        actor=actor,
        password=data.current_password,
        field="current_password",
        message=N_("Your current password is not correct."),
    )
    problem = password_problem(data.new_password, username=actor.username, display_name=actor.display_name)
    if problem:
        raise InvalidInput(problem, field="new_password")
    actor.password_hash = hash_password(data.new_password)
    actor.password_changed_at = utcnow()
    session.add(actor)
    end_all_sessions(session, actor.id, except_id=current_session_id)
    session.flush()
    audit.record(session, action="account.password_change", actor=actor, subject_id=actor.id)


def update_profile(session: Session, *, actor: User, data: ProfileUpdate) -> User:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "time_zone" in changes:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(changes["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(N_("This is not a known time zone."), field="time_zone") from None
    if "display_name" in changes:
        changes["display_name"] = clean_display_name(changes["display_name"])
        if name_key(changes["display_name"]) != name_key(actor.display_name):
            _check_name_free(
                session,
                changes["display_name"],
                repository.team_ids_of(session, actor.id),
                except_user=actor.id,
            )
    for name, value in changes.items():
        setattr(actor, name, value)
    session.add(actor)
    session.flush()
    return actor


# --- care teams -------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden(N_("Only an administrator can do this."))


def _reachable_team(session: Session, *, actor: User, team_id: uuid.UUID) -> CareTeam:
    """A team the actor may look at; any other answers 404, exactly like a missing one."""
    team = repository.team_by_id(session, team_id)
    if team is None:
        raise NotFound(N_("This care team does not exist or is not yours."))
    if actor.role != Role.admin and repository.membership(session, team_id, actor.id) is None:
        raise NotFound(N_("This care team does not exist or is not yours."))
    return team


def create_team(session: Session, *, actor: User, data: TeamCreate) -> TeamPublic:
    _require_admin(actor)
    if repository.team_by_name(session, data.name):
        raise Conflict(N_("A care team with this name already exists."), field="name")
    team = CareTeam(name=data.name)
    session.add(team)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("A care team with this name already exists."), field="name") from None
    audit.record(session, action="admin.team_create", actor=actor, target=team.id)
    return _team_public(team, clinicians=0, participants=0)


def list_teams(session: Session, *, actor: User) -> list[TeamPublic]:
    team_ids = None if actor.role == Role.admin else repository.team_ids_of(session, actor.id)
    return [
        _team_public(team, clinicians=clinicians, participants=participants)
        for team, clinicians, participants in repository.teams_with_counts(session, team_ids)
    ]


def _team_public(team: CareTeam, *, clinicians: int, participants: int) -> TeamPublic:
    return TeamPublic.model_validate(
        {**team.model_dump(), "clinician_count": clinicians, "participant_count": participants}
    )


def _member_public(member: TeamMembership, user: User) -> MemberPublic:
    return MemberPublic.model_validate(
        {**user.model_dump(), "user_id": user.id, "role": member.member_role, "joined_at": member.joined_at}
    )


def list_members(session: Session, *, actor: User, team_id: uuid.UUID) -> list[MemberPublic]:
    """Admins and the team's clinicians see everyone; a participant sees only the clinicians."""
    _reachable_team(session, actor=actor, team_id=team_id)
    roles = [Role.clinician] if actor.role == Role.participant else None
    return [
        _member_public(member, user) for member, user in repository.members_of(session, team_id, roles=roles)
    ]


def team_clinicians(session: Session, *, actor: User, active_only: bool = True) -> list[ClinicianBrief]:
    """The clinicians of the participant's own care team, by name (none without a team)."""
    team_id = repository.participant_team_id(session, actor.id)
    if team_id is None:
        return []
    return [
        ClinicianBrief.model_validate(user, from_attributes=True)
        for _member, user in repository.members_of(session, team_id, roles=[Role.clinician])
        if user.is_active or not active_only
    ]


def update_team_help(
    session: Session, *, actor: User, team_id: uuid.UUID, data: TeamHelpUpdate
) -> TeamPublic:
    """An admin sets the team's contacts and reading habit (fields left out stay as they are)."""
    _require_admin(actor)
    team = _reachable_team(session, actor=actor, team_id=team_id)
    changes = data.model_dump(exclude_unset=True)
    phone = changes.get("help_phone")
    if phone is not None and not is_phone_number(phone):
        raise InvalidInput(
            N_("This is not a phone number: use digits, spaces or dashes, and + at the start for abroad."),
            field="help_phone",
        )
    for name, value in changes.items():
        setattr(team, name, value)
    session.add(team)
    session.flush()
    audit.record(session, action="admin.team_help_update", actor=actor, target=team.id)
    return next(item for item in list_teams(session, actor=actor) if item.id == team.id)


def team_help(session: Session, *, actor: User) -> TeamHelp | None:
    """The participant's own team's contacts; None for anyone else or without a team."""
    if actor.role != Role.participant:
        return None
    team_id = repository.participant_team_id(session, actor.id)
    team = repository.team_by_id(session, team_id) if team_id else None
    if team is None:
        return None
    return TeamHelp(
        name=team.name,
        help_phone=team.help_phone,
        help_phone_tel=tel_form(team.help_phone) if team.help_phone else None,
        help_hours=team.help_hours,
        reading_habit=team.reading_habit,
    )


def care_team_name(session: Session, *, actor: User) -> str | None:
    team_id = repository.participant_team_id(session, actor.id)
    team = repository.team_by_id(session, team_id) if team_id else None
    return team.name if team else None


def add_member(session: Session, *, actor: User, team_id: uuid.UUID, user_id: uuid.UUID) -> MemberPublic:
    _require_admin(actor)
    _reachable_team(session, actor=actor, team_id=team_id)
    user = repository.user_by_id(session, user_id)
    if user is None:
        raise NotFound(N_("This account does not exist."), field="user_id")
    if user.role == Role.admin:
        raise InvalidInput(N_("Administrators are not members of care teams."), field="user_id")
    if repository.membership(session, team_id, user.id):
        raise Conflict(N_("This person is already a member of this team."), field="user_id")
    if user.role == Role.participant and repository.participant_team_id(session, user.id):
        raise Conflict(
            N_("A participant belongs to one care team. Remove them from their team first."),
            field="user_id",
        )
    _check_name_free(session, user.display_name, [team_id])
    member = TeamMembership(team_id=team_id, user_id=user.id, member_role=user.role)
    session.add(member)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("This person is already a member of a team."), field="user_id") from None
    audit.record(session, action="admin.member_add", actor=actor, subject_id=user.id, target=team_id)
    return _member_public(member, user)


def remove_member(session: Session, *, actor: User, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
    _require_admin(actor)
    _reachable_team(session, actor=actor, team_id=team_id)
    member = repository.membership(session, team_id, user_id)
    if member is None:
        raise NotFound(N_("This person is not a member of this team."))
    repository.end_membership(session, member)
    audit.record(session, action="admin.member_remove", actor=actor, subject_id=user_id, target=team_id)


# --- accounts (admin) -------------------------------------------------------------------


def _admin_view(user: User, team_ids: list[uuid.UUID]) -> UserAdminView:
    return UserAdminView.model_validate({**user.model_dump(), "team_ids": team_ids})


def list_users(session: Session, *, actor: User) -> list[UserAdminView]:
    _require_admin(actor)
    teams = repository.team_ids_by_user(session)
    return [_admin_view(user, teams.get(user.id, [])) for user in repository.all_users(session)]


def set_user_active(session: Session, *, actor: User, user_id: uuid.UUID, is_active: bool) -> UserAdminView:
    _require_admin(actor)
    user = repository.user_by_id(session, user_id)
    if user is None:
        raise NotFound(N_("This account does not exist."))
    if user.id == actor.id and not is_active:
        raise InvalidInput(N_("You cannot deactivate your own account."), field="is_active")
    user.is_active = is_active
    session.add(user)
    if not is_active:
        end_all_sessions(session, user.id)
    session.flush()
    action = "admin.account_activate" if is_active else "admin.account_deactivate"
    audit.record(session, action=action, actor=actor, subject_id=user.id)
    return _admin_view(user, repository.team_ids_of(session, user.id))


# --- invitations ------------------------------------------------------------------------


def invitation_status(invitation: Invitation) -> InvitationStatus:
    if invitation.used_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= utcnow():
        return "expired"
    return "pending"


def _invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate(
        {**invitation.model_dump(), "status": invitation_status(invitation)}
    )


def join_url(code: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/join?{urlencode({'code': code})}"


def create_invitation(session: Session, *, actor: User, data: InvitationCreate) -> InvitationCreated:
    if actor.role == Role.participant:
        raise Forbidden(N_("Only your care team can invite people."))
    _reachable_team(session, actor=actor, team_id=data.team_id)
    if actor.role == Role.clinician and data.role != Role.participant:
        raise Forbidden(N_("Clinicians can invite participants only."), field="role")
    if data.role == Role.clinician and data.discipline is None:
        raise InvalidInput(N_("Choose the clinician's discipline."), field="discipline")
    if data.role == Role.participant and data.discipline is not None:
        raise InvalidInput(N_("A participant has no discipline."), field="discipline")
    code = new_code()
    now = utcnow()
    invitation = Invitation(
        code_hash=code_hash(code),
        team_id=data.team_id,
        role=data.role,
        discipline=data.discipline,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=get_settings().invitation_ttl_days),
    )
    session.add(invitation)
    session.flush()
    audit.record(session, action="invitation.create", actor=actor, target=invitation.id)
    return InvitationCreated(**_invitation_public(invitation).model_dump(), code=code, url=join_url(code))


def _invitation_team_ids(session: Session, actor: User) -> list[uuid.UUID] | None:
    if actor.role == Role.admin:
        return None
    if actor.role == Role.clinician:
        return repository.team_ids_of(session, actor.id)
    raise Forbidden(N_("Only your care team can see invitations."))


def list_invitations(session: Session, *, actor: User) -> list[InvitationPublic]:
    team_ids = _invitation_team_ids(session, actor)
    return [
        _invitation_public(invitation) for invitation in repository.invitations_for_teams(session, team_ids)
    ]


def revoke_invitation(session: Session, *, actor: User, invitation_id: uuid.UUID) -> InvitationPublic:
    team_ids = _invitation_team_ids(session, actor)
    invitation = repository.invitation_by_id(session, invitation_id)
    if invitation is None or (team_ids is not None and invitation.team_id not in team_ids):
        raise NotFound(N_("This invitation does not exist or is not yours."))
    if actor.role == Role.clinician and invitation.role != Role.participant:
        raise NotFound(N_("This invitation does not exist or is not yours."))
    if invitation.used_at is not None:
        raise Conflict(N_("This invitation has already been used and cannot be withdrawn."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        session.flush()
        audit.record(session, action="invitation.revoke", actor=actor, target=invitation.id)
    return _invitation_public(invitation)
