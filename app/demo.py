"""Demo data for trying Stem locally: one care team, three clinicians, two participants, and a
small journal of Tom's with shared entries, an appointment with an agenda, a reply and a discussed
outcome he sees differently, goals, tasks and check-ins after past appointments, so that a clinician
sees a real preparation page on the first run."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app.accounts import repository, service
from app.accounts.passwords import DEMO_PASSWORD
from app.checkins import service as checkins_service
from app.checkins.schemas import CheckInCreate
from app.goals import service as goals_service
from app.goals.schemas import GoalOrder, GoalRatingCreate
from app.journal import service as journal_service
from app.journal.schemas import EntryCreate, EntryUpdate
from app.models import Appointment, CareTeam, CheckIn, Entry, TeamMembership, User
from app.models.enums import (
    Discipline,
    EntryKind,
    Importance,
    Outcome,
    ParticipantView,
    ResponseKind,
    Role,
    StorySection,
    TaskAnswer,
    Topic,
    TreatmentEffect,
    TryOutcome,
)
from app.models.types import utcnow
from app.sharing import service as sharing_service
from app.sharing.schemas import (
    AgendaSet,
    AppointmentCreate,
    ParticipantViewCreate,
    ResponseCreate,
    ShareCreate,
)
from app.story import service as story_service
from app.story.schemas import StoryWrite, Treatment
from app.tasks import service as tasks_service
from app.tasks.schemas import TaskAnswerSet, TaskCreate, TaskTryCreate

DEMO_TEAM = "Demo pain rehabilitation"
# Printed on the terminal for whoever runs `make run`; demo data is refused in production.


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    discipline: Discipline | None = None
    locale: str = "en"


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Demo administrator", Role.admin),
    DemoAccount("sanne", "Sanne de Vries", Role.clinician, Discipline.physiotherapist, "nl"),
    DemoAccount("mark", "Mark Jansen", Role.clinician, Discipline.psychologist),
    DemoAccount("amira", "Dr. Amira Haddad", Role.clinician, Discipline.physician),
    DemoAccount("eva", "Eva", Role.participant, locale="nl"),
    DemoAccount("tom", "Tom", Role.participant),
)


def create_demo_data(session: Session) -> bool:
    """Creates the demo team and accounts; False (and nothing changed) when they already exist."""
    if repository.team_by_name(session, DEMO_TEAM) is not None:
        return False
    team = CareTeam(name=DEMO_TEAM)
    session.add(team)
    session.flush()
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user = repository.user_by_username(session, account.username)
        if user is None:
            user = service.create_user(
                session,
                username=account.username,
                display_name=account.display_name,
                password=DEMO_PASSWORD,
                role=account.role,
                discipline=account.discipline,
                locale=account.locale,
                check_password=False,
            )
        users[account.username] = user
        if account.role != Role.admin:
            session.add(TeamMembership(team_id=team.id, user_id=user.id, member_role=user.role))
    session.flush()
    _demo_journal(session, tom=users["tom"], mark=users["mark"], amira=users["amira"], sanne=users["sanne"])
    return True


def _demo_journal(session: Session, *, tom: User, mark: User, amira: User, sanne: User) -> None:
    """Through the same services as the app, so the demo obeys every rule of sharing."""

    def write(kind: EntryKind, body: str, **fields: object) -> uuid.UUID:
        entry, _created = journal_service.create_entry(
            session, actor=tom, data=EntryCreate.model_validate({"kind": kind, "body": body, **fields})
        )
        return entry.id

    cause = write(
        EntryKind.disagreement,
        "When the pain flares up I am told it is stress. It does not feel like stress to me.",
        topic=Topic.cause_of_pain,
        importance=Importance.high,
    )
    cycling = write(EntryKind.question, "May I keep cycling to work on the bad days?")
    walk = write(EntryKind.goal, "Walk to the market and back on Saturday, without a rest.")
    write(EntryKind.thought, "I did not dare to say that the new exercises scare me.")  # stays private
    ids = [cause, cycling, walk]
    sharing_service.share_entries(session, actor=tom, entry_ids=ids, data=ShareCreate(audience="team"))
    appointment = sharing_service.create_appointment(
        session,
        actor=tom,
        data=AppointmentCreate(clinician_id=mark.id, starts_at=utcnow() + timedelta(days=2)),
    )
    sharing_service.set_agenda(
        session,
        actor=tom,
        appointment_id=appointment.id,
        data=AgendaSet.model_validate({"entry_ids": [cause, cycling], "important_ids": [cause]}),
    )
    sharing_service.add_response(
        session,
        actor=mark,
        entry_id=cycling,
        data=ResponseCreate(
            kind=ResponseKind.reply, body="Yes, keep cycling. Go a little slower on bad days."
        ),
    )
    discussed = sharing_service.add_response(
        session,
        actor=amira,
        entry_id=walk,
        data=ResponseCreate(
            kind=ResponseKind.discussed,
            outcome=Outcome.agreed,
            body="We agreed on the walk to the bakery first.",
        ),
    )
    sharing_service.record_participant_view(
        session,
        actor=tom,
        entry_id=walk,
        response_id=discussed.id,
        data=ParticipantViewCreate(
            view=ParticipantView.differs, note="The market matters to me, not the bakery."
        ),
    )
    # Tom's story, told once and shared with his team.
    story_service.save(
        session,
        actor=tom,
        data=StoryWrite(
            base_version=0,
            sections={
                StorySection.before: "Six years of back pain. Two pain clinics, a scan that showed "
                "nothing, injections that helped for a month.",
                StorySection.cause: "I think it started when I lifted boxes at work. Nobody has "
                "explained why it still hurts.",
                StorySection.hope: "To cycle to work again and play football with my son.",
            },
            treatments=[
                Treatment(what="Physiotherapy", when="2019", effect=TreatmentEffect.no_help),
                Treatment(what="Injections at a pain clinic", when="2021", effect=TreatmentEffect.helped),
            ],
        ),
    )
    story_service.share(session, actor=tom, data=ShareCreate(audience="team"))
    _demo_goals(session, tom=tom, walk=walk)
    _demo_tasks(session, tom=tom, sanne=sanne, walk=walk)
    _demo_check_ins(session, tom=tom, sanne=sanne, mark=mark)


def _demo_goals(session: Session, *, tom: User, walk: uuid.UUID) -> None:
    """Four weeks of Tom's goals: the walk, rated now and then and reworded after the talk with
    the physician (her agreement stays with the words it was about), and a private goal he put
    first."""
    now = utcnow()
    goal = session.get(Entry, walk)
    assert goal is not None
    goal.created_at = goal.updated_at = now - timedelta(days=28)
    session.flush()
    for days_ago, value in ((27, 3), (20, 4), (13, 4), (6, 5), (1, 6)):
        goals_service.rate(
            session,
            actor=tom,
            goal_id=walk,
            data=GoalRatingCreate(value=value, rated_at=now - timedelta(days=days_ago)),
        )
    journal_service.update_entry(
        session,
        actor=tom,
        entry_id=walk,
        data=EntryUpdate(body="Walk to the market and back on Saturday, with one rest on the bench."),
        if_match=goal.version,
    )
    football, _created = journal_service.create_entry(
        session,
        actor=tom,
        data=EntryCreate.model_validate(
            {"kind": EntryKind.goal, "body": "Play football with my son for ten minutes."}
        ),
    )
    goals_service.rate(session, actor=tom, goal_id=football.id, data=GoalRatingCreate(value=2))
    goals_service.order(session, actor=tom, data=GoalOrder(ids=[football.id, walk]))


def _demo_tasks(session: Session, *, tom: User, sanne: User, walk: uuid.UUID) -> None:
    """Two tasks from the physiotherapist: a step towards Tom's walk, which he doubts and tried
    once (both sent to her), and a stretch he agrees with but has not sent yet."""
    step, _new = tasks_service.create_task(
        session,
        actor=sanne,
        participant_id=tom.id,
        data=TaskCreate(
            body="Walk to the corner shop and back, without hurrying.",
            how_often="Every morning",
            until=utcnow().date() + timedelta(days=21),
            goal_id=walk,
        ),
    )
    tasks_service.answer(
        session,
        actor=tom,
        task_id=step.id,
        data=TaskAnswerSet(
            answer=TaskAnswer.doubts, note="Mornings are my worst time. Could it be after lunch?"
        ),
    )
    tasks_service.log_try(
        session,
        actor=tom,
        task_id=step.id,
        data=TaskTryCreate(outcome=TryOutcome.partly, note="Halfway, then back home."),
    )
    tasks_service.send(session, actor=tom, task_id=step.id)
    stretch, _new = tasks_service.create_task(
        session,
        actor=sanne,
        participant_id=tom.id,
        data=TaskCreate(
            body="Stretch your back for five minutes after cycling.", how_often="After each ride"
        ),
    )
    tasks_service.answer(session, actor=tom, task_id=stretch.id, data=TaskAnswerSet(answer=TaskAnswer.fits))


def _demo_check_ins(session: Session, *, tom: User, sanne: User, mark: User) -> None:
    """How Tom's last appointments went: two with the physiotherapist, both sent to her, the
    latter with a drop (the plan does not suit him: 3 of 10), and one with the psychologist that
    he keeps to himself."""
    now = utcnow()

    def past_appointment(clinician: User, days_ago: int) -> uuid.UUID:
        # Appointments are planned ahead; these already took place, so they are moved back.
        made = sharing_service.create_appointment(
            session, actor=tom, data=AppointmentCreate(clinician_id=clinician.id, starts_at=now)
        )
        row = session.get(Appointment, made.id)
        assert row is not None
        row.starts_at = now - timedelta(days=days_ago)
        session.flush()
        return made.id

    def check_in(appointment_id: uuid.UUID, **answers: object) -> uuid.UUID:
        made, _new = checkins_service.create(
            session,
            actor=tom,
            data=CheckInCreate.model_validate({"appointment_id": appointment_id, **answers}),
        )
        row = session.get(CheckIn, made.id)
        assert row is not None
        row.created_at = made.appointment_at + timedelta(hours=3)  # filled in that evening
        session.flush()
        return made.id

    def send(check_in_id: uuid.UUID) -> None:
        checkins_service.send(session, actor=tom, check_in_id=check_in_id)
        row = session.get(CheckIn, check_in_id)
        assert row is not None
        row.sent_at = row.created_at + timedelta(minutes=10)  # and sent at once
        session.flush()

    first = check_in(past_appointment(sanne, 9), heard=8, goals=7, approach=7, voice=6)
    send(first)
    dropped = check_in(
        past_appointment(sanne, 2),
        heard=8,
        goals=7,
        approach=3,
        voice=5,
        note="The morning walks do not fit my days. I did not say so.",
    )
    send(dropped)
    check_in(
        past_appointment(mark, 4),
        heard=6,
        goals=8,
        approach=7,
        voice=4,
        note="I nodded along when he said stress, but I do not believe it.",
    )  # stays private


def demo_logins_text(base_url: str) -> str:
    lines = [f"Demo logins for {base_url} (password for all: {DEMO_PASSWORD!r}):"]
    for account in DEMO_ACCOUNTS:
        what = account.role.value
        if account.discipline:
            what += f", {account.discipline.value.replace('_', ' ')}"
        lines.append(f"  {account.username:<8} {account.display_name} ({what})")
    return "\n".join(lines)
