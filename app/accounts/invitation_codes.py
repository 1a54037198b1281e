"""Invitation and recovery codes: random bits written in Crockford base32 so that they can be
read aloud and typed (invitations 140 bits, recovery codes 120)."""

import hashlib
import re
import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LENGTH = 28  # 28 symbols × 5 bits = 140 random bits
_GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code(length: int = _LENGTH) -> str:
    symbols = "".join(secrets.choice(_ALPHABET) for _ in range(length))
    return "-".join(symbols[i : i + _GROUP] for i in range(0, length, _GROUP))


def normalise_code(typed: str) -> str:
    """Forgiving of case, spaces, dashes and the letters people mistake for digits."""
    return re.sub(r"[^0-9A-Z]", "", typed.upper()).translate(_CONFUSABLE)


CODE_LENGTH = _LENGTH
RECOVERY_CODE_LENGTH = 24  # 120 random bits: above the 112 that lets a plain SHA-256 store it


def code_hash(typed: str) -> str:
    return hashlib.sha256(normalise_code(typed).encode()).hexdigest()
