"""Passkeys: signing in with the phone's or computer's own lock (face, fingerprint, PIN) instead
of a password, through WebAuthn (the `webauthn` library verifies; nothing is parsed here by hand).

A signed-in person adds passkeys on their account page, after typing their password again (a
stolen session alone cannot plant a way back in), and may remove them. A passkey alone signs in:
it is a discoverable credential the browser offers by itself, with user verification required.

Every ceremony has a challenge that is used once, within minutes, by the browser that asked for
it (the random token of a SameSite=Strict, HttpOnly cookie; only its hash is stored), and adding
is also bound to the login session. The first answer takes the challenge, right or wrong, in a
transaction of its own. The relying party is the host of STEM_PUBLIC_BASE_URL and its origin:
a passkey made for Stem answers nowhere else (phishing sites get nothing they can use).

Failed passkey sign-ins are counted per address only, apart from passwords: wrong passwords
cannot lock a person out of their passkey, and wrong passkeys cannot lock them out of anything.
"""

import ipaddress
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, generate_challenge, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.accounts import repository
from app.accounts.login_sessions import token_hash
from app.accounts.schemas import (
    NewPasskeyCredential,
    PasskeyAssertion,
    PasskeyPublic,
    PasskeySummary,
)
from app.accounts.service import clean_display_name, confirm_password
from app.accounts.throttle import ThrottleKey, address_key, refusals_recorded, throttle_store
from app.audit import service as audit
from app.config import get_settings
from app.db import open_session
from app.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyRequests
from app.i18n import N_
from app.models import Passkey, PasskeyChallenge, User
from app.models.passkey import PasskeyCeremony
from app.models.types import utcnow

CHALLENGE_LIFETIME = timedelta(minutes=5)
MAX_PASSKEYS = 20
RP_NAME = "Stem"

NOT_FOUND = N_("This passkey does not exist or is not yours.")
ADD_TOO_LATE = N_("This took too long, or was started on another page. Try adding the passkey again.")
NOT_ADDED = N_("This passkey could not be added. Try again, or use another device.")
ALREADY_ADDED = N_("This passkey is already added to your account.")
SIGN_IN_TOO_LATE = N_("This took too long, or was started on another page. Try again.")
REFUSED = N_("This passkey did not sign you in. Try again, or log in with your password.")

# What a malformed answer makes the library (or the decoders under it) raise: a refusal, never a 500.
_UNVERIFIABLE = (WebAuthnException, ValueError, TypeError, KeyError, IndexError, OverflowError)


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    name: str = RP_NAME


def relying_party() -> RelyingParty:
    """Stem as WebAuthn names it: the host of STEM_PUBLIC_BASE_URL, and its origin."""
    parts = urlsplit(get_settings().public_base_url.strip())
    host = (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return RelyingParty(id=host, origin=f"{parts.scheme}://{host}{port}")


def passkeys_offered() -> bool:
    """Browsers make passkeys only for a host name (never an IP address), over https or on
    localhost: elsewhere the pages do not offer them."""
    party = relying_party()
    if not party.id:
        return False
    try:
        ipaddress.ip_address(party.id)
    except ValueError:
        return (
            party.origin.startswith("https://") or party.id == "localhost" or party.id.endswith(".localhost")
        )
    return False


@dataclass(frozen=True)
class Ceremony:
    """The options for the browser, and the token of the cookie that binds the challenge to it."""

    token: str
    options: dict[str, Any]


def _new_challenge(
    session: Session,
    *,
    previous_token: str | None,
    ceremony: PasskeyCeremony,
    user_id: uuid.UUID | None = None,
    login_session_id: uuid.UUID | None = None,
) -> tuple[str, bytes]:
    """A fresh challenge for this browser; the one it had before (another tab, a retry) ends."""
    if previous_token:
        repository.drop_passkey_challenge(session, token_hash(previous_token))
    token, challenge = secrets.token_urlsafe(32), generate_challenge()
    repository.add_passkey_challenge(
        session,
        PasskeyChallenge(
            token_hash=token_hash(token),
            ceremony=ceremony,
            challenge=challenge,
            user_id=user_id,
            login_session_id=login_session_id,
            expires_at=utcnow() + CHALLENGE_LIFETIME,
        ),
    )
    return token, challenge


def _take_challenge(
    session: Session, token: str | None, ceremony: PasskeyCeremony
) -> PasskeyChallenge | None:
    """The challenge of this browser's cookie, taken in a transaction of its own and committed
    before the answer is checked: the first answer uses it up, right or wrong, even though a
    refused request rolls back."""
    if not token or len(token) > 200:
        return None
    session.rollback()  # nothing is written yet; on SQLite this frees the write lock for a moment
    with open_session(write=True) as own:
        challenge = repository.take_passkey_challenge(own, token_hash(token), ceremony)
        own.commit()
    return challenge


def _timeout_ms() -> int:
    return int(CHALLENGE_LIFETIME.total_seconds() * 1000)


def _transports(stored: str) -> list[AuthenticatorTransport]:
    known = {transport.value for transport in AuthenticatorTransport}
    return [AuthenticatorTransport(value) for value in stored.split(",") if value in known]


# --- one's own passkeys ---------------------------------------------------------------------


def _public(passkey: Passkey) -> PasskeyPublic:
    return PasskeyPublic.model_validate(passkey, from_attributes=True)


def list_of(session: Session, *, actor: User) -> list[PasskeyPublic]:
    return [_public(passkey) for passkey in repository.passkeys_of(session, actor.id)]


def summaries_of(session: Session, *, actor: User) -> list[PasskeySummary]:
    """For the export: each passkey as its owner knows it (its name and when it was used)."""
    return [
        PasskeySummary.model_validate(passkey, from_attributes=True)
        for passkey in repository.passkeys_of(session, actor.id)
    ]


def one_of(session: Session, *, actor: User, passkey_id: uuid.UUID) -> PasskeyPublic:
    passkey = repository.passkey_of(session, actor.id, passkey_id)
    if passkey is None:
        raise NotFound(NOT_FOUND)
    return _public(passkey)


def start_adding(
    session: Session, *, actor: User, login_session_id: uuid.UUID, password: str, previous_token: str | None
) -> Ceremony:
    """The options to make a new passkey, once the password is typed again."""
    confirm_password(
        session, actor=actor, password=password, field="password", message=N_("Your password is not correct.")
    )
    existing = repository.passkeys_of(session, actor.id)
    if len(existing) >= MAX_PASSKEYS:
        raise Conflict(
            N_("You have {count} passkeys, the most Stem keeps. Remove one first."),
            code="too_many_passkeys",
            count=MAX_PASSKEYS,
        )
    token, challenge = _new_challenge(
        session,
        previous_token=previous_token,
        ceremony=PasskeyCeremony.add,
        user_id=actor.id,
        login_session_id=login_session_id,
    )
    party = relying_party()
    options = generate_registration_options(
        rp_id=party.id,
        rp_name=party.name,
        # The account's random id: nothing personal is kept on the authenticator as its handle.
        user_id=actor.id.bytes,
        user_name=actor.username,
        user_display_name=actor.display_name,
        challenge=challenge,
        timeout=_timeout_ms(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        # The authenticators that already hold one of this person's passkeys say so at once.
        exclude_credentials=[
            PublicKeyCredentialDescriptor(
                id=passkey.credential_id, transports=_transports(passkey.transports)
            )
            for passkey in existing
        ],
    )
    return Ceremony(token=token, options=options_to_json_dict(options))


def _clean_name(name: str) -> str:
    try:
        return clean_display_name(name)
    except InvalidInput as problem:
        raise InvalidInput(problem.message, field="name") from None


def finish_adding(
    session: Session,
    *,
    actor: User,
    login_session_id: uuid.UUID,
    token: str | None,
    name: str,
    credential: NewPasskeyCredential,
) -> PasskeyPublic:
    """The new passkey, verified against this browser's challenge for this login session."""
    name = _clean_name(name)
    user_id = actor.id  # read before the challenge's own transaction expires it
    challenge = _take_challenge(session, token, PasskeyCeremony.add)
    if challenge is None or challenge.user_id != user_id or challenge.login_session_id != login_session_id:
        raise InvalidInput(ADD_TOO_LATE, code="passkey_challenge_expired")
    party = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential.model_dump(by_alias=True),
            expected_challenge=challenge.challenge,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            require_user_verification=True,
        )
    except _UNVERIFIABLE:
        raise InvalidInput(NOT_ADDED, field="credential", code="passkey_not_verified") from None
    if repository.passkey_by_credential_id(session, verified.credential_id) is not None:
        raise Conflict(ALREADY_ADDED, code="passkey_exists")
    known = {transport.value for transport in AuthenticatorTransport}
    passkey = Passkey(
        user_id=user_id,
        name=name,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(t for t in dict.fromkeys(credential.response.transports) if t in known),
        aaguid=verified.aaguid,
        backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backed_up=verified.credential_backed_up,
    )
    session.add(passkey)
    try:
        session.flush()
    except IntegrityError:  # the same passkey, added a moment ago by a twin request
        raise Conflict(ALREADY_ADDED, code="passkey_exists") from None
    audit.record(session, action="account.passkey_add", actor=actor, subject_id=user_id, target=passkey.id)
    return _public(passkey)


def remove(session: Session, *, actor: User, passkey_id: uuid.UUID) -> None:
    passkey = repository.passkey_of(session, actor.id, passkey_id)
    if passkey is None:
        raise NotFound(NOT_FOUND)
    session.delete(passkey)
    session.flush()
    audit.record(
        session, action="account.passkey_remove", actor=actor, subject_id=actor.id, target=passkey_id
    )


# --- signing in -----------------------------------------------------------------------------


def _address_key(client_address: str) -> ThrottleKey:
    settings = get_settings()
    return address_key("pk-addr", client_address, settings.login_max_failures_per_address, settings)


def _check_throttle(key: ThrottleKey) -> None:
    wait = throttle_store().retry_after([key])
    if not wait:
        return
    # One audit row per window; every refusal still has its line in the security log.
    if refusals_recorded.first(key, throttle_store().window_of(key)):
        audit.record_alone(action="auth.login", target="passkey", outcome="throttled")
    raise TooManyRequests(
        N_("Too many attempts. Wait {minutes} minutes and try again."),
        retry_after=wait,
        minutes=max(1, (wait + 59) // 60),
    )


def start_sign_in(session: Session, *, previous_token: str | None, client_address: str) -> Ceremony:
    """The options for signing in with any passkey of this site (the browser lists them)."""
    _check_throttle(_address_key(client_address))
    token, challenge = _new_challenge(
        session, previous_token=previous_token, ceremony=PasskeyCeremony.sign_in
    )
    options = generate_authentication_options(
        rp_id=relying_party().id,
        challenge=challenge,
        timeout=_timeout_ms(),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return Ceremony(token=token, options=options_to_json_dict(options))


def _verified_sign_in(
    challenge: PasskeyChallenge, passkey: Passkey, user: User, assertion: PasskeyAssertion
) -> bool:
    """Whether the answer is this person's passkey's, signed for this challenge and origin, with
    the person verified, and its counter moved on (a cloned authenticator falls behind)."""
    handle = assertion.response.user_handle
    if handle is None or base64url_to_bytes(handle) != user.id.bytes:
        return False
    party = relying_party()
    try:
        verified = verify_authentication_response(
            credential=assertion.model_dump(by_alias=True),
            expected_challenge=challenge.challenge,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except _UNVERIFIABLE:
        return False
    passkey.sign_count = verified.new_sign_count
    passkey.backed_up = verified.credential_backed_up
    passkey.last_used_at = utcnow()
    return True


def _refuse(
    session: Session, key: ThrottleKey, subject_id: uuid.UUID | None, message: str, code: str
) -> NoReturn:
    session.rollback()  # the failure is counted and logged in transactions of their own
    throttle_store().record_failure([key])
    audit.record_alone(action="auth.login", subject_id=subject_id, target="passkey", outcome="failed")
    raise NotAuthenticated(message, code=code)


def sign_in(session: Session, *, token: str | None, assertion: PasskeyAssertion, client_address: str) -> User:
    """The person whose passkey answered this browser's challenge. Not throttled per account: a
    run of wrong passwords does not stop the right passkey."""
    key = _address_key(client_address)
    _check_throttle(key)
    challenge = _take_challenge(session, token, PasskeyCeremony.sign_in)
    if challenge is None:
        _refuse(session, key, None, SIGN_IN_TOO_LATE, "passkey_challenge_expired")
    passkey = repository.passkey_by_credential_id(session, base64url_to_bytes(assertion.raw_id))
    user = repository.user_by_id(session, passkey.user_id) if passkey else None
    if passkey is None or user is None or not user.is_active:
        _refuse(session, key, user.id if user else None, REFUSED, "passkey_refused")
    if not _verified_sign_in(challenge, passkey, user, assertion):
        _refuse(session, key, user.id, REFUSED, "passkey_refused")
    session.add(passkey)
    session.flush()
    audit.record(session, action="auth.login", actor=user, subject_id=user.id, target=f"passkey:{passkey.id}")
    return user
