"""The clinician's preparation of a session with one participant: what they shared, in the
order to read before a session, with seen / reply / discussed and the next appointment.

Thin like the JSON API and built on the same services: the page reads through
`clinician.service.preparation` (which records every read), responses go through
`sharing.service.add_response`, appointments through `sharing.service.create_appointment`.
After a POST the browser is sent back to the page (303); a failed action is rolled back and the
page is rendered again with the problem next to the form.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from app.checkins import service as checkins_service
from app.clinician import service
from app.deps import records_access
from app.errors import DomainError, NotFound
from app.i18n import N_, request_locale
from app.journal.service import ENTRY_NOT_FOUND
from app.models.enums import EntryKind, Outcome, ResponseKind
from app.sharing import service as sharing_service
from app.sharing.schemas import AppointmentCreate, ResponseCreate
from app.sharing.service import OUTCOME_KINDS
from app.story import service as story_service
from app.tasks import service as tasks_service
from app.tasks.schemas import TaskCreate, TaskUpdate
from app.web.dates import local_to_utc, typed_day
from app.web.forms import Choice, FormFields, LongText, Refusal, id_or_404, redirect, ticked
from app.web.rendering import page
from app.web.visits import ClinicianVisit, Visit

router = APIRouter(include_in_schema=False)


# --- the preparation page ---------------------------------------------------------------


def _kind_filter(value: str | None) -> EntryKind | None:
    """An unknown kind shows everything rather than an error: the filter is only a link."""
    try:
        return EntryKind(value) if value else None
    except ValueError:
        return None


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _participant_id(value: str) -> uuid.UUID:
    return id_or_404(value, service.PARTICIPANT_NOT_FOUND)


def _preparation(
    visit: Visit,
    participant_id: uuid.UUID,
    *,
    kind: EntryKind | None = None,
    new_only: bool = False,
    printing: bool = False,
    refused: Refusal | None = None,
    open_form: str | None = None,
    submitted: dict[str, str] | None = None,
) -> Response:
    """The page; shown again after a refused form with that form open and what was typed in it."""
    session, user = visit.session, visit.user
    check_ins = checkins_service.sent_to_me(session, actor=user, participant_id=participant_id)
    prep = service.preparation(
        session, actor=user, participant_id=participant_id, kind=kind, new_only=new_only
    )
    sections = [prep.agenda, prep.disagreements, prep.questions, prep.goals, prep.thoughts_and_feelings]
    shown = {view.id for section in sections for view in section}
    done_entry = _uuid_or_none(visit.request.query_params.get("entry"))
    agenda_items = prep.next_appointment.agenda if prep.next_appointment else []
    context = {
        "prep": prep,
        "important_ids": {item.entry_id for item in agenda_items if item.important},
        "appointments": sharing_service.list_appointments(
            session, actor=user, with_participant=participant_id
        ),
        "kind": kind.value if kind else "",
        "new_only": new_only,
        "filtered": kind is not None or new_only,
        "outcome_kinds": OUTCOME_KINDS,
        "printing": printing,
        "open_form": open_form,
        "submitted": submitted or {},
        "done_entry": done_entry if done_entry in shown else None,
        "appointment_form": submitted if open_form == "appointment" else {"date": "", "time": ""},
        "viewer_id": user.id,
        # Their story, when they shared it with me: reading the page reads it (and is recorded).
        "story": story_service.for_clinician(session, actor=user, participant_id=participant_id),
        # The tasks I suggested, with what the participant sent me of them; a form for a new one.
        "tasks": tasks_service.tasks_for(session, actor=user, participant_id=participant_id),
        # How sessions with me went, in their words: only the check-ins they sent me.
        "check_ins": check_ins,
        "check_in_averages": checkins_service.averages(check_ins),
        "task_form": submitted if open_form == "task" else {"task_id": str(uuid.uuid4())},
        "goal_options": [
            (str(view.id), view.body if len(view.body) <= 80 else view.body[:79] + "…", "")
            for view in prep.goals
        ],
    }
    name = "clinician/preparation_print.html" if printing else "clinician/preparation.html"
    return page(visit.request, name, context, refused=refused)


@router.get("/clinician/participants/{participant_id}")
@records_access
def preparation_page(
    participant_id: str,
    visit: ClinicianVisit,
    kind: str | None = None,
    new: str | None = None,
    print_view: Annotated[str | None, Query(alias="print")] = None,
) -> Response:
    """What this participant shared with me, in the order to read before a session."""
    return _preparation(
        visit,
        _participant_id(participant_id),
        kind=_kind_filter(kind),
        new_only=ticked(new or ""),
        printing=ticked(print_view or ""),
    )


# --- responses: seen, reply, discussed --------------------------------------------------


class ResponseForm(BaseModel):
    kind: Choice = ""
    body: LongText = ""
    outcome: Choice = ""
    # The kind filter the page was showing, to return to.
    return_kind: Choice = ""


@router.post("/clinician/entries/{entry_id}/responses")
def respond(entry_id: str, visit: ClinicianVisit, form_data: Annotated[ResponseForm, Form()]) -> Response:
    kind, body, outcome, return_kind = (
        form_data.kind,
        form_data.body,
        form_data.outcome,
        form_data.return_kind,
    )
    session, user = visit.session, visit.user
    the_id = id_or_404(entry_id, ENTRY_NOT_FOUND)
    form = f"{kind}-{the_id}" if kind in set(ResponseKind) else f"respond-{the_id}"
    try:
        data = ResponseCreate.model_validate(
            {"kind": kind, "body": body if body.strip() else None, "outcome": outcome or None}
        )
        sharing_service.add_response(session, actor=user, entry_id=the_id, data=data)
    except NotFound:
        raise
    except (DomainError, ValidationError) as exc:
        session.rollback()
        entry = service.entry_brief(session, actor=user, entry_id=the_id)
        if entry is None:
            raise NotFound(ENTRY_NOT_FOUND) from None
        visible = FormFields(frozenset({"body", "outcome"} if entry.kind in OUTCOME_KINDS else {"body"}))
        return _preparation(
            visit,
            entry.participant_id,
            kind=_kind_filter(return_kind),
            refused=visit.refuse(form, exc, visible),
            open_form=form,
            submitted={"body": body, "outcome": outcome},
        )
    entry = service.entry_brief(session, actor=user, entry_id=the_id)
    assert entry is not None  # it was visible a moment ago, in the same transaction
    done = data.kind.value
    if entry.kind == EntryKind.disagreement and data.outcome == Outcome.agreed:
        done = "resolved"
    query = f"done={done}&entry={the_id}"
    if (return_filter := _kind_filter(return_kind)) is not None:
        query = f"kind={return_filter.value}&{query}"
    return redirect(f"/clinician/participants/{entry.participant_id}?{query}#entry-{the_id}")


# --- appointments -----------------------------------------------------------------------

APPOINTMENT_NOT_FOUND = N_("This appointment does not exist, or it is not yours.")

# starts_at is typed as a date and a time here: its problem belongs next to the date.
_APPOINTMENT_FIELDS = FormFields(frozenset({"date", "time"}), aliases={"starts_at": "date"})


@router.post("/clinician/participants/{participant_id}/appointments")
def plan_appointment(
    participant_id: str,
    visit: ClinicianVisit,
    date: Annotated[Choice, Form()] = "",
    time: Annotated[Choice, Form()] = "",
) -> Response:
    the_participant = _participant_id(participant_id)
    try:
        starts_at = local_to_utc(date, time, visit.user.time_zone, request_locale(visit.request))
        data = AppointmentCreate(starts_at=starts_at, participant_id=the_participant)
        sharing_service.create_appointment(visit.session, actor=visit.user, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("appointment", exc, _APPOINTMENT_FIELDS)
        submitted = {"date": date, "time": time}
        return _preparation(
            visit, the_participant, refused=refused, open_form="appointment", submitted=submitted
        )
    return redirect(f"/clinician/participants/{the_participant}?done=planned#appointments")


@router.post("/clinician/participants/{participant_id}/appointments/{appointment_id}/cancel")
def cancel_appointment(participant_id: str, appointment_id: str, visit: ClinicianVisit) -> Response:
    """The clinician's side of cancelling: only their own appointment with this participant."""
    the_participant = _participant_id(participant_id)
    the_id = id_or_404(appointment_id, APPOINTMENT_NOT_FOUND)
    appointments = sharing_service.list_appointments(
        visit.session, actor=visit.user, include_past=True, with_participant=the_participant
    )
    if not any(appointment.id == the_id for appointment in appointments):
        raise NotFound(APPOINTMENT_NOT_FOUND)
    sharing_service.cancel_appointment(visit.session, actor=visit.user, appointment_id=the_id)
    return redirect(f"/clinician/participants/{the_participant}?done=cancelled_clinician#appointments")


# --- tasks --------------------------------------------------------------------------------

_TASK_FIELDS = FormFields(frozenset({"body", "how_often", "until", "goal_id"}))


def _task_data(visit: Visit, body: str, how_often: str, until: str) -> dict[str, object]:
    return {
        "body": body,
        "how_often": how_often or None,
        "until": typed_day(until, "until", visit.user.time_zone, request_locale(visit.request)),
    }


@router.post("/clinician/participants/{participant_id}/tasks")
def suggest_task(
    participant_id: str,
    visit: ClinicianVisit,
    body: Annotated[LongText, Form()] = "",
    how_often: Annotated[Choice, Form()] = "",
    until: Annotated[Choice, Form()] = "",
    goal_id: Annotated[Choice, Form()] = "",
    task_id: Annotated[Choice, Form()] = "",
) -> Response:
    """A task for this participant; its id was made when the page was drawn (kept once if sent twice)."""
    the_participant = _participant_id(participant_id)
    try:
        data = TaskCreate.model_validate(
            {
                **_task_data(visit, body, how_often, until),
                "goal_id": goal_id or None,
                "id": task_id or None,
            }
        )
        tasks_service.create_task(visit.session, actor=visit.user, participant_id=the_participant, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("task", exc, _TASK_FIELDS)
        submitted = {
            "body": body,
            "how_often": how_often,
            "until": until,
            "goal_id": goal_id,
            "task_id": task_id,
        }
        return _preparation(visit, the_participant, refused=refused, open_form="task", submitted=submitted)
    return redirect(f"/clinician/participants/{the_participant}?done=task_suggested#tasks")


def _task_of_mine(visit: Visit, task_id: str) -> tuple[uuid.UUID, uuid.UUID]:
    """The task's id and its participant's, when it is a task I wrote (404 otherwise)."""
    the_task = id_or_404(task_id, tasks_service.TASK_NOT_FOUND)
    return the_task, tasks_service.participant_of_task(visit.session, actor=visit.user, task_id=the_task)


@router.post("/clinician/tasks/{task_id}/edit")
def edit_task(
    task_id: str,
    visit: ClinicianVisit,
    body: Annotated[LongText, Form()] = "",
    how_often: Annotated[Choice, Form()] = "",
    until: Annotated[Choice, Form()] = "",
    version: Annotated[Choice, Form()] = "",
) -> Response:
    the_task, participant = _task_of_mine(visit, task_id)
    form = f"task-{the_task}"
    try:
        data = TaskUpdate.model_validate(
            {**_task_data(visit, body, how_often, until), "version": version or None}
        )
        tasks_service.update_task(visit.session, actor=visit.user, task_id=the_task, data=data, if_match=None)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse(form, exc, _TASK_FIELDS)
        submitted = {"body": body, "how_often": how_often, "until": until}
        return _preparation(visit, participant, refused=refused, open_form=form, submitted=submitted)
    return redirect(f"/clinician/participants/{participant}?done=task_edited#task-{the_task}")


@router.post("/clinician/tasks/{task_id}/withdraw")
def withdraw_task(task_id: str, visit: ClinicianVisit) -> Response:
    the_task, participant = _task_of_mine(visit, task_id)
    tasks_service.withdraw_task(visit.session, actor=visit.user, task_id=the_task)
    return redirect(f"/clinician/participants/{participant}?done=task_withdrawn#task-{the_task}")
