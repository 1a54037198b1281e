"""HTML pages of sharing for participants: share and take back on the entry page, share several
entries for an appointment, what the team said, who viewed what I shared, and appointments
with their agenda.

Thin like the JSON API and built on the same services (`sharing.service`); the entry page
itself is rendered by `journal.pages.entry_page`. After a POST the browser is sent back (303);
a failed action is rolled back and the page is shown again with the problem next to the form.
"""

import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.accounts.pages import FormProblems, _redirect
from app.deps import CurrentParticipant, SessionDep
from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_
from app.journal import service as journal_service
from app.journal import views
from app.journal.pages import entry_id_or_404, entry_page, form_problems, local_format, page
from app.journal.schemas import EntryPublic
from app.models import User
from app.sharing import repository, service
from app.sharing.schemas import (
    AgendaSet,
    AppointmentCreate,
    AppointmentPublic,
    ParticipantViewCreate,
    ShareCreate,
)

router = APIRouter(include_in_schema=False)

SHARE_LIST_SIZE = 100
SHARE_NOT_FOUND = N_("This share does not exist, or it is not yours.")
RESPONSE_NOT_FOUND = N_("This response does not exist, or it is not about your entry.")
APPOINTMENT_NOT_FOUND = N_("This appointment does not exist, or it is not yours.")

FormIds = Annotated[list[str] | None, Form(max_length=200)]


def _uuid_or_404(value: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(message) from None


def _share_data(audience: str, clinician_ids: list[str] | None) -> ShareCreate:
    if audience == "team":
        return ShareCreate(audience="team")
    return ShareCreate.model_validate({"clinician_ids": [i.strip() for i in clinician_ids or []]})


_SHARE_FIELDS = frozenset({"clinician_ids"})


# --- on the entry page --------------------------------------------------------------------


@router.post("/entries/{entry_id}/share")
def share_entry(
    entry_id: str,
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    audience: Annotated[str, Form(max_length=20)] = "team",
    clinician_ids: FormIds = None,
) -> Response:
    the_id = entry_id_or_404(entry_id)
    try:
        service.share_entries(
            session, actor=user, entry_ids=[the_id], data=_share_data(audience, clinician_ids)
        )
    except (DomainError, ValidationError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            raise
        problems, status_code = form_problems(request, "share", exc, _SHARE_FIELDS)
        share_form = {"audience": audience, "clinician_ids": clinician_ids or []}
        return entry_page(
            request, session, user, the_id, problems=problems, status_code=status_code, share_form=share_form
        )
    return _redirect(f"/entries/{the_id}?done=shared#sharing")


@router.post("/entries/{entry_id}/shares/{share_id}/revoke")
def revoke_share(entry_id: str, share_id: str, user: CurrentParticipant, session: SessionDep) -> Response:
    the_id = entry_id_or_404(entry_id)
    service.revoke_share(
        session, actor=user, entry_id=the_id, share_id=_uuid_or_404(share_id, SHARE_NOT_FOUND)
    )
    return _redirect(f"/entries/{the_id}?done=unshared#sharing")


@router.post("/entries/{entry_id}/responses/{response_id}/view")
def give_view(
    entry_id: str,
    response_id: str,
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    view: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """The participant says whether a recorded outcome matches their view: theirs is the last word."""
    the_id = entry_id_or_404(entry_id)
    the_response = _uuid_or_404(response_id, RESPONSE_NOT_FOUND)
    form = f"view-{the_response}"
    try:
        data = ParticipantViewCreate.model_validate({"view": view, "note": note.strip() or None})
        service.record_participant_view(
            session, actor=user, entry_id=the_id, response_id=the_response, data=data
        )
    except (DomainError, ValidationError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            raise
        problems, status_code = form_problems(request, form, exc, frozenset({"view", "note"}))
        return entry_page(request, session, user, the_id, problems=problems, status_code=status_code)
    return _redirect(f"/entries/{the_id}?done=view#response-{the_response}")


# --- share several for an appointment -----------------------------------------------------


def _share_page(
    request: Request,
    session: Session,
    user: User,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
    chosen: list[str] | None = None,
    share_form: dict[str, Any] | None = None,
) -> Response:
    entries = journal_service.list_entries(session, actor=user, limit=SHARE_LIST_SIZE).items
    # What the participant marked for the next session comes first; otherwise newest first.
    entries = sorted(entries, key=lambda entry: not entry.raise_next_session)
    return page(
        request,
        "sharing/share.html",
        {
            "entries": entries,
            "notes": views.entry_notes(session, actor=user, entry_ids=[entry.id for entry in entries]),
            "clinicians": views.team_clinicians(session, actor=user),
            "chosen": set(chosen or []),
            "share_form": share_form or {"audience": "team", "clinician_ids": []},
            "problems": problems,
        },
        status_code=status_code,
    )


@router.get("/share")
def share_page(request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    return _share_page(request, session, user)


@router.post("/share")
def share_several(
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    entry_ids: FormIds = None,
    audience: Annotated[str, Form(max_length=20)] = "team",
    clinician_ids: FormIds = None,
) -> Response:
    chosen = [value.strip() for value in entry_ids or []]
    try:
        if not chosen:
            raise InvalidInput(N_("Choose at least one entry to share."), field="entry_ids")
        ids = []
        for value in chosen:
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                raise NotFound(journal_service.ENTRY_NOT_FOUND) from None
        service.share_entries(session, actor=user, entry_ids=ids, data=_share_data(audience, clinician_ids))
    except (DomainError, ValidationError) as exc:
        session.rollback()
        problems, status_code = form_problems(request, "share", exc, _SHARE_FIELDS | {"entry_ids"})
        share_form = {"audience": audience, "clinician_ids": clinician_ids or []}
        return _share_page(
            request,
            session,
            user,
            problems=problems,
            status_code=status_code,
            chosen=chosen,
            share_form=share_form,
        )
    return _redirect("/share?done=shared")


# --- what my team said, who viewed what I shared ------------------------------------------


@router.get("/team-said")
def team_said(request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    return page(
        request,
        "sharing/team_said.html",
        {"items": views.team_responses(session, actor=user)},
    )


@router.get("/access-log")
def access_log(request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    fmt = local_format(request)
    days: list[tuple[str, list[views.ReadingVisit]]] = []
    for visit in views.reading_visits(session, actor=user):
        heading = fmt.heading(fmt.day_of(visit.at))
        if not days or days[-1][0] != heading:
            days.append((heading, []))
        days[-1][1].append(visit)
    return page(request, "sharing/access_log.html", {"days": days})


# --- appointments and their agenda --------------------------------------------------------


def _agenda_rows(
    session: Session, appointment: AppointmentPublic, shared: list[EntryPublic]
) -> tuple[list[dict[str, Any]], list[EntryPublic]]:
    """The entries this clinician can see, those on the agenda first and in its order; and the
    entries on the agenda that the clinician can no longer see (taken off when saved again)."""
    visible = repository.filter_visible(session, appointment.clinician_id, [entry.id for entry in shared])
    by_id = {entry.id: entry for entry in shared if entry.id in visible}
    rows: list[dict[str, Any]] = []
    for item in appointment.agenda:
        entry = by_id.pop(item.entry_id, None)
        if entry is not None:
            rows.append({"entry": entry, "on": True, "important": item.important})
    rows.extend({"entry": entry, "on": False, "important": False} for entry in by_id.values())
    for position, row in enumerate(rows, start=1):
        row["position"] = position
    on_rows = {row["entry"].id for row in rows if row["on"]}
    gone_ids = [item.entry_id for item in appointment.agenda if item.entry_id not in on_rows]
    gone = [entry for entry in shared if entry.id in gone_ids]
    return rows, gone


def _appointments_page(
    request: Request,
    session: Session,
    user: User,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
    new_form: dict[str, str] | None = None,
) -> Response:
    appointments = service.list_appointments(session, actor=user)
    shared = views.shared_entries(session, actor=user)
    agendas = {appointment.id: _agenda_rows(session, appointment, shared) for appointment in appointments}
    return page(
        request,
        "sharing/appointments.html",
        {
            "appointments": appointments,
            "agendas": agendas,
            "clinicians": views.team_clinicians(session, actor=user),
            "new_form": new_form or {"clinician_id": "", "date": "", "time": ""},
            "problems": problems,
        },
        status_code=status_code,
    )


@router.get("/appointments")
def appointments(request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    return _appointments_page(request, session, user)


def _starts_at(day: str, clock: str, time_zone: str | None) -> datetime:
    """A date and time typed in the participant's own time zone, as an aware UTC moment."""
    try:
        chosen_day = date.fromisoformat(day.strip())
    except ValueError:
        raise InvalidInput(N_("Choose a date, such as 2025-06-03."), field="date") from None
    try:
        chosen_time = time.fromisoformat(clock.strip())
    except ValueError:
        raise InvalidInput(N_("Choose a time, such as 14:30."), field="time") from None
    local = datetime.combine(chosen_day, chosen_time.replace(tzinfo=None), tzinfo=views.zone_of(time_zone))
    return local.astimezone(UTC)


@router.post("/appointments")
def plan_appointment(
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    clinician_id: Annotated[str, Form(max_length=100)] = "",
    date: Annotated[str, Form(max_length=40)] = "",
    time: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    submitted = {"clinician_id": clinician_id, "date": date, "time": time}
    try:
        if not clinician_id.strip():
            raise InvalidInput(N_("Choose the clinician you will see."), field="clinician_id")
        data = AppointmentCreate.model_validate(
            {"clinician_id": clinician_id.strip(), "starts_at": _starts_at(date, time, user.time_zone)}
        )
        service.create_appointment(session, actor=user, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        visible = frozenset({"clinician_id", "date", "time", "starts_at"})
        problems, status_code = form_problems(request, "appointment", exc, visible)
        if "starts_at" in problems.fields:  # the moment is typed as a date and a time
            problems.fields.setdefault("date", problems.fields.pop("starts_at"))
        return _appointments_page(
            request, session, user, problems=problems, status_code=status_code, new_form=submitted
        )
    return _redirect("/appointments?done=appointment")


def _agenda_order(
    candidates: list[str], positions: list[str], on: set[str], important: set[str]
) -> tuple[list[str], list[str]]:
    """The entries to put on the agenda, in the order of their position numbers (ties keep the
    page's order). Marking one as mattering most puts it on the agenda too."""
    chosen = []
    for index, entry_id in enumerate(candidates):
        if entry_id not in on and entry_id not in important:
            continue
        try:
            position = int(positions[index])
        except (IndexError, ValueError):
            position = len(candidates) + 1
        chosen.append((position, index, entry_id))
    ordered = [entry_id for _position, _index, entry_id in sorted(chosen)]
    return ordered, [entry_id for entry_id in ordered if entry_id in important]


@router.post("/appointments/{appointment_id}/agenda")
def set_agenda(
    appointment_id: str,
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    candidate: FormIds = None,
    position: FormIds = None,
    entry_ids: FormIds = None,
    important_ids: FormIds = None,
) -> Response:
    the_id = _uuid_or_404(appointment_id, APPOINTMENT_NOT_FOUND)
    ordered, important = _agenda_order(
        candidate or [], position or [], set(entry_ids or []), set(important_ids or [])
    )
    try:
        data = AgendaSet.model_validate({"entry_ids": ordered, "important_ids": important})
        service.set_agenda(session, actor=user, appointment_id=the_id, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            raise
        problems, status_code = form_problems(request, f"agenda-{the_id}", exc)
        return _appointments_page(request, session, user, problems=problems, status_code=status_code)
    return _redirect(f"/appointments?done=agenda#appointment-{the_id}")
