"""All SQL of tasks: the tasks, the participant's answers and tries."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import Task, TaskAnswerRecord, TaskTry


def task_by_id(session: Session, task_id: uuid.UUID) -> Task | None:
    return session.get(Task, task_id)


def tasks_of_participant(session: Session, participant_id: uuid.UUID) -> Sequence[Task]:
    """Newest first; withdrawn ones too (the caller sorts them last)."""
    return session.exec(
        select(Task)
        .where(col(Task.participant_id) == participant_id)
        .order_by(col(Task.created_at).desc(), col(Task.id))
    ).all()


def tasks_by(session: Session, clinician_id: uuid.UUID, participant_id: uuid.UUID) -> Sequence[Task]:
    return session.exec(
        select(Task)
        .where(col(Task.participant_id) == participant_id, col(Task.clinician_id) == clinician_id)
        .order_by(col(Task.created_at).desc(), col(Task.id))
    ).all()


def answers_of(session: Session, task_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[TaskAnswerRecord]]:
    """Every answer per task, oldest first."""
    ids = list(task_ids)
    result: dict[uuid.UUID, list[TaskAnswerRecord]] = {}
    if not ids:
        return result
    for answer in session.exec(
        select(TaskAnswerRecord)
        .where(col(TaskAnswerRecord.task_id).in_(ids))
        .order_by(col(TaskAnswerRecord.answered_at), col(TaskAnswerRecord.id))
    ).all():
        result.setdefault(answer.task_id, []).append(answer)
    return result


def tries_of(session: Session, task_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[TaskTry]]:
    """Every try per task, newest first."""
    ids = list(task_ids)
    result: dict[uuid.UUID, list[TaskTry]] = {}
    if not ids:
        return result
    for attempt in session.exec(
        select(TaskTry)
        .where(col(TaskTry.task_id).in_(ids))
        .order_by(col(TaskTry.tried_at).desc(), col(TaskTry.id))
    ).all():
        result.setdefault(attempt.task_id, []).append(attempt)
    return result


def try_by_id(session: Session, try_id: uuid.UUID) -> TaskTry | None:
    return session.get(TaskTry, try_id)


def delete_try(session: Session, attempt: TaskTry) -> None:
    session.delete(attempt)
    session.flush()


def update_task_if_version(
    session: Session, task_id: uuid.UUID, version: int, values: dict[str, object]
) -> bool:
    """Compare-and-set: False when someone else changed the task first."""
    result = session.execute(
        update(Task)
        .where(col(Task.id) == task_id, col(Task.version) == version)
        .values(**values, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0) == 1


def mark_sent(session: Session, task_id: uuid.UUID, answer_id: uuid.UUID | None, when: datetime) -> None:
    """Send the latest answer (if any) and every try not sent yet."""
    if answer_id is not None:
        answer = session.get(TaskAnswerRecord, answer_id)
        if answer is not None:
            answer.sent_at = when
            session.add(answer)
    for attempt in tries_of(session, [task_id]).get(task_id, []):
        if attempt.sent_at is None:
            attempt.sent_at = when
            session.add(attempt)
    session.flush()


def unmark_sent(session: Session, task_id: uuid.UUID) -> None:
    """Take back every answer and try of this task at once."""
    records: list[TaskAnswerRecord | TaskTry] = [
        *answers_of(session, [task_id]).get(task_id, []),
        *tries_of(session, [task_id]).get(task_id, []),
    ]
    for record in records:
        if record.sent_at is not None:
            record.sent_at = None
            session.add(record)
    session.flush()
