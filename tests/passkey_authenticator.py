"""A software authenticator for the API tests: makes passkeys (attestation "none", ES256) and
signs sign-ins as a phone would, with the `cryptography` package and the `webauthn` library's
own CBOR helper. Each part of an answer can be spoiled on purpose (origin, relying party,
counter, user verification), so the tests can show that each check refuses."""

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, encode_cbor

ORIGIN = "http://testserver"  # STEM_PUBLIC_BASE_URL of the test suite
RP_ID = "testserver"

_USER_PRESENT, _USER_VERIFIED, _BACKUP_ELIGIBLE, _BACKED_UP, _ATTESTED = 0x01, 0x04, 0x08, 0x10, 0x40


def b64(data: bytes) -> str:
    return bytes_to_base64url(data)


@dataclass
class SoftPasskey:
    """One discoverable credential, as an authenticator keeps it."""

    user_handle: bytes
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    counter: int = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return encode_cbor(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def registration(
        self,
        options: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        verified: bool = True,
    ) -> dict[str, Any]:
        """What navigator.credentials.create() gives for these options, as JSON."""
        flags = (
            _USER_PRESENT | _ATTESTED | _BACKUP_ELIGIBLE | _BACKED_UP | (_USER_VERIFIED if verified else 0)
        )
        auth_data = (
            hashlib.sha256((rp_id or options["rp"]["id"]).encode()).digest()
            + bytes([flags])
            + struct.pack(">I", self.counter)
            + bytes(16)  # aaguid: none
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose_key()
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(self._client_data("webauthn.create", options["challenge"], origin)),
                "attestationObject": b64(attestation),
                "transports": ["internal", "hybrid"],
            },
        }

    def assertion(
        self,
        options: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        verified: bool = True,
        counter: int | None = None,
        user_handle: bytes | None = None,
    ) -> dict[str, Any]:
        """What navigator.credentials.get() gives for these options, as JSON. The counter moves
        on by one each time, unless one is given."""
        self.counter = self.counter + 1 if counter is None else counter
        flags = _USER_PRESENT | _BACKUP_ELIGIBLE | _BACKED_UP | (_USER_VERIFIED if verified else 0)
        auth_data = (
            hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
            + bytes([flags])
            + struct.pack(">I", self.counter)
        )
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": b64(self.user_handle if user_handle is None else user_handle),
            },
        }


def new_passkey_for(options: dict[str, Any]) -> SoftPasskey:
    """A passkey for the account the registration options name."""
    return SoftPasskey(user_handle=base64url_to_bytes(options["user"]["id"]))
