"""After an erasure nothing of the person waits on disk for a checkpoint, and the data directory
and database files are private to their owner: issue 12, item 6."""

import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import private_directory
from app.db import build_engine, get_engine
from app.models.enums import Role
from tests.factories import PASSWORD, login, make_team, make_user

pytestmark = pytest.mark.skipif(
    get_engine().dialect.name != "sqlite", reason="SQLite's files; PostgreSQL keeps dead tuples until VACUUM"
)


def _database_files() -> list[Path]:
    database = Path(make_url(str(get_engine().url)).database or "")
    return [database, database.with_name(database.name + "-wal")]


def test_after_an_erasure_the_name_is_in_no_file(client, db):
    canary = f"walcanary{uuid.uuid4().hex[:12]}"
    user = make_user(db, Role.participant, team=make_team(db), username=canary, display_name=canary.upper())
    login(client, user)
    assert client.post("/api/v1/entries", json={"kind": "thought", "body": "words"}).status_code == 201
    response = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert response.status_code == 204, response.text
    for path in _database_files():
        content = path.read_bytes() if path.exists() else b""
        assert canary.encode() not in content, path.name
        assert canary.upper().encode() not in content, path.name


def test_the_data_directory_and_database_files_are_private(tmp_path):
    data_dir = tmp_path / "new" / "data"
    engine = build_engine(f"sqlite:///{data_dir / 'stem.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x TEXT)"))
            connection.execute(text("INSERT INTO t VALUES ('x')"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
            modes = {
                path.name: stat.S_IMODE(path.stat().st_mode)
                for path in data_dir.iterdir()
                if path.name.startswith("stem.db")
            }
    finally:
        engine.dispose()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert set(modes) >= {"stem.db", "stem.db-wal", "stem.db-shm"}
    assert set(modes.values()) == {0o600}, modes


def test_an_existing_directory_keeps_its_mode(tmp_path):
    existing = tmp_path / "mine"
    existing.mkdir(mode=0o750)
    existing.chmod(0o750)
    private_directory(existing)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o750
