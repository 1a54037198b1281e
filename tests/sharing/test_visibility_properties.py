"""Random sequences of share, revoke, edit, delete, restore and team changes: after every step
a clinician sees exactly the entries the participant currently shares with them (Hypothesis)."""

import os
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule
from sqlmodel import col, delete

from app.db import open_session
from app.journal import service as journal
from app.journal.schemas import EntryCreate, EntryUpdate
from app.models import CareTeam, TeamMembership, User
from app.models.enums import Discipline, Role
from app.sharing import repository
from app.sharing import service as sharing
from app.sharing.schemas import ShareCreate

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

    @initialize()
    def world(self) -> None:
        with open_session() as session:
            team, elsewhere = CareTeam(name=f"t-{uuid.uuid4()}"), CareTeam(name=f"e-{uuid.uuid4()}")
            session.add_all([team, elsewhere])
            session.flush()
            self.owner = _user(session, Role.participant)
            self.people = {
                "physio": _user(session, Role.clinician, Discipline.physiotherapist),
                "psych": _user(session, Role.clinician, Discipline.psychologist),
                "outsider": _user(session, Role.clinician, Discipline.psychologist),
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
        # model: entry id → (deleted, {share id: (audience, revoked)})
        self.model: dict[uuid.UUID, dict] = {}

    @rule(target=entries, kind=st.sampled_from(["thought", "question", "disagreement", "goal", "feeling"]))
    def write(self, kind: str) -> uuid.UUID:
        with open_session() as session:
            entry, _ = journal.create_entry(
                session, actor=self.owner, data=EntryCreate(kind=kind, body="words")
            )
            session.commit()
        self.model[entry.id] = {"deleted": False, "shares": {}}
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
        for share in shares:
            who = (
                "team"
                if share.audience == "team"
                else next(n for n in CLINICIANS if self.people[n].id == share.clinician_id)
            )
            self.model[entry]["shares"][share.id] = [who, False]

    @rule(entry=entries, pick=st.integers(min_value=0, max_value=5))
    def revoke(self, entry: uuid.UUID, pick: int) -> None:
        live = [share_id for share_id, (_who, revoked) in self.model[entry]["shares"].items() if not revoked]
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
                data=EntryUpdate(body="edited"),
                if_match=current.version,
            )
            session.commit()

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

    @rule()
    def leave_or_rejoin_the_team(self) -> None:
        with open_session() as session:
            if self.in_team:
                session.execute(delete(TeamMembership).where(col(TeamMembership.user_id) == self.owner.id))
            else:
                session.add(
                    TeamMembership(team_id=self.team_id, user_id=self.owner.id, member_role=Role.participant)
                )
            session.commit()
        self.in_team = not self.in_team

    def expected(self, name: str) -> set[uuid.UUID]:
        if name == "outsider" or not self.in_team:
            return set()
        return {
            entry_id
            for entry_id, state in self.model.items()
            if not state["deleted"]
            and any(not revoked and who in ("team", name) for who, revoked in state["shares"].values())
        }

    @invariant()
    def clinicians_see_exactly_what_is_shared_with_them(self) -> None:
        if not hasattr(self, "model"):
            return
        with open_session(write=False) as session:
            for name in (*CLINICIANS, "outsider"):
                seen = set(session.exec(repository.visible_entry_ids(self.people[name].id)).all())
                assert seen == self.expected(name), name


VisibilityMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestVisibility = VisibilityMachine.TestCase
