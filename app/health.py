"""Liveness and readiness for orchestrators and the Docker HEALTHCHECK."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import get_engine
from app.schema_migrations import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    # async: nothing here blocks, so no hop to a worker thread (issue 19)
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz() -> JSONResponse:
    engine = get_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(engine)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if current != head_revision():
        return JSONResponse(
            {"status": "unavailable", "database": "reachable", "migrations": "behind"},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "reachable", "migrations": "at head"})
