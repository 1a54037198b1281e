"""Random sequences of share, revoke, edit, delete, restore and team changes (the participant
leaving and rejoining, a clinician joining later, leaving again, and the participant's answer
about them), and the same for the participant's story (written, rewritten, shared, revoked)
for tasks (suggested by a clinician, answered and tried, sent and taken back) and for check-ins
after appointments (filled in, sent, taken back, deleted): after every step a clinician sees
exactly the entries, and the story, that the participant currently shares with them, a goal's
ratings and earlier wordings only with it, of the tasks only their own, with exactly the answer
and tries that were sent to them, and of the check-ins exactly those sent to them, flagged from
those alone (Hypothesis)."""

import os
import statistics
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

from app.accounts import repository as accounts_repository
from app.checkins import service as checkins
from app.checkins.schemas import ITEMS, CheckInCreate
from app.db import open_session
from app.errors import Conflict, NotFound
from app.goals import service as goals
from app.goals.schemas import GoalRatingCreate
from app.journal import service as journal
from app.journal.schemas import EntryCreate, EntryUpdate
from app.models import Appointment, CareTeam, TeamMembership, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from app.sharing import repository
from app.sharing import service as sharing
from app.sharing.schemas import ShareCreate, TeamJoinerDecision
from app.story import repository as story_repository
from app.story import service as story
from app.story.schemas import StoryWrite
from app.tasks import service as tasks
from app.tasks.schemas import TaskAnswerSet, TaskCreate, TaskTryCreate

EXAMPLES = int(os.environ.get("STEM_HYPOTHESIS_EXAMPLES", "300"))
CLINICIANS = ("physio", "psych")


def _user(session, role: Role, discipline: Discipline | None = None) -> User:
    user = User(
        username=f"p{uuid.uuid4().hex[:12]}",
        display_name="Someone",
        password_hash="not-used",
        role=role,
        discipline=discipline,
    )
    session.add(user)
    session.flush()
    return user


class VisibilityMachine(RuleBasedStateMachine):
    entries = Bundle("entries")
    tasks = Bundle("tasks")
    check_ins = Bundle("check_ins")

    @initialize(
        target=check_ins,
        earlier=st.lists(st.tuples(st.sampled_from([9, 8, 6]), st.booleans()), min_size=2, max_size=5),
    )
    def world(self, earlier: list[tuple[int, bool]]) -> object:
        """The team, and earlier check-ins about the physiotherapist (some sent, some not), so
        that a flag from the unsent ones would show."""
        with open_session() as session:
            team, elsewhere = CareTeam(name=f"t-{uuid.uuid4()}"), CareTeam(name=f"e-{uuid.uuid4()}")
            session.add_all([team, elsewhere])
            session.flush()
            self.owner = _user(session, Role.participant)
            self.people = {
                "physio": _user(session, Role.clinician, Discipline.physiotherapist),
                "psych": _user(session, Role.clinician, Discipline.psychologist),
                "outsider": _user(session, Role.clinician, Discipline.psychologist),
                # joins the team later (and may leave and join again)
                "latecomer": _user(session, Role.clinician, Discipline.physician),
            }
            for name in CLINICIANS:
                session.add(
                    TeamMembership(team_id=team.id, user_id=self.people[name].id, member_role=Role.clinician)
                )
            session.add(
                TeamMembership(
                    team_id=elsewhere.id, user_id=self.people["outsider"].id, member_role=Role.clinician
                )
            )
            session.add(TeamMembership(team_id=team.id, user_id=self.owner.id, member_role=Role.participant))
            session.commit()
            self.team_id = team.id
        self.in_team = True
        # model: entry id → (deleted, {share id: [audience, revoked, moment]}); moments count steps
        self.model: dict[uuid.UUID, dict] = {}
        self.clock = 0
        self.owner_joined = 0
        self.latecomer_joined: int | None = None  # None: not in the team
        self.latecomer_allowed: bool | None = None  # the owner's answer about them
        # the story: its version (0: not written) and its shares, like an entry's
        self.story_version = 0
        self.story_shares: dict[uuid.UUID, list] = {}
        # tasks: id → {"by": clinician, "answers": [[value, sent]], "tries": {try id: sent}}
        self.task_model: dict[uuid.UUID, dict] = {}
        # check-ins: id → {"with": clinician, "at": step of the appointment, "score": every
        # statement's answer, "sent": bool}; deleted ones leave the model
        self.check_in_model: dict[uuid.UUID, dict] = {}
        self.appointments_start = utcnow() - timedelta(days=3)
        return multiple(*(self.check_in("physio", score, sent) for score, sent in earlier))

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    @rule(
        target=entries,
        kind=st.sampled_from(["thought", "question", "disagreement", "goal", "feeling"]),
        with_the_team=st.booleans(),
        rated=st.booleans(),
    )
    def write(self, kind: str, with_the_team: bool, rated: bool) -> uuid.UUID:
        """Written, and often shared with the whole team at once (so that a clinician joining
        later often finds earlier team shares); a goal often rated at once."""
        with open_session() as session:
            entry, _ = journal.create_entry(
                session, actor=self.owner, data=EntryCreate(kind=kind, body="words")
            )
            session.commit()
        self.model[entry.id] = {"deleted": False, "shares": {}, "kind": kind, "ratings": set(), "wordings": 1}
        if with_the_team:
            self.share(entry.id, "team")
        if rated:
            self.rate(entry.id, 5)
        return entry.id

    @rule(entry=entries, audience=st.sampled_from(["team", "physio", "psych", "both"]))
    def share(self, entry: uuid.UUID, audience: str) -> None:
        if not self.in_team or self.model[entry]["deleted"]:
            return
        data = (
            ShareCreate(audience="team")
            if audience == "team"
            else ShareCreate(
                clinician_ids=[self.people[n].id for n in (CLINICIANS if audience == "both" else (audience,))]
            )
        )
        with open_session() as session:
            shares = sharing.share_entries(session, actor=self.owner, entry_ids=[entry], data=data)
            session.commit()
        now = self.tick()
        for share in shares:
            who = (
                "team"
                if share.audience == "team"
                else next(n for n in CLINICIANS if self.people[n].id == share.clinician_id)
            )
            self.model[entry]["shares"].setdefault(share.id, [who, False, now])

    @rule(entry=entries, pick=st.integers(min_value=0, max_value=5))
    def revoke(self, entry: uuid.UUID, pick: int) -> None:
        live = [
            share_id for share_id, (_who, revoked, _at) in self.model[entry]["shares"].items() if not revoked
        ]
        if not live:
            return
        share_id = live[pick % len(live)]
        with open_session() as session:
            sharing.revoke_share(session, actor=self.owner, entry_id=entry, share_id=share_id)
            session.commit()
        self.model[entry]["shares"][share_id][1] = True

    @rule(entry=entries)
    def edit(self, entry: uuid.UUID) -> None:
        if self.model[entry]["deleted"]:
            return
        with open_session() as session:
            current = journal.get_entry(session, actor=self.owner, entry_id=entry)
            journal.update_entry(
                session,
                actor=self.owner,
                entry_id=entry,
                data=EntryUpdate(body=f"edited {self.tick()}"),
                if_match=current.version,
            )
            session.commit()
        self.model[entry]["wordings"] += 1  # a goal keeps its earlier wording

    @rule(entry=entries, value=st.integers(min_value=0, max_value=10))
    def rate(self, entry: uuid.UUID, value: int) -> None:
        """A goal rated; its ratings are seen with the goal, by whom the goal is shared with."""
        if self.model[entry]["kind"] != "goal" or self.model[entry]["deleted"]:
            return
        with open_session() as session:
            rating, _ = goals.rate(
                session, actor=self.owner, goal_id=entry, data=GoalRatingCreate(value=value)
            )
            session.commit()
        self.model[entry]["ratings"].add(rating.id)

    @rule(entry=entries)
    def delete(self, entry: uuid.UUID) -> None:
        with open_session() as session:
            journal.delete_entry(session, actor=self.owner, entry_id=entry)
            session.commit()
        self.model[entry]["deleted"] = True

    @rule(entry=entries)
    def restore(self, entry: uuid.UUID) -> None:
        with open_session() as session:
            journal.restore_entry(session, actor=self.owner, entry_id=entry)
            session.commit()
        self.model[entry]["deleted"] = False

    @rule(words=st.sampled_from(["before", "cause", "hope"]))
    def write_story(self, words: str) -> None:
        with open_session() as session:
            saved = story.save(
                session,
                actor=self.owner,
                data=StoryWrite(base_version=self.story_version, sections={words: f"words {self.clock}"}),
            )
            session.commit()
        self.story_version = saved.version

    @rule(audience=st.sampled_from(["team", "physio", "psych", "both"]))
    def share_story(self, audience: str) -> None:
        if not self.in_team or not self.story_version:
            return
        data = (
            ShareCreate(audience="team")
            if audience == "team"
            else ShareCreate(
                clinician_ids=[self.people[n].id for n in (CLINICIANS if audience == "both" else (audience,))]
            )
        )
        with open_session() as session:
            shares = story.share(session, actor=self.owner, data=data)
            session.commit()
        now = self.tick()
        for share in shares:
            who = (
                "team"
                if share.audience == "team"
                else next(n for n in CLINICIANS if self.people[n].id == share.clinician_id)
            )
            self.story_shares.setdefault(share.id, [who, False, now])

    @rule(pick=st.integers(min_value=0, max_value=5))
    def revoke_story(self, pick: int) -> None:
        live = [share_id for share_id, (_who, revoked, _at) in self.story_shares.items() if not revoked]
        if not live:
            return
        share_id = live[pick % len(live)]
        with open_session() as session:
            story.revoke(session, actor=self.owner, share_id=share_id)
            session.commit()
        self.story_shares[share_id][1] = True

    @rule(target=tasks, by=st.sampled_from(CLINICIANS))
    def suggest_task(self, by: str) -> uuid.UUID:
        """A clinician suggests a task; refused (as missing) while the participant is out of the team."""
        task_id = uuid.uuid4()
        with open_session() as session:
            try:
                tasks.create_task(
                    session,
                    actor=self.people[by],
                    participant_id=self.owner.id,
                    data=TaskCreate(id=task_id, body="Walk"),
                )
                session.commit()
                made = True
            except NotFound:
                made = False
        assert made == self.in_team
        if made:
            self.task_model[task_id] = {"by": by, "answers": [], "tries": {}}
        return task_id

    @rule(task=tasks, value=st.sampled_from(["fits", "doubts", "does_not_fit"]))
    def answer_task(self, task: uuid.UUID, value: str) -> None:
        if task not in self.task_model:
            return
        with open_session() as session:
            tasks.answer(session, actor=self.owner, task_id=task, data=TaskAnswerSet(answer=value))
            session.commit()
        self.task_model[task]["answers"].append([value, False])

    @rule(task=tasks)
    def try_task(self, task: uuid.UUID) -> None:
        if task not in self.task_model:
            return
        with open_session() as session:
            attempt, _ = tasks.log_try(
                session, actor=self.owner, task_id=task, data=TaskTryCreate(outcome="did_it")
            )
            session.commit()
        self.task_model[task]["tries"][attempt.id] = False

    @rule(task=tasks)
    def send_task(self, task: uuid.UUID) -> None:
        if task not in self.task_model:
            return
        state = self.task_model[task]
        unsent = (state["answers"] and not state["answers"][-1][1]) or not all(state["tries"].values())
        with open_session() as session:
            try:
                tasks.send(session, actor=self.owner, task_id=task)
                session.commit()
                sent = True
            except Conflict:
                sent = False
        assert sent == bool(unsent)
        if sent:
            if state["answers"]:
                state["answers"][-1][1] = True
            state["tries"] = dict.fromkeys(state["tries"], True)

    @rule(task=tasks)
    def take_back_task(self, task: uuid.UUID) -> None:
        if task not in self.task_model:
            return
        with open_session() as session:
            tasks.unsend(session, actor=self.owner, task_id=task)
            session.commit()
        state = self.task_model[task]
        state["answers"] = [[value, False] for value, _ in state["answers"]]
        state["tries"] = dict.fromkeys(state["tries"], False)

    @rule(
        target=check_ins,
        with_=st.sampled_from(CLINICIANS),
        score=st.sampled_from([2, 6, 8, 9]),
        sent=st.booleans(),
    )
    def check_in(self, with_: str, score: int, sent: bool) -> uuid.UUID:
        """After an appointment with a clinician (later appointments later in time), the
        participant says how it went; private until sent."""
        at = self.tick()
        with open_session() as session:
            appointment = Appointment(
                participant_id=self.owner.id,
                clinician_id=self.people[with_].id,
                starts_at=self.appointments_start + timedelta(minutes=at),
            )
            session.add(appointment)
            session.flush()
            view, created = checkins.create(
                session,
                actor=self.owner,
                data=CheckInCreate(appointment_id=appointment.id, **dict.fromkeys(ITEMS, score)),
            )
            session.commit()
        assert created and view.sent_at is None
        self.check_in_model[view.id] = {"with": with_, "at": at, "score": score, "sent": False}
        if sent:
            self.send_or_take_back_check_in(view.id, True)
        return view.id

    @rule(check_in=check_ins, send=st.booleans())
    def send_or_take_back_check_in(self, check_in: uuid.UUID, send: bool) -> None:
        if check_in not in self.check_in_model:
            return
        with open_session() as session:
            change = checkins.send if send else checkins.unsend
            view = change(session, actor=self.owner, check_in_id=check_in)
            session.commit()
        assert (view.sent_at is not None) == send
        self.check_in_model[check_in]["sent"] = send

    @rule(check_in=check_ins)
    def delete_check_in(self, check_in: uuid.UUID) -> None:
        if check_in not in self.check_in_model:
            return
        with open_session() as session:
            checkins.delete(session, actor=self.owner, check_in_id=check_in)
            session.commit()
        del self.check_in_model[check_in]

    def _leave(self, user_id: uuid.UUID) -> None:
        with open_session() as session:
            member = accounts_repository.membership(session, self.team_id, user_id)
            assert member is not None
            accounts_repository.end_membership(session, member)
            session.commit()

    def _join(self, user_id: uuid.UUID, role: Role) -> int:
        with open_session() as session:
            session.add(TeamMembership(team_id=self.team_id, user_id=user_id, member_role=role))
            session.commit()
        return self.tick()

    @rule()
    def leave_or_rejoin_the_team(self) -> None:
        """The participant leaves (their team shares end) or joins again."""
        if self.in_team:
            self._leave(self.owner.id)
            for state in [*self.model.values(), {"shares": self.story_shares}]:
                for share in state["shares"].values():
                    if share[0] == "team":
                        share[1] = True
            self.latecomer_allowed = None  # their answers about joiners go with the membership
        else:
            self.owner_joined = self._join(self.owner.id, Role.participant)
        self.in_team = not self.in_team

    @rule()
    def a_clinician_joins_later_or_leaves(self) -> None:
        latecomer = self.people["latecomer"].id
        if self.latecomer_joined is None:
            self.latecomer_joined = self._join(latecomer, Role.clinician)
        else:
            self._leave(latecomer)
            self.latecomer_joined = None
            self.latecomer_allowed = None

    @rule(allowed=st.booleans())
    def answer_about_the_latecomer(self, allowed: bool) -> None:
        may_answer = (
            self.in_team and self.latecomer_joined is not None and self.latecomer_joined > self.owner_joined
        )
        with open_session() as session:
            try:
                sharing.decide_team_joiner(
                    session,
                    actor=self.owner,
                    clinician_id=self.people["latecomer"].id,
                    data=TeamJoinerDecision(allowed=allowed),
                )
                session.commit()
                answered = True
            except NotFound:
                answered = False
        assert answered == may_answer
        if answered:
            self.latecomer_allowed = allowed

    def _reaches(self, name: str, who: str, at: int) -> bool:
        if who == name:
            return True
        if who != "team":
            return False
        if name != "latecomer":
            return True
        assert self.latecomer_joined is not None
        return at > self.latecomer_joined or self.latecomer_allowed is True

    def story_expected(self, name: str) -> bool:
        if name == "outsider" or not self.in_team or (name == "latecomer" and self.latecomer_joined is None):
            return False
        return any(
            not revoked and self._reaches(name, who, at) for who, revoked, at in self.story_shares.values()
        )

    def expected(self, name: str) -> set[uuid.UUID]:
        if name == "outsider" or not self.in_team:
            return set()
        if name == "latecomer" and self.latecomer_joined is None:
            return set()

        return {
            entry_id
            for entry_id, state in self.model.items()
            if not state["deleted"]
            and any(
                not revoked and self._reaches(name, who, at) for who, revoked, at in state["shares"].values()
            )
        }

    @invariant()
    def clinicians_see_exactly_what_is_shared_with_them(self) -> None:
        if not hasattr(self, "model"):
            return
        with open_session(write=False) as session:
            for name in (*CLINICIANS, "outsider", "latecomer"):
                seen = set(session.exec(repository.visible_entry_ids(self.people[name].id)).all())
                assert seen == self.expected(name), name
                # A goal's ratings and earlier wordings reach exactly those who see the goal.
                visible = session.exec(repository.visible_entries(self.people[name].id)).all()
                views = goals.goal_views(session, visible)
                ratings = {rating.id for view in views.values() for rating in view.ratings}
                expected = self.expected(name)
                assert ratings == {r for e in expected for r in self.model[e]["ratings"]}, (name, "ratings")
                for goal_id, view in views.items():
                    assert len(view.wordings) == self.model[goal_id]["wordings"], (name, "wordings")
                sees_story = story_repository.visible_story(session, self.people[name].id, self.owner.id)
                assert (sees_story is not None) == self.story_expected(name), (name, "story")
                self._check_tasks(session, name)
                self._check_check_ins(session, name)

    def _check_tasks(self, session, name: str) -> None:  # type: ignore[no-untyped-def]
        """Of the tasks, a clinician sees only their own, with the latest answer and the tries sent."""
        reachable = self.in_team and (name in CLINICIANS or (name == "latecomer" and self.latecomer_joined))
        try:
            views = tasks.tasks_for(session, actor=self.people[name], participant_id=self.owner.id)
        except NotFound:
            assert not reachable, (name, "tasks")
            return
        assert reachable, (name, "tasks")
        expected = {task_id: state for task_id, state in self.task_model.items() if state["by"] == name}
        assert {view.id for view in views} == set(expected), (name, "tasks")
        for view in views:
            state = expected[view.id]
            sent_answers = [value for value, sent in state["answers"] if sent]
            assert (view.answer.answer if view.answer else None) == (
                sent_answers[-1] if sent_answers else None
            )
            assert {attempt.id for attempt in view.tries} == {t for t, sent in state["tries"].items() if sent}

    def _check_check_ins(self, session, name: str) -> None:  # type: ignore[no-untyped-def]
        """Of the check-ins, a clinician sees exactly those sent to them; a drop is flagged from
        those alone (an answer of 4 or lower, or 2 below the median of the last three earlier
        ones, given two or more), so a flag says nothing about one that was not sent."""
        reachable = self.in_team and (name in CLINICIANS or (name == "latecomer" and self.latecomer_joined))
        try:
            seen = checkins.sent_to_me(session, actor=self.people[name], participant_id=self.owner.id)
        except NotFound:
            assert not reachable, (name, "check-ins")
            return
        assert reachable, (name, "check-ins")
        sent = sorted(
            (state["at"], check_in_id, state["score"])
            for check_in_id, state in self.check_in_model.items()
            if state["with"] == name and state["sent"]
        )
        assert [view.id for view in seen] == [check_in_id for _, check_in_id, _ in sent], (name, "check-ins")
        for index, view in enumerate(seen):
            score = sent[index][2]
            history = [earlier for _, _, earlier in sent[:index]][-3:]
            low = score <= 4 or (len(history) >= 2 and score <= statistics.median(history) - 2)
            assert view.low == (list(ITEMS) if low else []), (name, "check-in flags")


VisibilityMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestVisibility = VisibilityMachine.TestCase
