"""Engine, SQLite pragmas, the constraint naming convention and the request-scoped session."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

from app.config import get_settings, private_file
from app.models import NAMING_CONVENTION

metadata: MetaData = SQLModel.metadata
__all__ = ["NAMING_CONVENTION", "metadata"]

# Execution option asking for a write transaction from the start (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "stem_write"
# How long a writer waits for SQLite's write lock (ms; PRAGMA busy_timeout) and for the gate below.
SQLITE_BUSY_TIMEOUT_MS = 30_000

# SQLite engines' write gates (see _configure_sqlite), by engine.
_WRITE_GATES: dict[int, threading.Lock] = {}
# True while this request (task) or thread holds its engine's write gate for all its writes.
_holds_write_turn: ContextVar[bool] = ContextVar("stem_holds_write_turn", default=False)


@dataclass
class WriteTurnWaits:
    count: int = 0
    seconds: float = 0.0


_waits = WriteTurnWaits()
_waits_lock = threading.Lock()


def write_turn_waits() -> WriteTurnWaits:
    """How often, and how long in all, writers of this process waited for the write gate."""
    with _waits_lock:
        return WriteTurnWaits(_waits.count, _waits.seconds)


def acquire_write_turn(gate: threading.Lock, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> bool:
    """Takes the gate, counting the wait when somebody else had it (shown on /metrics)."""
    if gate.acquire(blocking=False):
        return True
    started = time.perf_counter()
    acquired = gate.acquire(timeout=timeout)
    with _waits_lock:
        _waits.count += 1
        _waits.seconds += time.perf_counter() - started
    return acquired


def write_gate(engine: Engine | None = None) -> threading.Lock | None:
    """The process's SQLite write gate, or None (PostgreSQL needs none)."""
    return _WRITE_GATES.get(id(engine or get_engine()))


def hold_write_turn(holding: bool) -> None:
    """Marks the current context (a request, and the threads it runs) as holding the gate."""
    _holds_write_turn.set(holding)


@contextmanager
def write_turn_if_free(engine: Engine | None = None) -> Iterator[bool]:
    """Takes the write gate only if nobody holds it (yields False then, and the caller skips
    its optional write). For small writes inside reading requests, which must never wait on the
    gate in a worker thread: the writer holding it may need that thread to finish."""
    gate = write_gate(engine)
    if gate is None or _holds_write_turn.get():
        yield True
        return
    if not gate.acquire(blocking=False):
        yield False
        return
    token = _holds_write_turn.set(True)
    try:
        yield True
    finally:
        _holds_write_turn.reset(token)
        gate.release()


def build_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
            # SQLite reads planner statistics when a connection opens: renewed hourly, pooled
            # connections pick up what housekeeping's ANALYZE found (app.maintenance).
            pool_recycle=3600,
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # As many connections as route threads (anyio's 40): a thread never waits for a connection
    # that a request waiting for a thread holds.
    return create_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # SQLite has one writer at a time. Writers of this process queue on a lock of their own
    # instead of in SQLite's busy handler, which polls with sleeps of up to 100 ms: under 32
    # concurrent saves that turned a 10 ms write into a p99 of seconds. Requests that write
    # take the gate before their first query, waiting outside the worker threads
    # (app.deps._db_session), and keep it to the end: a request that held it from a worker
    # thread could then wait for a free thread while every thread waited for the gate. Other
    # writers (housekeeping, the CLI) take it here, from BEGIN IMMEDIATE until the connection
    # goes back to the pool. Other processes still meet SQLite's own lock and busy_timeout.
    gate = threading.Lock()
    _WRITE_GATES[id(engine)] = gate
    held = "stem_write_gate"

    def _release(record: Any) -> None:
        if record.info.pop(held, False):
            gate.release()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # FULL: a write acknowledged to a phone survives a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that later writes can deadlock against another writer;
        # requests that may write take the write lock up front.
        if not connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        # A connection that committed and writes again before going back to the pool still has
        # the gate. On a timeout, go on without it: SQLite's own lock still decides.
        if not _holds_write_turn.get() and not connection.info.get(held) and acquire_write_turn(gate):
            connection.info[held] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if connection.info.pop(held, False):
                gate.release()
            raise

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record)

    @event.listens_for(engine.pool, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
        _release(record)


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@lru_cache
def _writing(engine: Engine) -> Engine:
    return engine.execution_options(**{WRITE_OPTION: True})


def open_session(engine: Engine | None = None, *, write: bool = True) -> Session:
    bind = engine or get_engine()
    return Session(_writing(bind) if write else bind, expire_on_commit=False)


# In Session.info of a request session opened for reading: recording anything there is a
# programming error (a GET that records must be marked @records_access, app.deps).
READS_ONLY = "stem_reads_only"


def is_write_session(session: Session) -> bool:
    bind = session.get_bind()
    return bool(bind.get_execution_options().get(WRITE_OPTION))


# In Session.info: after this transaction commits, move SQLite's write-ahead log into the database
# file and empty it (an erasure: the erased rows' old pages must not wait in the -wal file).
CHECKPOINT_AFTER_COMMIT = "stem_checkpoint_after_commit"
_CHECKPOINT_BUSY_MS = 5_000


def checkpoint_after_commit(session: Session) -> None:
    session.info[CHECKPOINT_AFTER_COMMIT] = True


@event.listens_for(Session, "after_commit")
def _checkpoint_after_commit(session: Session) -> None:
    if not session.info.pop(CHECKPOINT_AFTER_COMMIT, False):
        return
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # not through SQLAlchemy's BEGIN: a checkpoint runs outside one
    try:
        cursor = raw.cursor()
        # TRUNCATE waits for readers of the log; not for 30 s in an erasure's answer.
        cursor.execute(f"PRAGMA busy_timeout={_CHECKPOINT_BUSY_MS}")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
    finally:
        raw.close()


def session_scope(*, write: bool) -> Iterator[Session]:
    """One session per request: committed once when the route returns, rolled back on error."""
    with open_session(write=write) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
