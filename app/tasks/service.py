"""Tasks (issue 14, item 2): the plan in plain words, that the participant can agree with.

A clinician writes a task for a participant of their team, optionally linked to one of the
participant's goals shared with them. The participant sees every task written for them and
answers ("this fits me / I have doubts / this does not fit me") and logs tries. Their answers and
tries are theirs, private until they send them to the task's clinician (one step, and one step to
take them back), the same rule as entries. A clinician sees only the tasks they wrote, only while
the participant is in one of their teams, and of the answers and tries only what was sent.
"""

import unicodedata
import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts import repository as accounts_repository
from app.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, PreconditionRequired
from app.i18n import N_
from app.journal import repository as journal_repository
from app.journal import service as journal_service
from app.journal.schemas import EntryCreate
from app.models import Task, TaskAnswerRecord, TaskTry, User
from app.models.enums import EntryKind, Role, Topic
from app.models.types import utcnow
from app.sharing import repository as sharing_repository
from app.sharing import service as sharing_service
from app.sharing.schemas import RaiseCreate, RaisePublic
from app.tasks import repository
from app.tasks.schemas import (
    MAX_HOW_OFTEN,
    MAX_NOTE,
    MAX_TASK,
    ClinicianTaskView,
    TaskAnswerPublic,
    TaskAnswerSet,
    TaskCreate,
    TaskPublic,
    TaskRaise,
    TaskTryCreate,
    TaskTryPublic,
    TaskUpdate,
)

TASK_NOT_FOUND = N_("This task does not exist, or it is not yours.")
TRY_NOT_FOUND = N_("This try does not exist, or it is not about your task.")
PARTICIPANT_NOT_FOUND = N_("This participant does not exist, or is not in one of your teams.")
_CLOCK_SKEW = timedelta(minutes=5)
_LONGEST_PLAN = timedelta(days=3 * 366)


# --- checks -------------------------------------------------------------------------------


def _clean(text: str | None, field: str, maximum: int, *, required: bool = False) -> str | None:
    """Line endings made one kind; empty optional text becomes None; length and storability
    checked with a clear message."""
    if text is None:
        if required:
            raise InvalidInput(N_("Write something first. Even a few words are enough."), field=field)
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        if required:
            raise InvalidInput(N_("Write something first. Even a few words are enough."), field=field)
        return None
    if len(text) > maximum:
        raise InvalidInput(
            N_("This is {count} characters; at most {maximum} fit here."),
            field=field,
            count=len(text),
            maximum=maximum,
        )
    if "\x00" in text or any(unicodedata.category(char) == "Cs" for char in text):
        raise InvalidInput(N_("This text contains characters that cannot be saved."), field=field)
    return text.strip() if field == "how_often" else text


def _check_until(until: date | None) -> None:
    if until is None:
        return
    today = utcnow().date()
    # A day of slack either way: the clinician's "today" may be the server's yesterday.
    if until < today - timedelta(days=1):
        raise InvalidInput(N_("This date has passed. Choose today or a later day."), field="until")
    if until > today + _LONGEST_PLAN:
        raise InvalidInput(N_("Choose a date within the next three years."), field="until")


def _check_goal(session: Session, actor: User, participant_id: uuid.UUID, goal_id: uuid.UUID | None) -> None:
    """A task may point to a goal of this participant's only while that goal is shared with me."""
    if goal_id is None:
        return
    goal = sharing_repository.visible_entry(session, actor.id, goal_id)
    if goal is None or goal.kind != EntryKind.goal or goal.author_id != participant_id:
        raise InvalidInput(N_("Choose one of the goals this participant shares with you."), field="goal_id")


def _my_participant(session: Session, actor: User, participant_id: uuid.UUID) -> User:
    if actor.role != Role.clinician:
        raise NotFound(PARTICIPANT_NOT_FOUND)
    participant = sharing_repository.participant_of_clinician(session, actor.id, participant_id)
    if participant is None:
        raise NotFound(PARTICIPANT_NOT_FOUND)
    return participant


def _my_task(session: Session, actor: User, task_id: uuid.UUID) -> Task:
    """A task I wrote, for a participant who is still in one of my teams."""
    task = repository.task_by_id(session, task_id)
    if (
        task is None
        or task.clinician_id != actor.id
        or sharing_repository.participant_of_clinician(session, actor.id, task.participant_id) is None
    ):
        raise NotFound(TASK_NOT_FOUND)
    return task


def _own_task(session: Session, actor: User, task_id: uuid.UUID) -> Task:
    """A task written for me."""
    task = repository.task_by_id(session, task_id)
    if task is None or task.participant_id != actor.id:
        raise NotFound(TASK_NOT_FOUND)
    return task


def _open_task(session: Session, actor: User, task_id: uuid.UUID) -> Task:
    task = _own_task(session, actor, task_id)
    if task.withdrawn_at is not None:
        raise Conflict(N_("Your team no longer suggests this task."), code="withdrawn")
    return task


# --- views --------------------------------------------------------------------------------


def _answer(record: TaskAnswerRecord | None) -> TaskAnswerPublic | None:
    return TaskAnswerPublic.model_validate(record, from_attributes=True) if record else None


def _fields(task: Task) -> dict[str, object]:
    return {
        "id": task.id,
        "body": task.body,
        "how_often": task.how_often,
        "until": task.until,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "withdrawn_at": task.withdrawn_at,
        "version": task.version,
    }


def participant_views(session: Session, tasks: Sequence[Task]) -> list[TaskPublic]:
    """My tasks with my answers and tries (three queries and one per clinician and goal)."""
    ids = [task.id for task in tasks]
    answers = repository.answers_of(session, ids)
    tries = repository.tries_of(session, ids)
    people: dict[uuid.UUID, User | None] = {}
    views = []
    for task in tasks:
        clinician = None
        if task.clinician_id is not None:
            if task.clinician_id not in people:
                people[task.clinician_id] = accounts_repository.user_by_id(session, task.clinician_id)
            clinician = people[task.clinician_id]
        goal = (
            journal_repository.own_entry(session, task.participant_id, task.goal_id) if task.goal_id else None
        )
        if goal is not None and goal.deleted_at is not None:
            goal = None
        given = answers.get(task.id, [])
        sent = [record for record in given if record.sent_at is not None]
        attempts = tries.get(task.id, [])
        latest = given[-1] if given else None
        views.append(
            TaskPublic(
                **_fields(task),
                clinician_id=task.clinician_id,
                clinician_name=clinician.display_name if clinician else None,
                clinician_discipline=clinician.discipline if clinician else None,
                goal_id=goal.id if goal else None,
                goal_body=goal.body if goal else None,
                answer=_answer(latest),
                answers=[TaskAnswerPublic.model_validate(r, from_attributes=True) for r in given],
                sent_answer=_answer(sent[-1] if sent else None),
                tries=[TaskTryPublic.model_validate(t, from_attributes=True) for t in attempts],
                unsent=(latest is not None and latest.sent_at is None)
                or any(t.sent_at is None for t in attempts),
            )
        )
    return views


def _clinician_views(session: Session, actor: User, tasks: Sequence[Task]) -> list[ClinicianTaskView]:
    """What the participant sent me of each task, and nothing else."""
    ids = [task.id for task in tasks]
    answers = repository.answers_of(session, ids)
    tries = repository.tries_of(session, ids)
    views = []
    for task in tasks:
        sent = [record for record in answers.get(task.id, []) if record.sent_at is not None]
        goal = sharing_repository.visible_entry(session, actor.id, task.goal_id) if task.goal_id else None
        views.append(
            ClinicianTaskView(
                **_fields(task),
                participant_id=task.participant_id,
                goal_id=goal.id if goal else None,
                goal_body=goal.body if goal else None,
                answer=_answer(sent[-1] if sent else None),
                tries=[
                    TaskTryPublic.model_validate(t, from_attributes=True)
                    for t in tries.get(task.id, [])
                    if t.sent_at is not None
                ],
            )
        )
    return views


def _order(tasks: Sequence[Task]) -> list[Task]:
    """Suggested now first (newest first), then withdrawn ones."""
    return sorted(tasks, key=lambda task: task.withdrawn_at is not None)


# --- the clinician ------------------------------------------------------------------------


def tasks_for(session: Session, *, actor: User, participant_id: uuid.UUID) -> list[ClinicianTaskView]:
    """The tasks I suggested to this participant, with what they sent me."""
    participant = _my_participant(session, actor, participant_id)
    return _clinician_views(session, actor, _order(repository.tasks_by(session, actor.id, participant.id)))


def create_task(
    session: Session, *, actor: User, participant_id: uuid.UUID, data: TaskCreate
) -> tuple[ClinicianTaskView, bool]:
    """The stored task and whether it is new: the same task sent twice is kept once."""
    participant = _my_participant(session, actor, participant_id)
    body = _clean(data.body, "body", MAX_TASK, required=True)
    how_often = _clean(data.how_often, "how_often", MAX_HOW_OFTEN)
    if data.id is not None:
        existing = repository.task_by_id(session, data.id)
        if existing is not None:
            return _replayed(session, actor, existing, participant.id, body, how_often, data), False
    _check_until(data.until)
    _check_goal(session, actor, participant.id, data.goal_id)
    now = utcnow()
    task = Task(
        id=data.id or uuid.uuid4(),
        participant_id=participant.id,
        clinician_id=actor.id,
        goal_id=data.goal_id,
        body=body or "",
        how_often=how_often,
        until=data.until,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError:
        existing = repository.task_by_id(session, task.id)
        if existing is None:
            raise
        return _replayed(session, actor, existing, participant.id, body, how_often, data), False
    return _clinician_views(session, actor, [task])[0], True


def _replayed(
    session: Session,
    actor: User,
    existing: Task,
    participant_id: uuid.UUID,
    body: str | None,
    how_often: str | None,
    data: TaskCreate,
) -> ClinicianTaskView:
    if existing.clinician_id != actor.id or existing.participant_id != participant_id:
        raise NotFound(TASK_NOT_FOUND)  # someone else's task looks missing: never "it exists"
    if (existing.body, existing.how_often, existing.until, existing.goal_id) != (
        body,
        how_often,
        data.until,
        data.goal_id,
    ):
        raise Conflict(
            N_("A task with this id was already saved with different content."),
            field="id",
            code="id_conflict",
        )
    return _clinician_views(session, actor, [existing])[0]


def update_task(
    session: Session, *, actor: User, task_id: uuid.UUID, data: TaskUpdate, if_match: int | None
) -> ClinicianTaskView:
    task = _my_task(session, actor, task_id)
    if task.withdrawn_at is not None:
        raise Conflict(N_("This task was withdrawn. Write a new one instead."), code="withdrawn")
    expected = if_match if if_match is not None else data.version
    if expected is None:
        raise PreconditionRequired(
            N_("Send the version you edited (If-Match), so that no change is overwritten.")
        )
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "body" in changes:
        changes["body"] = _clean(changes["body"], "body", MAX_TASK, required=True)
    if "how_often" in changes:
        changes["how_often"] = _clean(changes["how_often"], "how_often", MAX_HOW_OFTEN)
    if "until" in changes:
        _check_until(changes["until"])
    if changes.get("goal_id") is not None and changes["goal_id"] != task.goal_id:
        _check_goal(session, actor, task.participant_id, changes["goal_id"])
    if expected != task.version or not repository.update_task_if_version(
        session, task.id, task.version, {**changes, "updated_at": utcnow()}
    ):
        _changed_meanwhile()
    session.refresh(task)
    return _clinician_views(session, actor, [task])[0]


def _changed_meanwhile() -> None:
    raise PreconditionFailed(
        N_("This task was changed somewhere else in the meantime. Reload it, then save again."),
        code="version_conflict",
    )


def participant_of_task(session: Session, *, actor: User, task_id: uuid.UUID) -> uuid.UUID:
    """Whose task this is, when I wrote it (for a page to return to)."""
    return _my_task(session, actor, task_id).participant_id


def withdraw_task(session: Session, *, actor: User, task_id: uuid.UUID) -> ClinicianTaskView:
    """No longer suggested. The participant keeps it, with their answers and tries."""
    task = _my_task(session, actor, task_id)
    if task.withdrawn_at is None:
        repository.update_task_if_version(
            session, task.id, task.version, {"withdrawn_at": utcnow(), "updated_at": utcnow()}
        )
        session.refresh(task)
    return _clinician_views(session, actor, [task])[0]


# --- the participant ----------------------------------------------------------------------


def my_tasks(session: Session, *, actor: User) -> list[TaskPublic]:
    """What my team suggests: suggested now first (newest first), then withdrawn ones."""
    return participant_views(session, _order(repository.tasks_of_participant(session, actor.id)))


def my_task(session: Session, *, actor: User, task_id: uuid.UUID) -> TaskPublic:
    return participant_views(session, [_own_task(session, actor, task_id)])[0]


def answer(session: Session, *, actor: User, task_id: uuid.UUID, data: TaskAnswerSet) -> TaskPublic:
    """My answer (a new one each time: the earlier ones are kept). Private until I send it."""
    task = _open_task(session, actor, task_id)
    session.add(
        TaskAnswerRecord(task_id=task.id, answer=data.answer, note=_clean(data.note, "note", MAX_NOTE))
    )
    session.flush()
    return my_task(session, actor=actor, task_id=task.id)


def log_try(
    session: Session, *, actor: User, task_id: uuid.UUID, data: TaskTryCreate
) -> tuple[TaskTryPublic, bool]:
    """The stored try and whether it is new: a try sent twice is kept once. Private until sent."""
    task = _open_task(session, actor, task_id)
    note = _clean(data.note, "note", MAX_NOTE)
    if data.id is not None:
        existing = repository.try_by_id(session, data.id)
        if existing is not None:
            return _replayed_try(existing, task, data, note), False
    now = utcnow()
    tried_at = data.tried_at or now
    if tried_at > now + _CLOCK_SKEW:
        raise InvalidInput(N_("This date lies in the future."), field="tried_at")
    if tried_at < task.created_at - _CLOCK_SKEW:
        raise InvalidInput(N_("This date lies before the task was suggested."), field="tried_at")
    attempt = TaskTry(
        id=data.id or uuid.uuid4(), task_id=task.id, outcome=data.outcome, note=note, tried_at=tried_at
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        existing = repository.try_by_id(session, attempt.id)
        if existing is None:
            raise
        return _replayed_try(existing, task, data, note), False
    return TaskTryPublic.model_validate(attempt, from_attributes=True), True


def _replayed_try(existing: TaskTry, task: Task, data: TaskTryCreate, note: str | None) -> TaskTryPublic:
    if existing.task_id != task.id:
        raise NotFound(TRY_NOT_FOUND)
    if (existing.outcome, existing.note) != (data.outcome, note) or (
        data.tried_at is not None and data.tried_at != existing.tried_at
    ):
        raise Conflict(
            N_("A try with this id was already saved with different content."), field="id", code="id_conflict"
        )
    return TaskTryPublic.model_validate(existing, from_attributes=True)


def delete_try(session: Session, *, actor: User, task_id: uuid.UUID, try_id: uuid.UUID) -> None:
    """A try goes for good (and so does the clinician's sight of it, if it was sent)."""
    task = _own_task(session, actor, task_id)
    attempt = repository.try_by_id(session, try_id)
    if attempt is None or attempt.task_id != task.id:
        raise NotFound(TRY_NOT_FOUND)
    repository.delete_try(session, attempt)


def send(session: Session, *, actor: User, task_id: uuid.UUID) -> TaskPublic:
    """ "Let Lisa see my answer": my latest answer and every try not sent yet, in one step."""
    task = _own_task(session, actor, task_id)
    if task.clinician_id is None:
        raise Conflict(
            N_("The person who suggested this task is no longer in your team."), code="no_clinician"
        )
    view = participant_views(session, [task])[0]
    if not view.unsent:
        raise Conflict(N_("There is nothing new to send. Answer or log a try first."), code="nothing_to_send")
    answers = repository.answers_of(session, [task.id]).get(task.id, [])
    latest = answers[-1] if answers and answers[-1].sent_at is None else None
    repository.mark_sent(session, task.id, latest.id if latest else None, utcnow())
    return my_task(session, actor=actor, task_id=task.id)


def unsend(session: Session, *, actor: User, task_id: uuid.UUID) -> TaskPublic:
    """Take back everything I sent of this task, at once."""
    task = _own_task(session, actor, task_id)
    repository.unmark_sent(session, task.id)
    return my_task(session, actor=actor, task_id=task.id)


def raise_task(session: Session, *, actor: User, task_id: uuid.UUID, data: TaskRaise) -> RaisePublic:
    """A task with doubts on the agenda in one step: my words become a disagreement about the
    exercises, shared with the task's clinician only and put on our next appointment's agenda."""
    task = _own_task(session, actor, task_id)
    if task.clinician_id is None:
        raise InvalidInput(N_("The person who suggested this task is no longer in your team."), field="body")
    entry, _created = journal_service.create_entry(
        session,
        actor=actor,
        data=EntryCreate(kind=EntryKind.disagreement, body=data.body, topic=Topic.exercises),
    )
    return sharing_service.raise_at_next_session(
        session, actor=actor, entry_id=entry.id, data=RaiseCreate(clinician_id=task.clinician_id)
    )


def all_tasks(session: Session, *, actor: User) -> list[TaskPublic]:
    """Every task written for me, with every answer's latest and every try: for my export."""
    return participant_views(session, repository.tasks_of_participant(session, actor.id))
