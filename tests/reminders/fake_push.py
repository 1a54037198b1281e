"""A push service and a browser of our own, for the sender's tests: the service (a tiny HTTP server
on 127.0.0.1, see conftest's `push_service`) records each encrypted request; the browser's keys
decrypt it, as a real browser would (RFC 8291)."""

import base64
import json
import os
import threading
from dataclasses import dataclass, field

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class PushService:
    """A push service of our own: records each request, answers with the status of its path."""

    port: int = 0
    received: list[dict[str, object]] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/push/{name}"

    def to(self, name: str) -> list[dict[str, object]]:
        return [each for each in self.received if each["path"] == f"/push/{name}"]


@dataclass
class Browser:
    """A fake browser's push keys (RFC 8291): its ECDH key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> "Browser":
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def decrypt(self, body: bytes) -> dict[str, object]:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return dict(json.loads(plain))
