"""The request's database session and the markers routes declare about themselves.

The session is opened per request and committed before the response is sent. Who is signed
in, and the role aliases (`CurrentUser`, `CurrentParticipant`, ...), are the accounts domain's:
`app.accounts.deps`.
"""

import functools
from collections.abc import AsyncIterator, Callable
from typing import Annotated, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request
from sqlmodel import Session

from app.db import (
    READS_ONLY,
    acquire_write_turn,
    hold_write_turn,
    open_session,
    write_gate,
)
from app.http_middleware import BODY_COMPLETE

P = ParamSpec("P")
R = TypeVar("R")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def records_access(endpoint: Callable[P, R]) -> Callable[P, R]:
    """Marks a GET route that writes (it records who read what): it gets a writing session.

    On SQLite a read transaction cannot safely become a write one, so such a route must ask
    for the write lock from the start.
    """
    endpoint.stem_writes = True  # type: ignore[attr-defined]
    return endpoint


# Threads for waiting on SQLite's write turn and for ending a request's transaction; not the
# pool that runs the routes. A request that holds a lock until its commit (SQLite's write turn,
# PostgreSQL's audit-chain lock) must never need a route thread to commit: all of those may be
# taken by requests that wait for that very lock.
_WRITE_TURN_WAITERS = anyio.CapacityLimiter(256)
_TRANSACTION_ENDS = anyio.CapacityLimiter(256)


async def _db_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed when the route returns, before the response is sent.

    Async on purpose, with the blocking steps in the thread pool and shielded: when a request is
    cancelled (a phone that loses its connection mid-save), a plain generator dependency would
    never be resumed, and its session, its pooled connection and SQLite's write lock would stay
    taken until garbage collection. Here the session is always rolled back or committed, and
    closed. Creating it does no I/O, so that step needs no thread."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    writes = request.method not in SAFE_METHODS or getattr(endpoint, "stem_writes", False)
    if writes and not request.scope.get(BODY_COMPLETE):
        # The whole body first (the body guard bounds its size and the time it may take), then
        # the write turn: a client that sends half a body must not hold the turn while it waits.
        await request.body()
    gate = write_gate() if writes else None
    holding = False
    if gate is not None:  # SQLite: wait for the write turn here, not in a worker thread
        # A free turn is taken at once, on the event loop; only a wait needs a thread.
        holding = gate.acquire(blocking=False)
        if not holding:
            with anyio.CancelScope(shield=True):
                holding = await anyio.to_thread.run_sync(
                    functools.partial(acquire_write_turn, gate),
                    limiter=_WRITE_TURN_WAITERS,
                )
        hold_write_turn(holding)
    session = open_session(write=writes)
    if not writes:
        session.info[READS_ONLY] = True
    closed = False
    try:
        yield session
        with anyio.CancelScope(shield=True):
            # The commit and the close in one trip to a thread (issue 19: fewer hops a request).
            await anyio.to_thread.run_sync(_commit_and_close, session, limiter=_TRANSACTION_ENDS)
        closed = True
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_roll_back_and_close, session, limiter=_TRANSACTION_ENDS)
        closed = True
        raise
    finally:
        if not closed:  # defensive: every path above has closed it already
            session.close()
        if holding:
            hold_write_turn(False)
            gate.release()  # type: ignore[union-attr]


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


# Function scope: the commit happens before the response is sent, never after.
SessionDep = Annotated[Session, Depends(_db_session, scope="function")]


def client_address(request: Request) -> str:
    # Behind a proxy, uvicorn rewrites this from X-Forwarded-For for trusted proxies only.
    return request.client.host if request.client else "unknown"
