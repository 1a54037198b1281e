"""The VAPID key pair (RFC 8292) that signs every push: given in settings
(STEM_VAPID_PRIVATE_KEY, PEM or base64url), or generated into the data directory on first use,
readable by its owner only, like the secret key."""

import base64
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02  # type: ignore[import-untyped]

from app.config import get_settings, stored_once

KEY_FILE = "vapid_private_key.pem"


def _stored_key(path: Path) -> bytes:
    """Read the generated key, or create it (0600), as the secret key is (`stored_once`)."""

    def generated() -> bytes:
        made = Vapid02()
        made.generate_keys()
        return bytes(made.private_pem())

    return stored_once(path, generated)


@lru_cache
def signing_key() -> Vapid02:
    settings = get_settings()
    given = settings.vapid_private_key.strip()
    if given.startswith("-----BEGIN"):
        return Vapid02.from_pem(given.encode())
    if given:
        return Vapid02.from_string(given)
    return Vapid02.from_pem(_stored_key(settings.data_dir / KEY_FILE))


def application_server_key() -> str:
    """The public key as the browser's `applicationServerKey` wants it: the uncompressed P-256
    point, base64url without padding."""
    raw = signing_key().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def authorization(endpoint_origin: str, *, expires: int) -> dict[str, str]:
    """The VAPID Authorization header for one push service (its origin is the `aud`)."""
    claims = {"sub": get_settings().push_subject, "aud": endpoint_origin, "exp": expires}
    return {str(name): str(value) for name, value in signing_key().sign(claims).items()}
