"""Housekeeping: on SQLite it also gives the query planner statistics (ANALYZE)."""

import threading

from sqlalchemy import text

from app.maintenance import refresh_planner_statistics, run_housekeeping


def test_housekeeping_gives_sqlite_planner_statistics(world, db):
    counts = run_housekeeping()
    assert counts == {"entries_purged": 0, "sessions_ended": 0}
    db.rollback()
    if db.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's autovacuum analyses; nothing more to check than a clean run
    rows = db.execute(
        text("SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl IN ('entries', 'shares')")
    ).all()
    indexes = {idx for _tbl, idx, _stat in rows}
    assert {"ix_shares_entry", "ix_shares_participant", "ix_entries_author_created"} <= indexes
    # Fresh statistics are not redone; a journal grown by more than a quarter is analysed again.
    assert refresh_planner_statistics() is False
    owner = world.clients["owner"]
    for number in range(120):
        assert (
            owner.post("/api/v1/entries", json={"kind": "thought", "body": f"note {number}"}).status_code
            == 201
        )
    assert refresh_planner_statistics() is True
    assert refresh_planner_statistics() is False


def _run_lifespan_with(monkeypatch, housekeeping: bool) -> list[str]:
    import app.maintenance as maintenance
    from app.config import get_settings
    from app.main import create_app

    calls: list[str] = []
    finished = threading.Event()

    def sweep() -> dict[str, int]:
        calls.append("housekeeping")
        finished.set()
        return {}

    monkeypatch.setattr(get_settings(), "housekeeping", housekeeping)
    monkeypatch.setattr(maintenance, "run_housekeeping", sweep)
    from starlette.testclient import TestClient

    with TestClient(create_app()) as client:
        assert client.get("/healthz").status_code == 200
        if housekeeping:
            assert finished.wait(30), "the start-up sweep did not run"
    return calls


def test_the_server_sweeps_at_start_when_housekeeping_is_on(monkeypatch):
    assert _run_lifespan_with(monkeypatch, housekeeping=True) == ["housekeeping"]


def test_no_background_sweep_when_housekeeping_is_off(monkeypatch):
    # The test suite runs this way (STEM_HOUSEKEEPING=false): a sweep must not race a test's rows.
    assert _run_lifespan_with(monkeypatch, housekeeping=False) == []


def test_the_server_sends_reminders_while_housekeeping_is_on(monkeypatch):
    import app.maintenance as maintenance
    from app.config import get_settings
    from app.main import create_app

    sent = threading.Event()

    def sender() -> dict[str, int]:
        sent.set()
        return {"enqueued": 0, "sent": 0}

    monkeypatch.setattr(get_settings(), "housekeeping", True)
    monkeypatch.setattr(maintenance, "run_housekeeping", lambda: {})
    monkeypatch.setattr(maintenance, "run_push_sender", sender)
    from starlette.testclient import TestClient

    with TestClient(create_app()) as client:
        assert client.get("/healthz").status_code == 200
        assert sent.wait(30), "the push sender did not run"
