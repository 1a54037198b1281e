"""Login throttling per account and per client address, shared by every app process.

Failures are counted in a fixed window, in the database by default or in Redis when
STEM_REDIS_URL is set (through the `limits` library). A successful login clears the
account's counter; the address counter runs out with its window.
"""

import hashlib
import hmac
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Protocol, cast

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Table, case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.db import open_session
from app.models import LoginThrottle
from app.models.types import utcnow

_THROTTLES = cast(Table, LoginThrottle.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ThrottleKey:
    key: str
    limit: int


def _digest(settings: Settings, value: str) -> str:
    # Keyed: an unkeyed hash of a username is found again by hashing a list of names, and
    # these rows outlive nothing but their window (an erasure removes the account's).
    return hmac.new(settings.secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()[:64]


def throttle_keys(username: str, client_address: str, settings: Settings) -> list[ThrottleKey]:
    """The sign-in counters: per account and per address."""
    return counter_keys(
        ("account", "address"),
        username.strip().lower(),
        client_address,
        (settings.login_max_failures_per_account, settings.login_max_failures_per_address),
        settings,
    )


def counter_keys(
    names: tuple[str, str], subject: str, client_address: str, limits: tuple[int, int], settings: Settings
) -> list[ThrottleKey]:
    """Two counters of their own (e.g. registration probes per code, recovery guesses per
    account), per subject and per address, each with its limit."""
    return [
        ThrottleKey(f"{names[0]}:{_digest(settings, subject)}", limits[0]),
        ThrottleKey(f"{names[1]}:{_digest(settings, client_address)}", limits[1]),
    ]


def address_key(name: str, client_address: str, limit: int, settings: Settings) -> ThrottleKey:
    """A counter per address alone (failed passkey answers): one per account would let anyone
    lock a person out of their passkey."""
    return ThrottleKey(f"{name}:{_digest(settings, client_address)}", limit)


class LoginThrottleStore(Protocol):
    def retry_after(self, keys: list[ThrottleKey]) -> int:
        """Seconds to wait when any key is over its limit, else 0."""

    def record_failure(self, keys: list[ThrottleKey]) -> None:
        """Counted in a transaction of its own: a failed login rolls the request back."""

    def window_of(self, key: ThrottleKey) -> str:
        """Which window the key is counted in now (a read): the same text until it starts anew."""

    def clear(self, session: Session, key: ThrottleKey) -> None:
        """Within the request's transaction: the counter resets only if the login commits."""

    def forget(self, session: Session, key: ThrottleKey) -> None:
        """Within the request's transaction: the key's row is gone (an erasure)."""


class DatabaseThrottleStore:
    def __init__(self, window_seconds: int) -> None:
        self.window = timedelta(seconds=window_seconds)

    def retry_after(self, keys: list[ThrottleKey]) -> int:
        now = utcnow()
        with open_session(write=False) as session:
            rows = session.exec(
                select(LoginThrottle).where(col(LoginThrottle.key).in_([k.key for k in keys]))
            ).all()
        limits = {k.key: k.limit for k in keys}
        wait = 0.0
        for row in rows:
            window_end = row.window_started_at + self.window
            if window_end > now and row.failures >= limits[row.key]:
                wait = max(wait, (window_end - now).total_seconds())
        return math.ceil(wait)

    def record_failure(self, keys: list[ThrottleKey]) -> None:
        now = utcnow()
        in_window = _THROTTLES.c.window_started_at > now - self.window
        with open_session(write=True) as session:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            for key in keys:
                # One upsert per key: concurrent failures in several processes all count.
                statement = insert(_THROTTLES).values(key=key.key, window_started_at=now, failures=1)
                statement = statement.on_conflict_do_update(
                    index_elements=[_THROTTLES.c.key],
                    set_={
                        "failures": case((in_window, _THROTTLES.c.failures + 1), else_=1),
                        "window_started_at": case((in_window, _THROTTLES.c.window_started_at), else_=now),
                    },
                )
                session.execute(statement)
            session.commit()

    def window_of(self, key: ThrottleKey) -> str:
        with open_session(write=False) as session:
            started = session.exec(
                select(LoginThrottle.window_started_at).where(col(LoginThrottle.key) == key.key)
            ).first()
        return started.isoformat() if started else ""

    def clear(self, session: Session, key: ThrottleKey) -> None:
        session.execute(update(LoginThrottle).where(col(LoginThrottle.key) == key.key).values(failures=0))

    def forget(self, session: Session, key: ThrottleKey) -> None:
        session.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == key.key))


class RedisThrottleStore:
    NAMESPACE = "stem-login"

    def __init__(self, redis_url: str, window_seconds: int) -> None:
        self.window_seconds = window_seconds
        self.limiter = FixedWindowRateLimiter(storage_from_string(redis_url))

    def _rate(self, key: ThrottleKey) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(key.limit, self.window_seconds)

    def retry_after(self, keys: list[ThrottleKey]) -> int:
        wait = 0.0
        for key in keys:
            rate = self._rate(key)
            if not self.limiter.test(rate, self.NAMESPACE, key.key):
                stats = self.limiter.get_window_stats(rate, self.NAMESPACE, key.key)
                wait = max(wait, stats.reset_time - time.time(), 1.0)
        return math.ceil(wait)

    def record_failure(self, keys: list[ThrottleKey]) -> None:
        for key in keys:
            self.limiter.hit(self._rate(key), self.NAMESPACE, key.key)

    def window_of(self, key: ThrottleKey) -> str:
        stats = self.limiter.get_window_stats(self._rate(key), self.NAMESPACE, key.key)
        return str(round(stats.reset_time))

    def clear(self, session: Session, key: ThrottleKey) -> None:
        self.limiter.clear(self._rate(key), self.NAMESPACE, key.key)

    def forget(self, session: Session, key: ThrottleKey) -> None:
        self.clear(session, key)


@lru_cache
def _store_for(redis_url: str, window_seconds: int) -> LoginThrottleStore:
    if redis_url:
        return RedisThrottleStore(redis_url, window_seconds)
    return DatabaseThrottleStore(window_seconds)


def throttle_store() -> LoginThrottleStore:
    settings = get_settings()
    return _store_for(settings.redis_url, settings.login_throttle_window_seconds)


class RefusalMemory:
    """Which (key, window) pairs this process has already written a "throttled" audit row for:
    an attacker's refused attempts then cost a read each, not a durable write. Bounded: the
    oldest pairs are forgotten first (at worst a second row for a long-running attack)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: ThrottleKey, window: str) -> bool:
        """True once per key and window: the refusal that is written down."""
        pair = (key.key, window)
        with self._lock:
            if pair in self._seen:
                self._seen.move_to_end(pair)
                return False
            self._seen[pair] = None
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return True


refusals_recorded = RefusalMemory()
