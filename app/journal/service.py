"""The rules of the journal: private entries, idempotent creates, optimistic edits, a trash.

Every function takes the acting participant and touches only their own entries; anyone
else's entry id answers exactly like a missing one.
"""

import base64
import binascii
import hashlib
import hmac
import json
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session

from app.accounts import repository as accounts_repository
from app.config import get_settings
from app.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from app.i18n import N_
from app.journal import repository
from app.journal.schemas import (
    MAX_BODY,
    MAX_GOAL_NOTE,
    EntryCreate,
    EntryFields,
    EntryPage,
    EntryPublic,
    EntryUpdate,
)
from app.models import Entry, User
from app.models.enums import EntryKind, GoalStatus, Role, Topic
from app.models.types import utcnow

TRASH_DAYS = 30
MAX_PAGE = 100
_SEARCH_BATCH = 500
_CLOCK_SKEW = timedelta(minutes=5)
# No journal is older than this; an earlier moment (year 1) overflowed when shown west of UTC.
EARLIEST_WRITTEN_AT = datetime(2000, 1, 1, tzinfo=UTC)

ENTRY_NOT_FOUND = N_("This entry does not exist, or it is not yours.")
APPOINTMENT_NOT_FOUND = N_("This appointment does not exist, or it is not yours.")


# --- shapes -------------------------------------------------------------------------------


# An entry as the ORM loads it, or as a plain row of its columns (the journal list reads rows:
# building 50 ORM objects was 40 % of a page's CPU, issue 19).
StoredEntry = Entry | Row[Any]


def purge_time(entry: StoredEntry) -> datetime | None:
    return entry.deleted_at + timedelta(days=TRASH_DAYS) if entry.deleted_at else None


_PUBLIC_COLUMNS = tuple(name for name in EntryPublic.model_fields if name != "purge_at")


def entry_public(entry: StoredEntry) -> EntryPublic:
    values = {name: getattr(entry, name) for name in _PUBLIC_COLUMNS}
    values["purge_at"] = purge_time(entry)
    return EntryPublic.model_validate(values)


def etag(entry: Entry | EntryPublic) -> str:
    return f'"{entry.version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version named by an If-Match header (`"3"`, `W/"3"` or `3`); None when absent."""
    if header is None:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise InvalidInput(N_('The If-Match header must name a version, such as "3".'), field="If-Match")
    return int(value)


# --- checks -------------------------------------------------------------------------------


def _clean_body(body: str, field: str = "body") -> str:
    """Stored exactly as typed, except that line endings become \\n (one kind on every device)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        raise InvalidInput(N_("Write something first. Even a few words are enough."), field=field)
    if len(body) > MAX_BODY:
        raise InvalidInput(
            N_("This is {count} characters; an entry can hold at most {maximum}. Split it into two?"),
            field=field,
            count=len(body),
            maximum=MAX_BODY,
        )
    if "\x00" in body or any(unicodedata.category(char) == "Cs" for char in body):
        raise InvalidInput(N_("This text contains characters that cannot be saved."), field=field)
    return body


def _check_about(session: Session, actor: User, values: dict[str, Any]) -> None:
    clinician_id = values.get("about_clinician_id")
    if clinician_id is not None and values.get("about_discipline") is not None:
        raise InvalidInput(
            N_("Choose either a discipline or a person, not both."), field="about_clinician_id"
        )
    if clinician_id is None:
        return
    team_id = accounts_repository.participant_team_id(session, actor.id)
    member = accounts_repository.membership(session, team_id, clinician_id) if team_id else None
    if member is None or member.member_role != Role.clinician:
        raise InvalidInput(N_("Choose someone from your own care team."), field="about_clinician_id")


def _check_appointment(session: Session, actor: User, appointment_id: uuid.UUID | None) -> None:
    """Only the participant's own appointment; anyone else's answers exactly like a missing one."""
    if appointment_id is not None and not repository.is_own_appointment(session, actor.id, appointment_id):
        raise InvalidInput(APPOINTMENT_NOT_FOUND, field="appointment_id")


def _check_kind_fields(values: dict[str, Any]) -> None:
    kind = values["kind"]
    if values.get("intensity") is not None and kind != EntryKind.feeling:
        raise InvalidInput(N_("An intensity belongs to a feeling only."), field="intensity")
    if values.get("goal_status") is not None and kind != EntryKind.goal:
        raise InvalidInput(N_("A goal status belongs to a goal only."), field="goal_status")
    if kind == EntryKind.goal and values.get("goal_status") is None:
        values["goal_status"] = GoalStatus.active
    note = values.get("goal_note")
    if note is not None and kind != EntryKind.goal:
        raise InvalidInput(N_("A why belongs to a goal only."), field="goal_note")
    if note is not None:
        note = note.replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(note) > MAX_GOAL_NOTE:
            raise InvalidInput(
                N_("This is {count} characters; a why can hold at most {maximum}."),
                field="goal_note",
                count=len(note),
                maximum=MAX_GOAL_NOTE,
            )
        if "\x00" in note or any(unicodedata.category(char) == "Cs" for char in note):
            raise InvalidInput(N_("This text contains characters that cannot be saved."), field="goal_note")
        values["goal_note"] = note or None


def _create_digest(data: EntryCreate) -> str:
    fields = data.model_dump(mode="json", exclude={"id"})
    for later in ("goal_note", "appointment_id"):
        if fields.get(later) is None:
            # Added later: a save made before it existed, replayed now, is still the same save.
            fields.pop(later, None)
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"entry-create:" + canonical, hashlib.sha256).hexdigest()


# --- create, read -------------------------------------------------------------------------


def create_entry(session: Session, *, actor: User, data: EntryCreate) -> tuple[EntryPublic, bool]:
    """The stored entry and whether it is new. A replay of the same save is not a second row."""
    data = data.model_copy(update={"body": _clean_body(data.body)})
    digest = _create_digest(data)
    try:
        entry = _new_entry(session, actor, data, digest)
    except DomainError:
        # A replay is answered with what was stored, whatever has changed since (a clinician who
        # left the team, a cancelled appointment): the first save was checked when it was made.
        existing = repository.entry_by_id(session, data.id) if data.id is not None else None
        if existing is None:
            raise
        return _replayed(existing, actor, digest), False
    # One statement stores it or finds the id taken: no read before, no savepoint (issue 19).
    if repository.insert_entry_unless_id_taken(session, entry):
        return entry_public(entry), True
    # The id is taken: by an earlier save of this one (a replay, or the same save arriving twice
    # at the same moment), or by someone else's entry.
    existing = repository.entry_by_id(session, entry.id)
    if existing is None:
        raise RuntimeError("an entry id was taken and then not found")
    return _replayed(existing, actor, digest), False


def _new_entry(session: Session, actor: User, data: EntryCreate, digest: str) -> Entry:
    """The entry to store, checked; a DomainError names what is wrong."""
    now = utcnow()
    written_at = data.written_at or now
    if written_at > now + _CLOCK_SKEW:
        raise InvalidInput(N_("This date lies in the future."), field="written_at")
    if written_at < EARLIEST_WRITTEN_AT:
        raise InvalidInput(N_("Choose a date from the year 2000 on."), field="written_at")
    values = data.model_dump(exclude={"id", "written_at"})
    _check_kind_fields(values)
    _check_about(session, actor, values)
    _check_appointment(session, actor, values.get("appointment_id"))
    return Entry(
        **values,
        id=data.id or uuid.uuid4(),
        author_id=actor.id,
        create_digest=digest,
        created_at=written_at,
        updated_at=now,
    )


def _replayed(existing: Entry, actor: User, digest: str) -> EntryPublic:
    if existing.author_id != actor.id:
        # Someone else's entry looks missing, as on every other route: never "it exists".
        raise NotFound(ENTRY_NOT_FOUND)
    if not hmac.compare_digest(existing.create_digest, digest):
        raise Conflict(
            N_("An entry with this id was already saved with different content."),
            field="id",
            code="id_conflict",
        )
    return entry_public(existing)


def _own(session: Session, actor: User, entry_id: uuid.UUID) -> Entry:
    entry = repository.own_entry(session, actor.id, entry_id)
    if entry is None or _purged(entry):
        raise NotFound(ENTRY_NOT_FOUND)
    return entry


def _purged(entry: StoredEntry) -> bool:
    """Past its 30 days in the trash: gone, even before the purge job has removed the row."""
    purge_at = purge_time(entry)
    return purge_at is not None and purge_at <= utcnow()


def get_entry(session: Session, *, actor: User, entry_id: uuid.UUID) -> EntryPublic:
    return entry_public(_own(session, actor, entry_id))


def entries_by_ids(
    session: Session, *, actor: User, entry_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, EntryPublic]:
    """The participant's own entries among these ids, in the trash too; others are left out."""
    return {
        entry.id: entry_public(entry)
        for entry in repository.own_entries_by_ids(session, actor.id, entry_ids)
        if not _purged(entry)
    }


def all_entries(session: Session, *, actor: User) -> list[EntryPublic]:
    """Everything the participant wrote, in the trash too, oldest first (for their export)."""
    return [entry_public(entry) for entry in repository.all_of_author(session, actor.id)]


def erase_all_entries(session: Session, *, actor: User) -> int:
    """Every entry of the participant, at once; shares, responses and agendas follow by cascade."""
    return repository.delete_all_of_author(session, actor.id)


def encode_cursor(entry: StoredEntry) -> str:
    raw = f"{entry.created_at.isoformat()}|{entry.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, entry_id = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None:
            raise ValueError
        return moment, uuid.UUID(entry_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            N_("This page link is not valid. Start again from the top."), field="cursor"
        ) from None


def list_entries(
    session: Session,
    *,
    actor: User,
    cursor: str | None = None,
    limit: int = 50,
    kind: EntryKind | None = None,
    topic: Topic | None = None,
    flagged: bool | None = None,
    q: str | None = None,
    in_trash: bool = False,
) -> EntryPage:
    before = decode_cursor(cursor) if cursor else None
    limit = max(1, min(limit, MAX_PAGE))
    needle = q.strip().casefold() if q and q.strip() else None
    filters: dict[str, Any] = {"kind": kind, "topic": topic, "flagged": flagged, "in_trash": in_trash}
    found: list[Row[Any]] = []
    while len(found) <= limit:
        batch_size = limit + 1 if needle is None else _SEARCH_BATCH
        batch = repository.own_entries_page(session, actor.id, limit=batch_size, before=before, **filters)
        for entry in batch:
            if in_trash and _purged(entry):
                continue
            if needle is None or needle in entry.body.casefold():
                found.append(entry)
        if len(batch) < batch_size:
            break
        before = (batch[-1].created_at, batch[-1].id)
    page = found[:limit]
    next_cursor = encode_cursor(page[-1]) if len(found) > limit else None
    return EntryPage(items=[entry_public(entry) for entry in page], next_cursor=next_cursor)


# --- edit, trash --------------------------------------------------------------------------


def update_entry(
    session: Session, *, actor: User, entry_id: uuid.UUID, data: EntryUpdate, if_match: int | None
) -> EntryPublic:
    entry = _own(session, actor, entry_id)
    if entry.deleted_at is not None:
        raise Conflict(N_("This entry is in the trash. Restore it before editing."), code="in_trash")
    expected = if_match if if_match is not None else data.version
    if expected is None:
        raise PreconditionRequired(
            N_("Send the version you edited (If-Match), so that no change is overwritten.")
        )
    if expected != entry.version:
        _changed_meanwhile(entry)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for required in ("kind", "body", "importance", "raise_next_session"):
        if required in changes and changes[required] is None:
            raise InvalidInput(N_("This field cannot be empty."), field=required)
    if "body" in changes:
        changes["body"] = _clean_body(changes["body"])
    merged = entry_public(entry).model_dump() | changes
    if merged["kind"] != EntryKind.feeling and "intensity" not in changes:
        merged["intensity"] = None
    if merged["kind"] != EntryKind.goal and "goal_status" not in changes:
        merged["goal_status"] = None
    if "goal_note" not in changes and (
        merged["kind"] != EntryKind.goal or merged["goal_status"] == GoalStatus.active
    ):
        merged["goal_note"] = None
    _check_kind_fields(merged)
    _check_about(session, actor, merged)
    values = {name: merged[name] for name in EntryFields.model_fields}
    values["updated_at"] = utcnow()
    # A goal is never reworded over: its wording as it was is kept, with when it was replaced.
    reworded = entry.kind == EntryKind.goal and values["body"] != entry.body
    earlier_body = entry.body
    if not repository.update_if_version(session, entry.id, entry.version, values):
        session.refresh(entry)
        _changed_meanwhile(entry)
    if reworded:
        repository.keep_goal_wording(
            session, entry.id, earlier_body, created_at=entry.created_at, replaced_at=values["updated_at"]
        )
    session.refresh(entry)
    return entry_public(entry)


def _changed_meanwhile(entry: Entry) -> None:
    current = entry_public(entry)
    raise PreconditionFailed(
        N_(
            "This entry was changed somewhere else in the meantime. "
            "Compare the two versions, then save again."
        ),
        code="version_conflict",
        headers={"ETag": etag(entry)},
        extra={"current": current.model_dump(mode="json")},
    )


def delete_entry(session: Session, *, actor: User, entry_id: uuid.UUID) -> EntryPublic:
    entry = _own(session, actor, entry_id)
    if entry.deleted_at is None:
        entry.deleted_at = utcnow()
        entry.version += 1
        session.add(entry)
        session.flush()
    return entry_public(entry)


def restore_entry(session: Session, *, actor: User, entry_id: uuid.UUID) -> EntryPublic:
    entry = _own(session, actor, entry_id)
    if entry.deleted_at is not None:
        # Not an edit: updated_at stays, so clinicians see no "edited after sharing".
        entry.deleted_at = None
        entry.version += 1
        session.add(entry)
        session.flush()
    return entry_public(entry)


def purge_trash(session: Session) -> int:
    """Removes for good what has been in the trash for more than 30 days."""
    return repository.purge_deleted_before(session, utcnow() - timedelta(days=TRASH_DAYS))
