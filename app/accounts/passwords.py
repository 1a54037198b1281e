"""Password hashing (argon2id) and the password rules."""

import re
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

from app.accounts.common_passwords_nl import COMMON_DUTCH_WORDS
from app.config import get_settings
from app.i18n import N_

# The demo data's password, printed by `stem demo` and in the README: refused for any real account
# (demo accounts are made without the password rules).
DEMO_PASSWORD = "stem demo 2026"  # noqa: S105
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# zxcvbn is quadratic in length; its verdict on the first characters is enough.
_STRENGTH_CHECK_PREFIX = 64


@lru_cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def normalise_password(password: str) -> str:
    # The same passphrase typed on a phone and on a desktop may differ in Unicode form.
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher().hash(normalise_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, normalise_password(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@lru_cache
def dummy_hash() -> str:
    """Verified against when the username is unknown, so both failures take as long."""
    return hash_password("not a real password, only for equal timing")


_DUTCH_INPUTS = sorted(COMMON_DUTCH_WORDS)
_LEET = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "3": "e", "1": "i", "!": "i", "$": "s", "5": "s", "7": "t"}
)


def _common_dutch(lowered: str) -> bool:
    """ "Wachtwoord2024!", "welkom12345", "123ikhouvanjou": a common word with digits and signs."""
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered).translate(_LEET)
    return core.replace(" ", "") in COMMON_DUTCH_WORDS or core in COMMON_DUTCH_WORDS


def _is_demo(lowered: str) -> bool:
    return re.sub(r"\s+", " ", lowered).strip() == DEMO_PASSWORD


def password_problem(password: str, *, username: str = "", display_name: str = "") -> str | None:
    """The reason a new password is refused (a msgid), or None when it is acceptable."""
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("Choose a password of at least 10 characters. A short sentence works well.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("This password is too long (at most 1024 characters).")
    lowered = password.lower()
    if lowered in RANKED_DICTIONARIES["passwords"] or _common_dutch(lowered) or _is_demo(lowered):
        return N_("This password is one of the most common ones. Choose something less obvious.")
    personal = [value for value in (username, display_name) if value] + _DUTCH_INPUTS
    result = zxcvbn(password[:_STRENGTH_CHECK_PREFIX], user_inputs=personal)
    if int(result["score"]) < 2:
        return N_("This password is easy to guess. Try a few unrelated words together.")
    return None
