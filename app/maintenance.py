"""Housekeeping that keeps promises over time: the trash empties after 30 days, expired
login sessions disappear, and SQLite's query planner gets fresh statistics. Run at start-up and
every few hours, and by `stem purge` (cron)."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.accounts.login_sessions import purge_expired_sessions
from app.config import get_settings
from app.db import get_engine, open_session
from app.journal.service import purge_trash

logger = logging.getLogger("stem.maintenance")
INTERVAL_SECONDS = 6 * 3600


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
    task = asyncio.create_task(_periodically())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
