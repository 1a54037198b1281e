"""Housekeeping that keeps promises over time: the trash empties after 30 days, expired
login sessions disappear, and SQLite's query planner gets fresh statistics. Run at start-up and
every few hours, and by `stem purge` (cron)."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.accounts.login_sessions import purge_expired_sessions
from app.db import get_engine, open_session
from app.journal.service import purge_trash

logger = logging.getLogger("stem.maintenance")
INTERVAL_SECONDS = 6 * 3600


def run_housekeeping() -> dict[str, int]:
    with open_session(write=True) as session:
        purged = purge_trash(session)
        sessions = purge_expired_sessions(session)
        session.commit()
    refresh_planner_statistics()
    return {"entries_purged": purged, "sessions_ended": sessions}


# Rows ANALYZE samples per index: bounded work however big the database (SQLite's advice).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_planner_statistics() -> None:
    """SQLite: ANALYZE (sampled). Without statistics SQLite may pick an index that matches a
    whole participant's shares where one that matches a single entry exists: on a dashboard that
    was ten times slower. PostgreSQL's autovacuum keeps its own statistics."""
    if get_engine().dialect.name != "sqlite":
        return
    with open_session(write=True) as session:  # BEGIN IMMEDIATE: ANALYZE writes its statistics
        connection = session.connection()
        connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        connection.exec_driver_sql("ANALYZE")
        session.commit()


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
    task = asyncio.create_task(_periodically())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
