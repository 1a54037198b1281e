"""Housekeeping: on SQLite it also gives the query planner statistics (ANALYZE)."""

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
