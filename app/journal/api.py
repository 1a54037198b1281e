"""JSON API of the journal: a participant's own entries, under /api/v1/entries."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from app.accounts.deps import CurrentParticipant
from app.deps import SessionDep
from app.journal import service
from app.journal.schemas import EntryConflict, EntryCreate, EntryPage, EntryPublic, EntryUpdate
from app.models.enums import EntryKind, Topic

router = APIRouter(prefix="/api/v1", tags=["journal"])

_CONFLICT = {412: {"model": EntryConflict, "description": "Changed in the meantime; the current entry"}}


@router.post(
    "/entries",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": EntryPublic, "description": "A replay of an earlier save"}},
)
def create_entry(
    data: EntryCreate, response: Response, user: CurrentParticipant, session: SessionDep
) -> EntryPublic:
    entry, created = service.create_entry(session, actor=user, data=data)
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["ETag"] = service.etag(entry)
    response.headers["Location"] = f"/api/v1/entries/{entry.id}"
    return entry


@router.get("/entries")
def list_entries(
    user: CurrentParticipant,
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    kind: EntryKind | None = None,
    topic: Topic | None = None,
    flagged: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    trash: bool = False,
) -> EntryPage:
    return service.list_entries(
        session,
        actor=user,
        cursor=cursor,
        limit=limit,
        kind=kind,
        topic=topic,
        flagged=flagged,
        q=q,
        in_trash=trash,
    )


@router.get("/entries/{entry_id}")
def get_entry(
    entry_id: uuid.UUID, response: Response, user: CurrentParticipant, session: SessionDep
) -> EntryPublic:
    entry = service.get_entry(session, actor=user, entry_id=entry_id)
    response.headers["ETag"] = service.etag(entry)
    return entry


@router.patch("/entries/{entry_id}", responses=_CONFLICT)  # type: ignore[arg-type]
def update_entry(
    entry_id: uuid.UUID,
    data: EntryUpdate,
    response: Response,
    user: CurrentParticipant,
    session: SessionDep,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
) -> EntryPublic:
    entry = service.update_entry(
        session, actor=user, entry_id=entry_id, data=data, if_match=service.parse_if_match(if_match)
    )
    response.headers["ETag"] = service.etag(entry)
    return entry


@router.delete("/entries/{entry_id}")
def delete_entry(entry_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> EntryPublic:
    """Moves the entry to the trash, where it can be restored for 30 days."""
    return service.delete_entry(session, actor=user, entry_id=entry_id)


@router.post("/entries/{entry_id}/restore")
def restore_entry(entry_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> EntryPublic:
    return service.restore_entry(session, actor=user, entry_id=entry_id)
