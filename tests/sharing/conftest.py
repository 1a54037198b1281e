"""A care team with three disciplines, a colleague elsewhere, and a participant's entries in
every state: private, shared with the team, with the psychologist only, revoked, deleted."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import login, make_team, make_user

CANARY = "canary-7f3e9c1d-private-words"


@dataclass
class World:
    users: dict[str, Any]
    clients: dict[str, Any]
    team: Any
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def entry_id(self, name: str) -> str:
        return str(self.entries[name]["id"])


def _client(client_factory, user):
    client = client_factory()
    login(client, user)
    return client


@pytest.fixture
def world(db, client_factory) -> World:
    team, other_team = make_team(db, "Rehab team"), make_team(db, "Elsewhere")
    users = {
        "owner": make_user(db, Role.participant, team=team, display_name="Anna"),
        "fellow": make_user(db, Role.participant, team=team),
        "physio": make_user(db, Role.clinician, team=team, discipline=Discipline.physiotherapist),
        "psych": make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist),
        "physician": make_user(db, Role.clinician, team=team, discipline=Discipline.physician),
        "outsider": make_user(db, Role.clinician, team=other_team, discipline=Discipline.psychologist),
        "admin": make_user(db, Role.admin),
    }
    clients = {name: _client(client_factory, user) for name, user in users.items()}
    world = World(users=users, clients=clients, team=team)
    owner = clients["owner"]

    def write(name: str, **fields: Any) -> dict[str, Any]:
        body = {"kind": "thought", "body": f"{name}: words"} | fields
        response = owner.post("/api/v1/entries", json=body)
        assert response.status_code == 201, response.text
        world.entries[name] = response.json()
        return response.json()

    write("private", body=f"{CANARY} never shared", kind="disagreement", topic="diagnosis")
    write("team", kind="question", body="Shared with everyone: may I swim?")
    write("psych_only", kind="feeling", body="Only for the psychologist", intensity=6)
    write("revoked", kind="goal", body="Shared, then taken back")
    write("deleted", kind="disagreement", body="Shared, then deleted", topic="treatment_plan")

    def share(name: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        response = owner.post(f"/api/v1/entries/{world.entry_id(name)}/shares", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    share("team", {"audience": "team"})
    share("psych_only", {"clinician_ids": [str(users["psych"].id)]})
    revoked = share("revoked", {"clinician_ids": [str(users["psych"].id)]})
    assert (
        owner.delete(f"/api/v1/entries/{world.entry_id('revoked')}/shares/{revoked[0]['id']}").status_code
        == 200
    )
    share("deleted", {"audience": "team"})
    assert owner.delete(f"/api/v1/entries/{world.entry_id('deleted')}").status_code == 200
    return world


def in_future(hours: int = 24) -> str:
    return (utcnow() + timedelta(hours=hours)).isoformat()
