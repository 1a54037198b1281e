"""Settings: one pydantic-settings object, every value overridable with a STEM_ environment variable."""

import contextlib
import ipaddress
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Locale = Literal["en", "nl"]
SUPPORTED_LOCALES: tuple[Locale, ...] = ("en", "nl")

# Values people copy from examples; never acceptable as a real secret in production.
_PLACEHOLDER_SECRETS = {
    "",
    "changeme",
    "change-me",
    "changethis",
    "secret",
    "secret-key",
    "dev",
    "development",
    "test",
    "example",
    "placeholder",
    "stem",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STEM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mode: Literal["development", "production"] = "development"
    data_dir: Path = Field(default=Path("var"), description="Where the SQLite file and key live")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    secret_key: str = Field(default="", description="Generated into data_dir when not given")
    audit_key: str = Field(
        default="",
        description="The secret the audit chain's key is derived from; STEM_SECRET_KEY when empty. "
        "Set it to the old secret key when rotating STEM_SECRET_KEY, so the chain keeps verifying.",
    )
    public_base_url: str = "http://127.0.0.1:8000"
    default_locale: Locale = "en"

    participant_session_absolute_hours: float = 30 * 24
    participant_session_idle_hours: float = 14 * 24
    clinician_session_absolute_hours: float = 12
    clinician_session_idle_hours: float = 2
    admin_session_absolute_hours: float = 12
    admin_session_idle_hours: float = 1

    invitation_ttl_days: int = 14

    # argon2id cost; the defaults follow RFC 9106's second recommendation (64 MiB, 3 passes).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30
    login_throttle_window_seconds: int = 15 * 60
    redis_url: str = Field(default="", description="Shared login-throttle store; database if empty")

    # The largest legitimate request is an entry of 10,000 characters: 256 KiB is ample.
    max_request_body_bytes: int = 256 * 1024
    # Time a client gets to send a whole request body; a slower one gets 408.
    body_read_seconds: float = 10.0

    encryption_keys: str = Field(default="", description="id:base64key,...; else the key file")
    encryption_key_id: str = Field(default="", description="Key id for new writes; default the last")
    encryption_key_file: Path | None = None

    housekeeping: bool = Field(
        default=True,
        description="Purge the trash and expired rows at start and every 6 hours (stem purge does it too)",
    )

    vapid_private_key: str = Field(
        default="",
        description="Web Push (VAPID, RFC 8292) key, PEM or base64url; generated into data_dir if empty",
    )
    vapid_subject: str = Field(
        default="",
        description="Who push services may contact about our pushes: mailto: or https: URL; "
        "STEM_PUBLIC_BASE_URL when it is https",
    )
    push_enabled: bool = Field(
        default=True, description="Enqueue and send Web Push reminders in housekeeping"
    )

    help_contacts: str = Field(
        default="", description="Who to call when it is urgent: JSON or @file.json; Dutch defaults if empty"
    )

    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object a line (time, level, logger, request id)"
    )
    metrics_allowed_addresses: str = Field(
        default="127.0.0.1/32,::1/128",
        description="Addresses or networks (comma-separated) that may read /metrics",
    )
    metrics_token: str = Field(default="", description="A bearer token that may read /metrics from anywhere")

    @field_validator("metrics_allowed_addresses")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError as error:
                    raise ValueError(
                        f"STEM_METRICS_ALLOWED_ADDRESSES: {part.strip()!r} is not an address or network"
                    ) from error
        return value

    @field_validator("metrics_token")
    @classmethod
    def _strong_token(cls, value: str) -> str:
        if value and _is_placeholder(value):
            raise ValueError("STEM_METRICS_TOKEN must be at least 32 characters and not a placeholder")
        return value

    @property
    def metrics_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in self.metrics_allowed_addresses.split(",")
            if part.strip()
        )

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'stem.db'}"
        if self.mode == "production":
            if _is_placeholder(self.secret_key):
                raise ValueError(
                    "STEM_SECRET_KEY is missing, a placeholder or shorter than 32 characters; "
                    "production mode needs a real secret (python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))')"
                )
            if self.audit_key and _is_placeholder(self.audit_key):
                raise ValueError("STEM_AUDIT_KEY must be at least 32 characters and not a placeholder")
        elif not self.secret_key:
            self.secret_key = _stored_secret(self.data_dir / "secret_key")
        return self

    @property
    def is_production(self) -> bool:
        return self.mode == "production"

    @property
    def push_subject(self) -> str:
        if self.vapid_subject:
            return self.vapid_subject
        if self.public_base_url.startswith("https://"):
            return self.public_base_url.rstrip("/")
        return "mailto:stem@localhost"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def session_lifetimes(self, role: str) -> tuple[timedelta, timedelta]:
        """(absolute, idle) lifetime of a login session for a role."""
        hours = {
            "participant": (
                self.participant_session_absolute_hours,
                self.participant_session_idle_hours,
            ),
            "clinician": (self.clinician_session_absolute_hours, self.clinician_session_idle_hours),
            "admin": (self.admin_session_absolute_hours, self.admin_session_idle_hours),
        }[role]
        return timedelta(hours=hours[0]), timedelta(hours=hours[1])


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in _PLACEHOLDER_SECRETS or len(value) < 32


def private_directory(path: Path) -> Path:
    """Creates a directory (and its missing parents) readable by its owner only (0700).

    The data directory holds the database and the secret key: never world-readable. An
    existing directory keeps the mode its operator gave it."""
    missing = [parent for parent in (path, *path.parents) if not parent.exists()]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for created in missing:
        created.chmod(0o700)  # mkdir's mode passes through the umask, and parents get the umask's
    return path


def private_file(path: Path) -> Path:
    """Creates an empty file readable by its owner only (0600) unless it exists. SQLite gives
    its -wal and -shm files the mode of the database file, so those follow."""
    private_directory(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def stored_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's bytes, or `make()` written there first, readable by its owner only.

    Written to a private temporary file first and linked into place, so two processes
    starting at once agree on one value and never read a half-written file.
    """
    if path.exists():
        return path.read_bytes()
    private_directory(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, make())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_bytes()


def _stored_secret(path: Path) -> str:
    """Read the generated key, or create it (see `stored_once`)."""
    return stored_once(path, lambda: secrets.token_urlsafe(48).encode()).decode("utf-8").strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
