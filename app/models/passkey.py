import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Column, LargeBinary, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, enum_column_type, reference, utcnow


class Passkey(SQLModel, table=True):
    """A passkey (a WebAuthn credential) a person added to sign in without their password.

    Only public values are kept: the authenticator keeps the private key. The sign counter
    catches a cloned authenticator (a counter that goes back is refused); the backup flags say
    whether the passkey is synced between devices."""

    __tablename__ = "passkeys"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = reference("users.id", index=True)
    # The person's own name for it ("my phone"), shown on the account page.
    name: str = Field(sa_column=Column(String(60), nullable=False))
    # The authenticator's id of the credential (at most 1023 bytes by the specification).
    credential_id: bytes = Field(sa_column=Column(LargeBinary(1023), nullable=False, unique=True))
    # The credential's public key, as the authenticator gave it (COSE).
    public_key: bytes = Field(sa_column=Column(LargeBinary(2048), nullable=False))
    # An unsigned 32-bit number: beyond a signed INTEGER.
    sign_count: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
    # How the browser may reach it again ("internal,hybrid"), as the browser said at registration.
    transports: str = Field(default="", sa_column=Column(String(200), nullable=False))
    aaguid: str = Field(default="", sa_column=Column(String(36), nullable=False))
    backup_eligible: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    backed_up: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class PasskeyCeremony(StrEnum):
    add = "add"
    sign_in = "sign_in"


class PasskeyChallenge(SQLModel, table=True):
    """A challenge handed to the browser for one passkey ceremony: used once (taken at the first
    answer, right or wrong) and only within minutes. It belongs to the browser that asked for it:
    the random token of its HttpOnly, SameSite=Strict cookie is kept here only as a SHA-256.
    Adding a passkey is also bound to the login session that asked (and goes with it)."""

    __tablename__ = "passkey_challenges"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    ceremony: PasskeyCeremony = Field(sa_column=Column(enum_column_type(PasskeyCeremony), nullable=False))
    challenge: bytes = Field(sa_column=Column(LargeBinary(64), nullable=False))
    user_id: uuid.UUID | None = reference("users.id", nullable=True, index=True)
    login_session_id: uuid.UUID | None = reference("login_sessions.id", nullable=True, index=True)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
