"""Housekeeping that keeps promises over time: the trash empties after 30 days, expired
login sessions disappear, and SQLite's query planner gets fresh statistics. Run at start-up and
every few hours, and by `stem purge` (cron)."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.accounts.login_sessions import purge_expired_sessions
from app.config import get_settings
from app.db import get_engine, open_session
from app.journal.service import purge_trash
from app.models.types import utcnow
from app.reminders import service as reminders
from app.reminders import vapid

logger = logging.getLogger("stem.maintenance")
INTERVAL_SECONDS = 6 * 3600
PUSH_INTERVAL_SECONDS = 60
PUSH_TIMEOUT_SECONDS = 10


# The steps of run_housekeeping, for progress: the purge (one transaction), the planner statistics.
HOUSEKEEPING_STEPS = 2


def run_housekeeping(on_step: Callable[[int], None] | None = None) -> dict[str, int]:
    """Safe to interrupt and run again: the purge is one transaction, ANALYZE only refreshes."""
    with open_session(write=True) as session:
        purged = purge_trash(session)
        sessions = purge_expired_sessions(session)
        session.commit()
    if on_step is not None:
        on_step(1)
    refresh_planner_statistics()
    if on_step is not None:
        on_step(1)
    return {"entries_purged": purged, "sessions_ended": sessions}


def refresh_planner_statistics() -> bool:
    """SQLite: ANALYZE when the statistics are missing or the journal has grown or shrunk by a
    quarter since. Without statistics SQLite may pick an index that matches a whole
    participant's shares where one that matches a single entry exists: on a clinician's dashboard
    that was ten times slower. PostgreSQL's autovacuum keeps its own statistics."""
    if get_engine().dialect.name != "sqlite":
        return False
    with open_session(write=True) as session:  # BEGIN IMMEDIATE: ANALYZE writes its statistics
        connection = session.connection()
        has_table = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).first()
        stat = None
        if has_table:
            stat = connection.exec_driver_sql(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'entries' LIMIT 1"
            ).scalar()
        rows = connection.exec_driver_sql("SELECT count(*) FROM entries").scalar_one()
        analysed = int(str(stat).split()[0]) if stat else None
        if analysed is not None and analysed * 0.8 <= rows <= analysed * 1.25 + 100:
            return False
        connection.exec_driver_sql("ANALYZE")
        session.commit()
        return True


def post_push(subscription: dict[str, object], payload: bytes, headers: dict[str, str]) -> int | None:
    """One push to one push service (RFC 8030), encrypted with aes128gcm (RFC 8291)."""
    from pywebpush import WebPusher  # type: ignore[import-untyped]

    response = WebPusher(subscription).send(
        data=payload,
        headers=headers,
        ttl=12 * 3600,
        content_encoding="aes128gcm",
        timeout=PUSH_TIMEOUT_SECONDS,
    )
    return int(response.status_code)


def run_push_sender(now: datetime | None = None, post: reminders.Poster = post_push) -> dict[str, int]:
    """Enqueues due reminders, then sends what is due, exactly once from any number of processes:
    the claim (a lease) commits before any push is sent, the outcome commits after."""
    now = now or utcnow()
    with open_session(write=True) as session:
        enqueued = reminders.enqueue_due(session, now=now)
        session.commit()
    with open_session(write=True) as session:
        claimed = reminders.claim_due(session, now=now)
        session.commit()
    if not claimed:
        return {"enqueued": enqueued, "sent": 0}
    expires = int(time.time()) + 12 * 3600
    reminders.deliver(
        claimed, post=post, headers_for=lambda origin: vapid.authorization(origin, expires=expires)
    )
    with open_session(write=True) as session:
        counts = reminders.record(session, claimed, now=now)
        session.commit()
    return {"enqueued": enqueued, **counts}


async def _push_periodically() -> None:
    while True:
        try:
            counts = await run_in_threadpool(run_push_sender)
            if counts.get("sent") or counts.get("failed"):
                logger.info("push: %s", counts)
        except Exception as error:  # keep serving; say what kind of failure, never its text
            logger.error("push sender failed: %s", type(error).__name__)
        await asyncio.sleep(PUSH_INTERVAL_SECONDS)


async def _periodically() -> None:
    while True:
        try:
            counts = await run_in_threadpool(run_housekeeping)
            logger.info("housekeeping: %s", counts)
        except Exception as error:  # keep serving; say what kind of failure, never its text
            logger.error("housekeeping failed: %s", type(error).__name__)
        await asyncio.sleep(INTERVAL_SECONDS)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    if not get_settings().housekeeping:  # e.g. the test suite: no sweep racing a test's own rows
        yield
        return
    tasks = [asyncio.create_task(_periodically())]
    if get_settings().push_enabled:
        tasks.append(asyncio.create_task(_push_periodically()))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
