"""Request and response shapes of the accounts API. Tables are never bodies or responses."""

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from app.config import Locale
from app.models.enums import Discipline, Role
from app.validation import StrictModel


class Strict(StrictModel):
    """Unknown fields are refused, so a typo is an error; so is text no database can store."""


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class RegisterRequest(Strict):
    invitation_code: str = Field(min_length=1, max_length=200)
    username: str = Field(min_length=3, max_length=40)
    display_name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)
    locale: Locale = "en"

    @field_validator("display_name")
    @classmethod
    def _display_name_not_blank(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("blank")
        return value


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class ProfileUpdate(Strict):
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    locale: Locale | None = None
    time_zone: str | None = Field(default=None, min_length=1, max_length=64)


class UserPublic(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    discipline: Discipline | None
    locale: str
    time_zone: str


class MePublic(UserPublic):
    csrf_token: str
    team_ids: list[uuid.UUID]


class SessionsRevoked(BaseModel):
    ended_sessions: int


class RecoveryCodesCreate(Strict):
    password: str = Field(min_length=1, max_length=1024, description="The current password, again")


class RecoveryCodesCreated(BaseModel):
    codes: list[str] = Field(description="Shown this once: only their hashes are kept")
    created_at: datetime


class RecoveryCodesStatus(BaseModel):
    remaining: int = Field(description="Unused codes of the current set (0 when none was made)")
    total: int
    created_at: datetime | None


class RecoverRequest(Strict):
    username: str = Field(min_length=1, max_length=200)
    recovery_code: str = Field(
        min_length=1,
        max_length=200,
        description="One of the person's recovery codes, or the reset code their care team handed over",
    )
    new_password: str = Field(min_length=1, max_length=1024)


class TeamCreate(Strict):
    name: str = Field(min_length=1, max_length=120)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("blank")
        return value


class TeamPublic(BaseModel):
    id: uuid.UUID
    name: str
    created_at: datetime
    clinician_count: int
    participant_count: int
    help_phone: str | None
    help_hours: str | None
    reading_habit: str | None


def _blank_is_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


class TeamHelpUpdate(Strict):
    """The team's own words for its participants: how to reach the team, and how soon it reads
    what is shared. Empty text clears a field; a field left out stays as it is."""

    help_phone: str | None = Field(default=None, max_length=40)
    help_hours: str | None = Field(default=None, max_length=200)
    reading_habit: str | None = Field(default=None, max_length=300)

    _normalised = field_validator("help_phone", "help_hours", "reading_habit")(_blank_is_none)


class TeamHelp(BaseModel):
    """What a participant sees of their team on "Help now" and where they share."""

    name: str
    help_phone: str | None
    help_phone_tel: str | None
    help_hours: str | None
    reading_habit: str | None


class MemberAdd(Strict):
    user_id: uuid.UUID


class MemberPublic(BaseModel):
    user_id: uuid.UUID
    display_name: str
    role: Role
    discipline: Discipline | None
    joined_at: datetime


class ClinicianBrief(BaseModel):
    """A clinician as a participant of their team sees them: a name and a discipline."""

    id: uuid.UUID
    display_name: str
    discipline: Discipline | None


class UserAdminView(BaseModel):
    """What an admin sees of an account: never anything a participant wrote."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    discipline: Discipline | None
    is_active: bool
    created_at: datetime
    team_ids: list[uuid.UUID]


class UserAdminUpdate(Strict):
    is_active: bool


class InvitationCreate(Strict):
    team_id: uuid.UUID
    role: Literal[Role.participant, Role.clinician]
    discipline: Discipline | None = None


InvitationStatus = Literal["pending", "used", "expired", "revoked"]


class InvitationPublic(BaseModel):
    id: uuid.UUID
    team_id: uuid.UUID
    role: Role
    discipline: Discipline | None
    created_at: datetime
    expires_at: datetime
    status: InvitationStatus


class InvitationCreated(InvitationPublic):
    """Returned once, at creation: the code is not stored and cannot be shown again."""

    code: str
    url: str


class SignInEvent(BaseModel):
    """One sign-in, failed attempt or sign-out of one's own account, as the audit log has it."""

    occurred_at: datetime
    action: str = Field(
        description='"auth.login", "auth.logout", "auth.logout_everywhere", "auth.reauthenticate"'
    )
    outcome: str = Field(description='"ok", "failed" or "throttled"')
    client_address: str | None


class ResetState(StrEnum):
    waiting = "waiting"  # for a second person's approval
    approved = "approved"  # the starter may now make the code
    issued = "issued"  # the code is out, not used yet
    used = "used"
    cancelled = "cancelled"
    lapsed = "lapsed"  # not approved or not used in time


class ResetPerson(BaseModel):
    name: str | None = Field(description="null when the account no longer exists")
    discipline: Discipline | None
    role: Role | None


class AccountResetView(BaseModel):
    """A care-team assisted reset of a participant's password, as one who may see it sees it."""

    id: uuid.UUID
    participant_id: uuid.UUID
    participant_name: str
    state: ResetState
    started_by: ResetPerson
    started_at: datetime
    approved_by: ResetPerson | None
    approved_at: datetime | None
    code_issued_at: datetime | None
    code_expires_at: datetime | None
    used_at: datetime | None
    cancelled_by: ResetPerson | None
    cancelled_at: datetime | None
    can_approve: bool = Field(description="This viewer may approve it (a second person)")
    can_make_code: bool = Field(description="This viewer started it and it is approved")
    can_cancel: bool


class ResetCodeIssued(BaseModel):
    code: str = Field(description="Shown this once, to hand over in person: only its hash is kept")
    expires_at: datetime


# --- passkeys -------------------------------------------------------------------------------

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def _base64url(value: str) -> str:
    # One character past a multiple of four is never base64: refused here, not by a decoder later.
    if not _BASE64URL.fullmatch(value) or len(value.rstrip("=")) % 4 == 1:
        raise ValueError("not base64url")
    return value


# Bytes in WebAuthn's JSON; each field says how long it may be.
Base64Url = Annotated[str, AfterValidator(_base64url)]


def _bytes(alias: str | None, max_length: int, **extra: Any) -> Any:
    return Field(alias=alias, min_length=1, max_length=max_length, description="base64url", **extra)


class _CeremonyPart(BaseModel):
    """A part of what the browser answers in a passkey ceremony, named as in WebAuthn's JSON
    (bytes as base64url). Only what verification needs is read; anything more a browser adds
    (its `toJSON()` differs between versions) is ignored."""

    model_config = ConfigDict(extra="ignore")


class AttestationResponse(_CeremonyPart):
    client_data_json: Base64Url = _bytes("clientDataJSON", 8192)
    attestation_object: Base64Url = _bytes("attestationObject", 65536)
    transports: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=10)


class NewPasskeyCredential(_CeremonyPart):
    """What `navigator.credentials.create()` gave."""

    id: Base64Url = _bytes(None, 1400)  # a credential id has at most 1023 bytes
    raw_id: Base64Url = _bytes("rawId", 1400)
    type: Literal["public-key"]
    response: AttestationResponse


class AssertionResponse(_CeremonyPart):
    client_data_json: Base64Url = _bytes("clientDataJSON", 8192)
    authenticator_data: Base64Url = _bytes("authenticatorData", 4096)
    signature: Base64Url = _bytes(None, 2048)
    user_handle: Base64Url | None = _bytes("userHandle", 128, default=None)


class PasskeyAssertion(_CeremonyPart):
    """What `navigator.credentials.get()` gave."""

    id: Base64Url = _bytes(None, 1400)
    raw_id: Base64Url = _bytes("rawId", 1400)
    type: Literal["public-key"]
    response: AssertionResponse


class PasskeyAddStart(Strict):
    password: str = Field(min_length=1, max_length=1024, description="The current password, again")


class PasskeyAdd(Strict):
    name: str = Field(
        min_length=1, max_length=60, description='The person\'s own name for it, e.g. "my phone"'
    )
    credential: NewPasskeyCredential


class PasskeySignIn(Strict):
    credential: PasskeyAssertion


class PasskeyOptions(BaseModel):
    options: dict[str, Any] = Field(
        description="For navigator.credentials.create() or .get(), as WebAuthn's JSON (bytes as "
        "base64url); the challenge is valid for 5 minutes, once, in this browser only"
    )


class PasskeySummary(BaseModel):
    """A passkey as its owner knows it (the export)."""

    name: str
    created_at: datetime
    last_used_at: datetime | None


class PasskeyPublic(PasskeySummary):
    id: uuid.UUID
