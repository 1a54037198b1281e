"""After an appointment: how did it go? (issue 14, item 3). Offered on the home page after an
appointment, never required; four of Stem's own statements (not a validated questionnaire) and a
note; private until the participant sends it to the clinician of that appointment. My trend per
clinician, as a small line and a table. When an answer falls clearly below my own level, Stem
offers, once, to write down what happened (I decide whether to share it).

A check-in's form carries an id made when the page was drawn: sent twice, it is kept once."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import ValidationError
from starlette.responses import Response

from app.checkins import service
from app.checkins.schemas import ITEMS, CheckInCreate, CheckInPublic
from app.errors import DomainError, NotFound
from app.i18n import N_
from app.models.enums import Discipline
from app.web.forms import FormFields, Refusal, id_or_404, redirect
from app.web.rendering import page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

_FIELDS = FormFields(frozenset({*ITEMS, "note"}), aliases={"appointment_id": "note"})


@dataclass
class Trend:
    """My check-ins about one clinician, oldest first, and the average of the statements I
    answered in each (for the line)."""

    name: str | None
    discipline: Discipline | None
    check_ins: list[CheckInPublic]
    averages: list[float]


def _trends(check_ins: list[CheckInPublic]) -> list[Trend]:
    """Per clinician, the one seen most recently first."""
    by_clinician: dict[uuid.UUID | None, list[CheckInPublic]] = {}
    for check_in in check_ins:
        by_clinician.setdefault(check_in.clinician_id, []).append(check_in)
    trends = []
    for items in by_clinician.values():
        trends.append(
            Trend(items[-1].clinician_name, items[-1].clinician_discipline, items, service.averages(items))
        )
    return sorted(trends, key=lambda trend: trend.check_ins[-1].appointment_at, reverse=True)


@router.get("/check-ins")
def check_ins(visit: ParticipantVisit) -> Response:
    mine = service.my_check_ins(visit.session, actor=visit.user)
    context = {"trends": _trends(mine), "due": service.due(visit.session, actor=visit.user)}
    return page(visit.request, "participant/check_ins.html", context)


def _form_page(
    visit: Visit,
    appointment_id: uuid.UUID,
    refused: Refusal | None = None,
    submitted: dict[str, str] | None = None,
) -> Response:
    due = {item.appointment_id: item for item in service.due(visit.session, actor=visit.user)}
    appointment = due.get(appointment_id)
    if appointment is None:
        raise NotFound(
            N_(
                "There is no check-in to give for this appointment: it is not yours, it has not "
                "happened yet, it has one already, or it was more than a week ago."
            )
        )
    context = {
        "appointment": appointment,
        "form": submitted or {"id": str(uuid.uuid4())},
        "items": ITEMS,
    }
    return page(visit.request, "participant/check_in_form.html", context, refused=refused)


@router.get("/check-ins/new")
def new_check_in(visit: ParticipantVisit, appointment: str = "") -> Response:
    return _form_page(visit, id_or_404(appointment, service.APPOINTMENT_NOT_FOUND))


@router.post("/check-ins")
def create(
    visit: ParticipantVisit,
    appointment_id: Annotated[str, Form(max_length=40)] = "",
    check_in_id: Annotated[str, Form(max_length=40)] = "",
    heard: Annotated[str, Form(max_length=4)] = "",
    goals: Annotated[str, Form(max_length=4)] = "",
    approach: Annotated[str, Form(max_length=4)] = "",
    voice: Annotated[str, Form(max_length=4)] = "",
    note: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    the_appointment = id_or_404(appointment_id, service.APPOINTMENT_NOT_FOUND)
    values = {"heard": heard, "goals": goals, "approach": approach, "voice": voice}
    try:
        data = CheckInCreate.model_validate(
            {
                "id": check_in_id or None,
                "appointment_id": the_appointment,
                **{item: value or None for item, value in values.items()},
                "note": note or None,
            }
        )
        made, _created = service.create(visit.session, actor=visit.user, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("check-in", exc, _FIELDS)
        return _form_page(visit, the_appointment, refused, {"id": check_in_id, **values, "note": note})
    return redirect(f"/check-ins/{made.id}?done=checked_in")


@router.get("/check-ins/{check_in_id}")
def check_in(check_in_id: str, visit: ParticipantVisit) -> Response:
    shown = service.my_check_in(
        visit.session, actor=visit.user, check_in_id=id_or_404(check_in_id, service.CHECK_IN_NOT_FOUND)
    )
    return page(visit.request, "participant/check_in.html", {"check_in": shown, "items": ITEMS})


@router.post("/check-ins/{check_in_id}/send")
def send(check_in_id: str, visit: ParticipantVisit) -> Response:
    the_id = id_or_404(check_in_id, service.CHECK_IN_NOT_FOUND)
    service.send(visit.session, actor=visit.user, check_in_id=the_id)
    return redirect(f"/check-ins/{the_id}?done=check_in_sent")


@router.post("/check-ins/{check_in_id}/unsend")
def unsend(check_in_id: str, visit: ParticipantVisit) -> Response:
    the_id = id_or_404(check_in_id, service.CHECK_IN_NOT_FOUND)
    service.unsend(visit.session, actor=visit.user, check_in_id=the_id)
    return redirect(f"/check-ins/{the_id}?done=check_in_unsent")


@router.post("/check-ins/{check_in_id}/delete")
def delete(check_in_id: str, visit: ParticipantVisit) -> Response:
    the_id = id_or_404(check_in_id, service.CHECK_IN_NOT_FOUND)
    service.delete(visit.session, actor=visit.user, check_in_id=the_id)
    return redirect("/check-ins?done=check_in_deleted")
