"""HTML pages of the clinician: the participant list and the session preparation.

Thin like the JSON API and built on the same services: the preparation page reads through
`clinician.service.preparation` (which records every read), responses go through
`sharing.service.add_response`, appointments through `sharing.service.create_appointment`.
After a POST the browser is sent back to the page (303); a failed action is rolled back and the
page is rendered again with the problem next to the form.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.accounts.pages import (
    DISCIPLINE_LABELS,
    FormProblems,
    _redirect,
    form_problems,
)
from app.clinician import service, views
from app.deps import CurrentClinician, SessionDep, records_access
from app.errors import DomainError, NotFound
from app.i18n import N_, request_locale, translate
from app.journal.service import ENTRY_NOT_FOUND
from app.models import User
from app.models.enums import (
    EntryKind,
    GoalStatus,
    Importance,
    Outcome,
    ParticipantView,
    ResponseKind,
    Topic,
)
from app.pages import render
from app.sharing import service as sharing_service
from app.sharing.schemas import AppointmentCreate, ResponseCreate
from app.sharing.service import OUTCOME_KINDS

router = APIRouter(include_in_schema=False)

# Shown in the reader's language; the templates call _() on these.
KIND_LABELS = {
    EntryKind.disagreement: N_("Disagreement"),
    EntryKind.question: N_("Question"),
    EntryKind.goal: N_("Goal"),
    EntryKind.thought: N_("Thought"),
    EntryKind.feeling: N_("Feeling"),
}
# The kind filter, in the order of the page.
KIND_FILTERS = [
    (EntryKind.disagreement, N_("Disagreements")),
    (EntryKind.question, N_("Questions")),
    (EntryKind.goal, N_("Goals")),
    (EntryKind.thought, N_("Thoughts")),
    (EntryKind.feeling, N_("Feelings")),
]
TOPIC_LABELS = {
    Topic.diagnosis: N_("Diagnosis"),
    Topic.cause_of_pain: N_("Cause of pain"),
    Topic.treatment_plan: N_("Treatment plan"),
    Topic.exercises: N_("Exercises"),
    Topic.goals: N_("Goals"),
    Topic.working_with_professional: N_("Working together"),
    Topic.care_organisation: N_("How care is organised"),
    Topic.daily_life: N_("Daily life"),
    Topic.other: N_("Other"),
}
IMPORTANCE_LABELS = {
    Importance.low: N_("Low"),
    Importance.normal: N_("Normal"),
    Importance.high: N_("High"),
}
GOAL_STATUS_LABELS = {
    GoalStatus.active: N_("Working on it"),
    GoalStatus.achieved: N_("Achieved"),
    GoalStatus.let_go: N_("Let go"),
}
OUTCOME_LABELS = {
    Outcome.agreed: N_("Agreed"),
    Outcome.partly_agreed: N_("Partly agreed"),
    Outcome.still_differ: N_("We still see it differently"),
}
PARTICIPANT_VIEW_LABELS = {
    ParticipantView.matches: N_("matches their view"),
    ParticipantView.partly: N_("partly matches their view"),
    ParticipantView.differs: N_("differs from their view"),
}
RESPONSE_KIND_LABELS = {
    ResponseKind.seen: N_("Seen"),
    ResponseKind.reply: N_("Reply"),
    ResponseKind.discussed: N_("Discussed"),
}
# Notes after a redirect (?done=...). Only known keys are shown: nothing from the URL is echoed.
DONE_MESSAGES = {
    "seen": N_("Marked as seen."),
    "reply": N_("Reply sent. The participant can read it."),
    "discussed": N_("Marked as discussed."),
    "resolved": N_("Marked as discussed: agreed. It no longer shows under disagreements."),
    "appointment": N_("Appointment planned."),
}


def _page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    done_key = request.query_params.get("done", "") if request.method == "GET" else ""
    msgid = DONE_MESSAGES.get(done_key)
    values: dict[str, Any] = {
        "nav": "clinician",
        "kind_labels": KIND_LABELS,
        "topic_labels": TOPIC_LABELS,
        "importance_labels": IMPORTANCE_LABELS,
        "goal_status_labels": GOAL_STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "participant_view_labels": PARTICIPANT_VIEW_LABELS,
        "response_kind_labels": RESPONSE_KIND_LABELS,
        "discipline_labels": DISCIPLINE_LABELS,
        "problems": None,
        "done": translate(request_locale(request), msgid) if msgid else None,
    }
    values.update(context or {})
    return render(request, name, values, status_code=status_code)


# --- the participant list ---------------------------------------------------------------


@router.get("/clinician")
def dashboard(request: Request, user: CurrentClinician, session: SessionDep) -> Response:
    return _page(
        request,
        "clinician/dashboard.html",
        {"participants": views.dashboard_rows(session, actor=user)},
    )


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


def _preparation(
    request: Request,
    session: Session,
    user: User,
    participant_id: uuid.UUID,
    *,
    kind: EntryKind | None = None,
    new_only: bool = False,
    printing: bool = False,
    problems: FormProblems | None = None,
    open_form: str | None = None,
    submitted: dict[str, str] | None = None,
    appointment_form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    prep = service.preparation(
        session, actor=user, participant_id=participant_id, kind=kind, new_only=new_only
    )
    sections = [prep.agenda, prep.disagreements, prep.questions, prep.goals, prep.thoughts_and_feelings]
    shown = {view.id for section in sections for view in section}
    done_entry = _uuid_or_none(request.query_params.get("entry"))
    agenda_items = prep.next_appointment.agenda if prep.next_appointment else []
    important = {item.entry_id for item in agenda_items if item.important}
    context = {
        "prep": prep,
        "important_ids": important,
        "appointments": views.appointments_with(session, actor=user, participant_id=participant_id),
        "kind": kind.value if kind else "",
        "new_only": new_only,
        "filtered": kind is not None or new_only,
        "kind_filters": KIND_FILTERS,
        "outcome_kinds": OUTCOME_KINDS,
        "printing": printing,
        "open_form": open_form,
        "submitted": submitted or {},
        "problems": problems,
        "done_entry": done_entry if done_entry in shown else None,
        "appointment_form": appointment_form or {"date": "", "time": ""},
        "viewer_id": user.id,
    }
    name = "clinician/preparation_print.html" if printing else "clinician/preparation.html"
    return _page(request, name, context, status_code=status_code)


@router.get("/clinician/participants/{participant_id}")
@records_access
def preparation_page(
    participant_id: uuid.UUID,
    request: Request,
    user: CurrentClinician,
    session: SessionDep,
    kind: str | None = None,
    new: str | None = None,
    print_view: Annotated[str | None, Query(alias="print")] = None,
) -> Response:
    """What this participant shared with me, in the order to read before a session."""
    return _preparation(
        request,
        session,
        user,
        participant_id,
        kind=_kind_filter(kind),
        new_only=new in {"1", "true", "on"},
        printing=print_view in {"1", "true", "on"},
    )


# --- responses: seen, reply, discussed --------------------------------------------------


@router.post("/clinician/entries/{entry_id}/responses")
def respond(
    entry_id: uuid.UUID,
    request: Request,
    user: CurrentClinician,
    session: SessionDep,
    kind: Annotated[str, Form(max_length=32)] = "",
    body: Annotated[str, Form(max_length=8000)] = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
    return_kind: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    form = f"{kind}-{entry_id}" if kind in set(ResponseKind) else f"respond-{entry_id}"
    try:
        data = ResponseCreate.model_validate(
            {"kind": kind, "body": body if body.strip() else None, "outcome": outcome or None}
        )
        sharing_service.add_response(session, actor=user, entry_id=entry_id, data=data)
    except NotFound:
        raise
    except (DomainError, ValidationError) as exc:
        session.rollback()
        entry = views.visible_entry_brief(session, actor=user, entry_id=entry_id)
        if entry is None:
            raise NotFound(ENTRY_NOT_FOUND) from None
        visible = frozenset({"body", "outcome"} if entry.kind in OUTCOME_KINDS else {"body"})
        problems, status_code = form_problems(request, form, exc, visible)
        return _preparation(
            request,
            session,
            user,
            entry.participant_id,
            kind=_kind_filter(return_kind),
            problems=problems,
            open_form=form,
            submitted={"body": body, "outcome": outcome},
            status_code=status_code,
        )
    entry = views.visible_entry_brief(session, actor=user, entry_id=entry_id)
    assert entry is not None  # it was visible a moment ago, in the same transaction
    done = data.kind.value
    if entry.kind == EntryKind.disagreement and data.outcome == Outcome.agreed:
        done = "resolved"
    query = f"done={done}&entry={entry_id}"
    if (return_filter := _kind_filter(return_kind)) is not None:
        query = f"kind={return_filter.value}&{query}"
    return _redirect(f"/clinician/participants/{entry.participant_id}?{query}#entry-{entry_id}")


# --- appointments -----------------------------------------------------------------------

_APPOINTMENT_FIELDS = frozenset({"date", "time"})


@router.post("/clinician/participants/{participant_id}/appointments")
def plan_appointment(
    participant_id: uuid.UUID,
    request: Request,
    user: CurrentClinician,
    session: SessionDep,
    date: Annotated[str, Form(max_length=32)] = "",
    time: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    submitted = {"date": date, "time": time}
    locale = request_locale(request)
    problems = FormProblems(form="appointment")
    status_code = 422
    if not date.strip():
        problems.add("date", translate(locale, N_("Choose a date.")), _APPOINTMENT_FIELDS)
    if not time.strip():
        problems.add("time", translate(locale, N_("Choose a time.")), _APPOINTMENT_FIELDS)
    if not problems.fields:
        try:
            starts_at = views.local_to_utc(date, time, user.time_zone)
        except ValueError:
            problems.add(
                "date",
                translate(locale, N_("Enter the date and time like 2025-03-14 and 14:30.")),
                _APPOINTMENT_FIELDS,
            )
        else:
            try:
                sharing_service.create_appointment(
                    session,
                    actor=user,
                    data=AppointmentCreate(starts_at=starts_at, participant_id=participant_id),
                )
            except DomainError as exc:
                session.rollback()
                # starts_at is typed as date and time here: its problem belongs next to the date.
                field = "date" if exc.field == "starts_at" else exc.field
                problems.add(field, translate(locale, exc.message, **exc.params), _APPOINTMENT_FIELDS)
                status_code = exc.status
            else:
                return _redirect(f"/clinician/participants/{participant_id}?done=appointment#appointments")
    return _preparation(
        request,
        session,
        user,
        participant_id,
        problems=problems,
        appointment_form=submitted,
        status_code=status_code,
    )
