"""Make users, teams and invitations in one line, and sign clients in through the real API."""

import itertools
from typing import Any

from sqlmodel import Session
from starlette.testclient import TestClient

from app.accounts.invitation_codes import code_hash, new_code
from app.accounts.passwords import hash_password
from app.models import CareTeam, Invitation, TeamMembership, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_team(db: Session, name: str | None = None) -> CareTeam:
    team = CareTeam(name=name or f"Team {next(_counter)}")
    db.add(team)
    db.commit()
    return team


def make_user(
    db: Session,
    role: Role = Role.participant,
    *,
    team: CareTeam | None = None,
    teams: list[CareTeam] | None = None,
    username: str | None = None,
    display_name: str | None = None,
    discipline: Discipline | None = None,
    password: str = PASSWORD,
    locale: str = "en",
    is_active: bool = True,
) -> User:
    number = next(_counter)
    if role == Role.clinician and discipline is None:
        discipline = Discipline.physiotherapist
    user = User(
        username=username or f"{role.value}{number}",
        display_name=display_name or f"{role.value.title()} {number}",
        password_hash=hash_password(password),
        role=role,
        discipline=discipline,
        locale=locale,
        is_active=is_active,
    )
    db.add(user)
    db.flush()
    for each in [*(teams or []), *([team] if team else [])]:
        db.add(TeamMembership(team_id=each.id, user_id=user.id, member_role=role))
    db.commit()
    return user


def make_invitation(
    db: Session,
    team: CareTeam,
    role: Role = Role.participant,
    *,
    discipline: Discipline | None = None,
    created_by: User | None = None,
    **fields: Any,
) -> tuple[Invitation, str]:
    code = new_code()
    now = utcnow()
    from datetime import timedelta

    invitation = Invitation(
        code_hash=code_hash(code),
        team_id=team.id,
        role=role,
        discipline=discipline,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=fields.pop("expires_at", now + timedelta(days=14)),
        **fields,
    )
    db.add(invitation)
    db.commit()
    return invitation, code


def login(client: TestClient, user: User, password: str = PASSWORD) -> str:
    """Sign the client in through the API; returns the CSRF token and sets it as a default header."""
    response = client.post("/api/v1/auth/login", json={"username": user.username, "password": password})
    assert response.status_code == 200, response.text
    token = str(response.json()["csrf_token"])
    client.headers["X-CSRF-Token"] = token
    return token
