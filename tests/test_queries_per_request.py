"""The statements each hot request sends to the database (issue 19): counted, not timed.

A statement per request is a round trip per request; on PostgreSQL each one is waited for in a
worker thread. The numbers here are what the code does today, on each database; a change that adds
a query to one of these paths fails here and has to say why (raise the figure in the same commit,
with the reason in its message). `make bench` reports the same counts against the seeded data.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from app.db import get_engine
from app.models.enums import Discipline, Role
from tests.factories import login, make_team, make_user

# The most statements each request may send, everything counted (BEGIN, SAVEPOINT and COMMIT too:
# each is a round trip), after a warm-up request of the same kind.
BUDGET: dict[str, dict[str, int]] = {
    # SQLite's writers open with BEGIN IMMEDIATE (a statement of its own); psycopg's BEGIN is not
    # a cursor statement.
    "sqlite": {
        "healthz": 0,
        "create": 3,  # BEGIN, the session (with its user), INSERT ... ON CONFLICT (id) DO NOTHING
        "list": 3,
        "share": 10,
        "dashboard": 5,
        "prepare": 14,
        "journal_page": 7,
        "prepare_page": 18,
    },
    "postgresql": {
        "healthz": 0,
        "create": 2,
        "list": 2,
        "share": 10,
        "dashboard": 4,
        "prepare": 14,
        "journal_page": 6,
        "prepare_page": 18,
    },
}


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def hot_paths(client_factory, db):  # type: ignore[no-untyped-def]
    team = make_team(db)
    owner = make_user(db, Role.participant, team=team)
    physio = make_user(db, Role.clinician, team=team, discipline=Discipline.physiotherapist)
    participant, clinician = client_factory(), client_factory()
    login(participant, owner)
    login(clinician, physio)
    created: list[str] = []

    def create() -> Any:
        entry_id = str(uuid.uuid4())
        created.append(entry_id)
        body = {"id": entry_id, "kind": "thought", "body": "Counting queries, nothing more."}
        return participant.post("/api/v1/entries", json=body)

    def share() -> Any:
        body = {"entry_ids": [created.pop()], "clinician_ids": [str(physio.id)]}
        return participant.post("/api/v1/shares", json=body)

    for _ in range(60):  # a journal with a full first page, some of it shared
        assert create().status_code == 201
    for _ in range(10):
        assert share().status_code == 201
    calls: dict[str, Callable[[], Any]] = {
        "healthz": lambda: participant.get("/healthz"),
        "create": create,
        "list": lambda: participant.get("/api/v1/entries", params={"limit": 50}),
        "share": share,
        "dashboard": lambda: clinician.get("/api/v1/clinician/participants"),
        "prepare": lambda: clinician.get(f"/api/v1/clinician/participants/{owner.id}/entries"),
        "journal_page": lambda: participant.get("/journal"),
        "prepare_page": lambda: clinician.get(f"/clinician/participants/{owner.id}"),
    }
    return calls


@pytest.mark.parametrize("name", list(BUDGET["sqlite"]))
def test_statements_per_request_stay_within_budget(hot_paths, name):  # type: ignore[no-untyped-def]
    call = hot_paths[name]
    assert call().status_code < 300  # warm-up: a first request may refresh the session's last-seen
    with counted() as statements:
        response = call()
    assert response.status_code < 300, response.text
    dialect = get_engine().dialect.name
    budget = BUDGET[dialect][name]
    assert len(statements) <= budget, (
        f"{name} on {dialect}: {len(statements)} statements, budget {budget}:\n" + "\n".join(statements)
    )
