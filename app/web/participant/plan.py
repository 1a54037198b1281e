"""What my team suggests (issue 14, item 2): the tasks my clinicians wrote for me, my answer to
each ("this fits me / I have doubts / this does not fit me"), my tries, and in one step what I
send of them ("Let Lisa see my answer") or take back. A task that does not fit goes on the agenda
of my next session with its clinician in one step, in my own words.

A try's form carries an id made when the page was drawn: sent twice, it is kept once."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import ValidationError
from starlette.responses import Response

from app.errors import DomainError
from app.i18n import N_
from app.tasks import service
from app.tasks.schemas import TaskAnswerSet, TaskRaise, TaskTryCreate
from app.web.forms import FormFields, Refusal, id_or_404, redirect
from app.web.rendering import page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

_ANSWER_FIELDS = FormFields(
    frozenset({"answer", "note"}), messages={("answer", "enum"): N_("Choose one of the options.")}
)
_TRY_FIELDS = FormFields(
    frozenset({"outcome", "note"}), messages={("outcome", "enum"): N_("Choose one of the options.")}
)
_RAISE_FIELDS = FormFields(frozenset({"body"}))


def plan_page(visit: Visit) -> Response:
    tasks = service.my_tasks(visit.session, actor=visit.user)
    context = {
        "suggested": [task for task in tasks if task.withdrawn_at is None],
        "withdrawn": [task for task in tasks if task.withdrawn_at is not None],
    }
    return page(visit.request, "participant/plan.html", context)


def task_page(visit: Visit, task_id: uuid.UUID, refused: Refusal | None = None) -> Response:
    task = service.my_task(visit.session, actor=visit.user, task_id=task_id)
    context = {"task": task, "new_try_id": str(uuid.uuid4())}
    return page(visit.request, "participant/task.html", context, refused=refused)


@router.get("/plan")
def plan(visit: ParticipantVisit) -> Response:
    return plan_page(visit)


@router.get("/plan/{task_id}")
def task(task_id: str, visit: ParticipantVisit) -> Response:
    return task_page(visit, id_or_404(task_id, service.TASK_NOT_FOUND))


@router.post("/plan/{task_id}/answer")
def answer(
    task_id: str,
    visit: ParticipantVisit,
    answer: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    the_task = id_or_404(task_id, service.TASK_NOT_FOUND)
    try:
        data = TaskAnswerSet.model_validate({"answer": answer or None, "note": note or None})
        service.answer(visit.session, actor=visit.user, task_id=the_task, data=data)
    except (DomainError, ValidationError) as exc:
        return task_page(visit, the_task, visit.refuse("answer", exc, _ANSWER_FIELDS))
    return redirect(f"/plan/{the_task}?done=answered#sending")


@router.post("/plan/{task_id}/tries")
def log_try(
    task_id: str,
    visit: ParticipantVisit,
    outcome: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    try_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    the_task = id_or_404(task_id, service.TASK_NOT_FOUND)
    try:
        data = TaskTryCreate.model_validate(
            {"outcome": outcome or None, "note": note or None, "id": try_id.strip() or None}
        )
        service.log_try(visit.session, actor=visit.user, task_id=the_task, data=data)
    except (DomainError, ValidationError) as exc:
        return task_page(visit, the_task, visit.refuse("try", exc, _TRY_FIELDS))
    return redirect(f"/plan/{the_task}?done=tried#tries")


@router.post("/plan/{task_id}/tries/{try_id}/delete")
def delete_try(task_id: str, try_id: str, visit: ParticipantVisit) -> Response:
    the_task = id_or_404(task_id, service.TASK_NOT_FOUND)
    the_try = id_or_404(try_id, service.TRY_NOT_FOUND)
    service.delete_try(visit.session, actor=visit.user, task_id=the_task, try_id=the_try)
    return redirect(f"/plan/{the_task}?done=try_removed#tries")


@router.post("/plan/{task_id}/send")
def send(task_id: str, visit: ParticipantVisit) -> Response:
    the_task = id_or_404(task_id, service.TASK_NOT_FOUND)
    try:
        service.send(visit.session, actor=visit.user, task_id=the_task)
    except DomainError as exc:
        return task_page(visit, the_task, visit.refuse("send", exc))
    return redirect(f"/plan/{the_task}?done=task_sent#sending")


@router.post("/plan/{task_id}/unsend")
def unsend(task_id: str, visit: ParticipantVisit) -> Response:
    the_task = id_or_404(task_id, service.TASK_NOT_FOUND)
    service.unsend(visit.session, actor=visit.user, task_id=the_task)
    return redirect(f"/plan/{the_task}?done=task_unsent#sending")


@router.post("/plan/{task_id}/raise")
def raise_task(
    task_id: str, visit: ParticipantVisit, body: Annotated[str, Form(max_length=40_000)] = ""
) -> Response:
    the_task = id_or_404(task_id, service.TASK_NOT_FOUND)
    try:
        raised = service.raise_task(
            visit.session, actor=visit.user, task_id=the_task, data=TaskRaise.model_validate({"body": body})
        )
    except (DomainError, ValidationError) as exc:
        return task_page(visit, the_task, visit.refuse("raise", exc, _RAISE_FIELDS))
    done = "raised_agenda" if raised.appointment else "raised"
    return redirect(f"/entries/{raised.entry_id}?done={done}")
