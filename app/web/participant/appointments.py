"""The participant's appointments and the agenda of each: what they want to talk about, in their
own order, from what they shared with that clinician."""

from typing import Annotated, Any

from fastapi import APIRouter, Form
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.accounts import service as accounts_service
from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_, request_locale
from app.journal.schemas import EntryPublic
from app.models import User
from app.sharing import calendar, service
from app.sharing.schemas import AgendaSet, AppointmentCreate, AppointmentPublic
from app.web.calendar import calendar_body, feed_urls, ics_response
from app.web.dates import local_to_utc
from app.web.forms import Choice, FormFields, Refusal, id_or_404, redirect
from app.web.rendering import page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

APPOINTMENT_NOT_FOUND = N_("This appointment does not exist, or it is not yours.")

# The moment is typed as a date and a time: its problem belongs next to the date.
_APPOINTMENT_FIELDS = FormFields(frozenset({"clinician_id", "date", "time"}), aliases={"starts_at": "date"})

FormIds = Annotated[list[str] | None, Form(max_length=200)]


def _agenda_rows(
    session: Session, user: User, appointment: AppointmentPublic, shared: list[EntryPublic]
) -> tuple[list[dict[str, Any]], list[EntryPublic]]:
    """The entries this clinician can see, those on the agenda first and in its order; and the
    entries on the agenda that the clinician can no longer see (taken off when saved again)."""
    visible = service.readable_by(
        session, actor=user, clinician_id=appointment.clinician_id, entry_ids=[entry.id for entry in shared]
    )
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
    visit: Visit,
    refused: Refusal | None = None,
    new_form: dict[str, str] | None = None,
    new_link: dict[str, str] | None = None,
) -> Response:
    session, user = visit.session, visit.user
    appointments = service.list_appointments(session, actor=user)
    shared = service.shared_entries(session, actor=user)
    context = {
        "appointments": appointments,
        "agendas": {each.id: _agenda_rows(session, user, each, shared) for each in appointments},
        "clinicians": accounts_service.team_clinicians(session, actor=user),
        "new_form": new_form or {"clinician_id": "", "date": "", "time": ""},
        "calendar_link": calendar.calendar_link_status(session, actor=user),
        "new_link": new_link,
    }
    return page(visit.request, "participant/appointments.html", context, refused=refused)


@router.get("/appointments")
def appointments(visit: ParticipantVisit) -> Response:
    return _appointments_page(visit)


class AppointmentForm(BaseModel):
    clinician_id: Choice = ""
    date: Choice = ""
    time: Choice = ""


@router.post("/appointments")
def plan_appointment(visit: ParticipantVisit, form: Annotated[AppointmentForm, Form()]) -> Response:
    clinician_id, date, time = form.clinician_id, form.date, form.time
    try:
        if not clinician_id.strip():
            raise InvalidInput(N_("Choose the clinician you will see."), field="clinician_id")
        starts_at = local_to_utc(date, time, visit.user.time_zone, request_locale(visit.request))
        data = AppointmentCreate.model_validate(
            {"clinician_id": clinician_id.strip(), "starts_at": starts_at}
        )
        service.create_appointment(visit.session, actor=visit.user, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("appointment", exc, _APPOINTMENT_FIELDS)
        return _appointments_page(visit, refused, form.model_dump())
    return redirect("/appointments?done=appointment")


@router.post("/appointments/{appointment_id}/cancel")
def cancel_appointment(appointment_id: str, visit: ParticipantVisit) -> Response:
    """Either side may cancel; what was shared stays shared, only the agenda goes."""
    the_id = id_or_404(appointment_id, APPOINTMENT_NOT_FOUND)
    service.cancel_appointment(visit.session, actor=visit.user, appointment_id=the_id)
    return redirect("/appointments?done=cancelled")


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
    visit: ParticipantVisit,
    candidate: FormIds = None,
    position: FormIds = None,
    entry_ids: FormIds = None,
    important_ids: FormIds = None,
) -> Response:
    the_id = id_or_404(appointment_id, APPOINTMENT_NOT_FOUND)
    ordered, important = _agenda_order(
        candidate or [], position or [], set(entry_ids or []), set(important_ids or [])
    )
    try:
        data = AgendaSet.model_validate({"entry_ids": ordered, "important_ids": important})
        service.set_agenda(visit.session, actor=visit.user, appointment_id=the_id, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse(f"agenda-{the_id}", exc)
        if isinstance(exc, NotFound):
            raise
        return _appointments_page(visit, refused)
    return redirect(f"/appointments?done=agenda#appointment-{the_id}")


# --- in the participant's own calendar app (app.sharing.calendar says what an event holds) -------


@router.get("/appointments/calendar.ics")
def upcoming_calendar_file(visit: ParticipantVisit) -> Response:
    """All my upcoming appointments as one file, to open in a calendar app."""
    events = calendar.upcoming_events(visit.session, actor=visit.user)
    body = calendar_body(events, request_locale(visit.request))
    return ics_response(body, filename="stem-appointments.ics")


@router.get("/appointments/{appointment_id}/calendar.ics")
def appointment_calendar_file(appointment_id: str, visit: ParticipantVisit) -> Response:
    the_id = id_or_404(appointment_id, APPOINTMENT_NOT_FOUND)
    event = calendar.appointment_event(visit.session, actor=visit.user, appointment_id=the_id)
    body = calendar_body([event], request_locale(visit.request))
    return ics_response(body, filename="stem-appointment.ics")


@router.post("/appointments/calendar-link")
def make_calendar_link(visit: ParticipantVisit) -> Response:
    """A new private link, shown on this answer only (only its hash is kept); an older one stops."""
    made = calendar.make_calendar_link(visit.session, actor=visit.user)
    urls = feed_urls(made.token) | {"replaced": "yes" if made.replaced else ""}
    response = _appointments_page(visit, new_link=urls)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/appointments/calendar-link/stop")
def stop_calendar_link(visit: ParticipantVisit) -> Response:
    calendar.stop_calendar_link(visit.session, actor=visit.user)
    return redirect("/appointments?done=calendar_link_stopped#calendar")
