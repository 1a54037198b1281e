"""Many saves at once through a real server: every one is stored, none waits long.

On SQLite a request that writes waits for the process's write turn outside the worker threads.
When it waited inside one (from its first query on), 40 waiting saves could take every worker
thread while the save holding the turn waited for a thread to run its route in: nothing moved
until a 30-second timeout, and the load benchmark stalled completely."""

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.models import Entry
from app.models.enums import Role
from tests.factories import PASSWORD, make_team, make_user

CONCURRENT = 64  # more than the 40 worker threads of the server
ROUNDS = 2


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_many_concurrent_saves_all_land_quickly(served, db):
    team = make_team(db)
    people = [make_user(db, Role.participant, team=team) for _ in range(4)]
    sessions = []
    for person in people:
        response = httpx.post(
            served + "/api/v1/auth/login", json={"username": person.username, "password": PASSWORD}
        )
        assert response.status_code == 200
        sessions.append((dict(response.cookies), response.json()["csrf_token"], person.id))

    def save(number: int) -> tuple[int, float]:
        cookies, csrf, _ = sessions[number % len(sessions)]
        started = time.monotonic()
        with httpx.Client(base_url=served, cookies=cookies, timeout=25) as client:
            response = client.post(
                "/api/v1/entries",
                json={"id": str(uuid.uuid4()), "kind": "thought", "body": f"save {number}"},
                headers={"X-CSRF-Token": csrf},
            )
        return response.status_code, time.monotonic() - started

    for _ in range(ROUNDS):
        with ThreadPoolExecutor(CONCURRENT) as pool:
            results = list(pool.map(save, range(CONCURRENT)))
        assert [status for status, _ in results] == [201] * CONCURRENT
        slowest = max(seconds for _, seconds in results)
        assert slowest < 15, f"a save took {slowest:.1f} s"
    db.rollback()
    stored = db.execute(select(func.count()).select_from(Entry)).scalar_one()
    assert stored == CONCURRENT * ROUNDS


def test_many_concurrent_audited_shares_all_land_quickly(served, db):
    """Each share appends to the audit chain under its lock (PostgreSQL: an advisory lock held to
    the commit). The commit must not wait for a route thread held by a request waiting for it."""
    team = make_team(db)
    make_user(db, Role.clinician, team=team)
    people = [make_user(db, Role.participant, team=team) for _ in range(4)]
    work = []
    for person in people:
        with httpx.Client(base_url=served, timeout=25) as client:
            response = client.post(
                "/api/v1/auth/login", json={"username": person.username, "password": PASSWORD}
            )
            csrf = response.json()["csrf_token"]
            for number in range(CONCURRENT // len(people)):
                created = client.post(
                    "/api/v1/entries",
                    json={"kind": "question", "body": f"share me {number}"},
                    headers={"X-CSRF-Token": csrf},
                )
                assert created.status_code == 201
                work.append((dict(client.cookies), csrf, created.json()["id"]))

    def share(item: tuple[dict[str, str], str, str]) -> tuple[int, float]:
        cookies, csrf, entry_id = item
        started = time.monotonic()
        with httpx.Client(base_url=served, cookies=cookies, timeout=25) as client:
            response = client.post(
                "/api/v1/shares",
                json={"entry_ids": [entry_id], "audience": "team"},
                headers={"X-CSRF-Token": csrf},
            )
        return response.status_code, time.monotonic() - started

    with ThreadPoolExecutor(CONCURRENT) as pool:
        results = list(pool.map(share, work))
    assert [status for status, _ in results] == [201] * CONCURRENT
    slowest = max(seconds for _, seconds in results)
    assert slowest < 15, f"a share took {slowest:.1f} s"
