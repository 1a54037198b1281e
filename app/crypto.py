"""Encryption at rest of everything people write (AES-256-GCM from `cryptography`).

Stored form: `stem1:<key id>:<base64 of nonce + ciphertext>`; the key id travels with each
value, so keys can be rotated while the app serves (`stem rotate-key`). The column's name is
bound into each value (associated data), so a value copied into another column fails to open.

Keys come from STEM_ENCRYPTION_KEYS ("id:base64key,..." with STEM_ENCRYPTION_KEY_ID naming the
one for new writes) or from a key file (STEM_ENCRYPTION_KEY_FILE, default
<data dir>/encryption_keys.json, generated with mode 0600 on first use outside production).
"""

import base64
import json
import os
import secrets
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.config import Settings, get_settings

PREFIX = "stem1"
_NONCE_BYTES = 12


class KeyConfigurationError(RuntimeError):
    pass


class UnreadableValue(RuntimeError):
    """A stored value that no configured key opens (wrong key, or tampered with)."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise KeyConfigurationError(f"the current key id {self.current!r} has no key")
        for key_id, key in self.keys.items():
            if len(key) != 32:
                raise KeyConfigurationError(f"key {key_id!r} must be 32 bytes (AES-256)")
            if ":" in key_id or not key_id:
                raise KeyConfigurationError("key ids are non-empty and contain no ':'")


def new_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _ring_from_env(settings: Settings) -> KeyRing | None:
    if not settings.encryption_keys:
        return None
    keys = {}
    for item in settings.encryption_keys.split(","):
        key_id, _, encoded = item.strip().partition(":")
        keys[key_id] = base64.b64decode(encoded)
    current = settings.encryption_key_id or list(keys)[-1]
    return KeyRing(keys=keys, current=current)


def key_file_path(settings: Settings) -> Path:
    return settings.encryption_key_file or settings.data_dir / "encryption_keys.json"


def read_key_file(path: Path) -> KeyRing:
    data = json.loads(path.read_text(encoding="utf-8"))
    return KeyRing(keys={k: base64.b64decode(v) for k, v in data["keys"].items()}, current=data["current"])


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    payload = {
        "current": ring.current,
        "keys": {k: base64.b64encode(v).decode() for k, v in ring.keys.items()},
    }
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, json.dumps(payload, indent=2).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def _load_ring(settings: Settings) -> KeyRing:
    from_env = _ring_from_env(settings)
    if from_env is not None:
        return from_env
    path = key_file_path(settings)
    if path.exists():
        return read_key_file(path)
    if settings.is_production:
        raise KeyConfigurationError(
            "no encryption key: set STEM_ENCRYPTION_KEYS or provide STEM_ENCRYPTION_KEY_FILE in production"
        )
    ring = KeyRing(keys={"k1": base64.b64decode(new_key())}, current="k1")
    with suppress(FileExistsError):
        write_key_file(path, ring)
    return read_key_file(path)


class FieldCipher:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._ring = _load_ring(settings)
        self._file_mtime = self._key_file_mtime()

    def _key_file_mtime(self) -> float | None:
        if self._settings.encryption_keys:
            return None
        path = key_file_path(self._settings)
        return path.stat().st_mtime if path.exists() else None

    def _refresh_if_key_file_changed(self) -> None:
        """Another process (`stem rotate-key`) may have added a key: pick it up without a restart."""
        mtime = self._key_file_mtime()
        if mtime is not None and mtime != self._file_mtime:
            with self._lock:
                self._ring = read_key_file(key_file_path(self._settings))
                self._file_mtime = mtime

    @property
    def current_key_id(self) -> str:
        self._refresh_if_key_file_changed()
        return self._ring.current

    def encrypt(self, plaintext: str, context: str) -> str:
        ring = self._ring
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, plaintext.encode("utf-8"), context.encode())
        return f"{PREFIX}:{ring.current}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, context: str) -> str:
        if not stored.startswith(PREFIX + ":"):
            return stored  # written before encryption was introduced; `stem rotate-key` seals it
        _prefix, key_id, encoded = stored.split(":", 2)
        if key_id not in self._ring.keys:
            self._refresh_if_key_file_changed()
        key = self._ring.keys.get(key_id)
        if key is None:
            raise UnreadableValue(f"no key with id {key_id!r}")
        raw = base64.b64decode(encoded)
        try:
            plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
        except InvalidTag:
            raise UnreadableValue("a stored value failed its integrity check") from None
        return plain.decode("utf-8")

    def needs_rotation(self, stored: str | None) -> bool:
        if stored is None:
            return False
        if not stored.startswith(PREFIX + ":"):
            return True
        return stored.split(":", 2)[1] != self.current_key_id


_cipher: FieldCipher | None = None
_cipher_lock = threading.Lock()


def cipher() -> FieldCipher:
    global _cipher
    if _cipher is None:
        with _cipher_lock:
            if _cipher is None:
                _cipher = FieldCipher(get_settings())
    return _cipher


def reset_cipher() -> None:
    """Forget the loaded keys (tests, and after `stem rotate-key` in the same process)."""
    global _cipher
    with _cipher_lock:
        _cipher = None


def add_generated_key() -> str:
    """Key-file mode: add a fresh key and make it the one for new writes. Returns its id."""
    settings = get_settings()
    if settings.encryption_keys:
        raise KeyConfigurationError(
            "keys come from STEM_ENCRYPTION_KEYS: add the new key there (and set STEM_ENCRYPTION_KEY_ID), "
            "restart the app, then run `stem rotate-key --no-generate`"
        )
    path = key_file_path(settings)
    ring = read_key_file(path) if path.exists() else _load_ring(settings)
    number = 1 + max((int(k[1:]) for k in ring.keys if k.startswith("k") and k[1:].isdigit()), default=0)
    key_id = f"k{number}"
    keys = dict(ring.keys)
    keys[key_id] = base64.b64decode(new_key())
    write_key_file(path, KeyRing(keys=keys, current=key_id))
    reset_cipher()
    return key_id
