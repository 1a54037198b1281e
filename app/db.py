"""Engine, SQLite pragmas, the constraint naming convention and the request-scoped session."""

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

from app.config import get_settings
from app.models import NAMING_CONVENTION

metadata: MetaData = SQLModel.metadata
__all__ = ["NAMING_CONVENTION", "metadata"]

# Execution option asking for a write transaction from the start (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "stem_write"


def build_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # FULL: a write acknowledged to a phone survives a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that later writes can deadlock against another writer;
        # requests that may write take the write lock up front.
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@lru_cache
def _writing(engine: Engine) -> Engine:
    return engine.execution_options(**{WRITE_OPTION: True})


def open_session(engine: Engine | None = None, *, write: bool = True) -> Session:
    bind = engine or get_engine()
    return Session(_writing(bind) if write else bind, expire_on_commit=False)


def is_write_session(session: Session) -> bool:
    bind = session.get_bind()
    return bool(bind.get_execution_options().get(WRITE_OPTION))


def session_scope(*, write: bool) -> Iterator[Session]:
    """One session per request: committed once when the route returns, rolled back on error."""
    with open_session(write=write) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
