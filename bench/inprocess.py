"""Benchmark helpers that run inside the app, with the same STEM_* settings as the server.

`python -m bench.inprocess queries MANIFEST`: SQL statements and CPU time per request for each
benchmarked endpoint. Signs in a seeded participant and clinician through the real ASGI app
(Starlette's TestClient), calls each endpoint CALLS times after a warm-up and prints one JSON line
{"statements": {endpoint: n}, "cpu_ms": {endpoint: ms}} (medians of the warm calls). The CPU time
is the whole process's (`time.process_time`, every thread): the app's work and the test client's,
with no network, no load generator and no other request beside it; the same figure does not move
with the machine's load as req/s does. The test client's own share is about the `hello` row.

`python -m bench.inprocess sessions MANIFEST N`: login sessions for the load, made directly with
the app's own `start_session` (as a sign-in would), for the first N sampled participants and every
clinician who was shared with. Signing in 50 people through argon2id (64 MiB, 3 passes) would
take a minute of the benchmark's time and measure nothing it reports. Prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient

CALLS = 15


def sessions(manifest_path: str, participants: int) -> int:
    from app.accounts.deps import SECURE_COOKIE
    from app.accounts.login_sessions import csrf_token_for, start_session
    from app.db import session_scope
    from app.models import User

    manifest = json.loads(Path(manifest_path).read_text())
    people = [p["id"] for p in manifest["participants"][:participants]]
    clinicians = [c for c in manifest["clinicians"] if c["shared_participant_ids"]][:40]
    out: dict[str, list[dict[str, Any]]] = {"participants": [], "clinicians": []}
    for session in session_scope(write=True):
        for person_id in people:
            started = start_session(session, session.get_one(User, uuid.UUID(person_id)))
            out["participants"].append(
                {"cookie": f"{SECURE_COOKIE}={started.token}", "csrf": csrf_token_for(started.record.id)}
            )
        for clinician in clinicians:
            started = start_session(session, session.get_one(User, uuid.UUID(clinician["id"])))
            out["clinicians"].append(
                {
                    "cookie": f"{SECURE_COOKIE}={started.token}",
                    "participants": clinician["shared_participant_ids"],
                }
            )
    print(json.dumps(out))
    return 0


def queries(manifest_path: str) -> int:
    from app.db import get_engine
    from app.main import create_app

    manifest = json.loads(Path(manifest_path).read_text())
    password = manifest["password"]
    participant = manifest["participants"][0]
    clinician = next(c for c in manifest["clinicians"] if c["shared_participant_ids"])
    shown_participant = clinician["shared_participant_ids"][0]

    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(get_engine(), "before_cursor_execute", count)
    app = create_app()
    # https: production-mode cookies are Secure, and a client keeps them only for https
    base = "https://127.0.0.1"
    with TestClient(app, base_url=base) as p_client, TestClient(app, base_url=base) as c_client:
        login = p_client.post(
            "/api/v1/auth/login", json={"username": participant["username"], "password": password}
        )
        login.raise_for_status()
        csrf = login.json()["csrf_token"]
        c_client.post(
            "/api/v1/auth/login", json={"username": clinician["username"], "password": password}
        ).raise_for_status()
        created: list[str] = []

        def create() -> Any:
            entry_id = str(uuid.uuid4())
            created.append(entry_id)
            body = {"id": entry_id, "kind": "thought", "body": "Counting queries, nothing more."}
            return p_client.post("/api/v1/entries", json=body, headers={"X-CSRF-Token": csrf})

        def share() -> Any:
            body = {"entry_ids": [created.pop()], "audience": "team"}
            return p_client.post("/api/v1/shares", json=body, headers={"X-CSRF-Token": csrf})

        calls: dict[str, Callable[[], Any]] = {
            "hello": lambda: p_client.get("/healthz"),
            "create": create,
            "list": lambda: p_client.get("/api/v1/entries", params={"limit": 50}),
            "share": share,
            "dashboard": lambda: c_client.get("/api/v1/clinician/participants"),
            "prepare": lambda: c_client.get(f"/api/v1/clinician/participants/{shown_participant}/entries"),
            "journal_page": lambda: p_client.get("/journal"),
            "prepare_page": lambda: c_client.get(f"/clinician/participants/{shown_participant}"),
        }
        # entries to share: made first, so the share calls do not count a create
        for _ in range(CALLS + 1):
            create().raise_for_status()
        result: dict[str, float] = {}
        cpu_ms: dict[str, float] = {}
        for name, call in calls.items():
            counts, seconds = [], []
            for _ in range(CALLS + 1):
                statements = 0
                started = time.process_time()
                response = call()
                seconds.append(time.process_time() - started)
                if response.status_code >= 400:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
                counts.append(statements)
            result[name] = statistics.median(counts[1:])
            cpu_ms[name] = round(statistics.median(seconds[1:]) * 1000, 2)
    print(json.dumps({"statements": result, "cpu_ms": cpu_ms}))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["queries"] and len(argv) == 2:
        return queries(argv[1])
    if argv[:1] == ["sessions"] and len(argv) == 3:
        return sessions(argv[1], int(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
