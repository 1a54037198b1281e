"""JSON API of tasks. Thin: parse, call one service, answer.

A clinician suggests tasks to a participant of their team (`/api/v1/clinician/...`); the
participant answers, logs tries and decides what to send (`/api/v1/me/tasks/...`)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from app.accounts.deps import CurrentClinician, CurrentParticipant
from app.deps import SessionDep
from app.journal.service import parse_if_match
from app.sharing.schemas import RaisePublic
from app.tasks import service
from app.tasks.schemas import (
    ClinicianTaskView,
    TaskAnswerSet,
    TaskCreate,
    TaskPublic,
    TaskRaise,
    TaskTryCreate,
    TaskTryPublic,
    TaskUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["tasks"])


# --- the clinician ------------------------------------------------------------------------


@router.get("/clinician/participants/{participant_id}/tasks")
def tasks_for(
    participant_id: uuid.UUID, user: CurrentClinician, session: SessionDep
) -> list[ClinicianTaskView]:
    """The tasks I suggested to this participant, with only what they sent me of their answers."""
    return service.tasks_for(session, actor=user, participant_id=participant_id)


@router.post("/clinician/participants/{participant_id}/tasks", status_code=status.HTTP_201_CREATED)
def create_task(
    participant_id: uuid.UUID,
    data: TaskCreate,
    response: Response,
    user: CurrentClinician,
    session: SessionDep,
) -> ClinicianTaskView:
    """201 when new; 200 when this id was already saved with the same content."""
    task, created = service.create_task(session, actor=user, participant_id=participant_id, data=data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return task


@router.patch("/clinician/tasks/{task_id}")
def update_task(
    task_id: uuid.UUID,
    data: TaskUpdate,
    user: CurrentClinician,
    session: SessionDep,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
) -> ClinicianTaskView:
    return service.update_task(
        session, actor=user, task_id=task_id, data=data, if_match=parse_if_match(if_match)
    )


@router.post("/clinician/tasks/{task_id}/withdraw")
def withdraw_task(task_id: uuid.UUID, user: CurrentClinician, session: SessionDep) -> ClinicianTaskView:
    """No longer suggested; the participant keeps it with their answers and tries."""
    return service.withdraw_task(session, actor=user, task_id=task_id)


# --- the participant ----------------------------------------------------------------------


@router.get("/me/tasks")
def my_tasks(user: CurrentParticipant, session: SessionDep) -> list[TaskPublic]:
    """What my team suggests, with my answers and tries and what I sent of them."""
    return service.my_tasks(session, actor=user)


@router.get("/me/tasks/{task_id}")
def my_task(task_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> TaskPublic:
    return service.my_task(session, actor=user, task_id=task_id)


@router.put("/me/tasks/{task_id}/answer")
def answer_task(
    task_id: uuid.UUID, data: TaskAnswerSet, user: CurrentParticipant, session: SessionDep
) -> TaskPublic:
    """My answer; private until I send it."""
    return service.answer(session, actor=user, task_id=task_id, data=data)


@router.post("/me/tasks/{task_id}/tries", status_code=status.HTTP_201_CREATED)
def log_try(
    task_id: uuid.UUID, data: TaskTryCreate, response: Response, user: CurrentParticipant, session: SessionDep
) -> TaskTryPublic:
    """One try; private until I send it. 201 when new; 200 when this id was already saved."""
    attempt, created = service.log_try(session, actor=user, task_id=task_id, data=data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return attempt


@router.delete("/me/tasks/{task_id}/tries/{try_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_try(task_id: uuid.UUID, try_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> None:
    service.delete_try(session, actor=user, task_id=task_id, try_id=try_id)


@router.post("/me/tasks/{task_id}/send")
def send(task_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> TaskPublic:
    """Let the task's clinician see my latest answer and every try not sent yet."""
    return service.send(session, actor=user, task_id=task_id)


@router.post("/me/tasks/{task_id}/unsend")
def unsend(task_id: uuid.UUID, user: CurrentParticipant, session: SessionDep) -> TaskPublic:
    """Take back everything I sent of this task, at once."""
    return service.unsend(session, actor=user, task_id=task_id)


@router.post("/me/tasks/{task_id}/raise", status_code=status.HTTP_201_CREATED)
def raise_task(
    task_id: uuid.UUID, data: TaskRaise, user: CurrentParticipant, session: SessionDep
) -> RaisePublic:
    """Put this task on the agenda of my next session with its clinician, in my own words."""
    return service.raise_task(session, actor=user, task_id=task_id, data=data)
