"""`stem backup` and `stem restore` on the test run's database (SQLite or PostgreSQL): a backup
taken while the app keeps saving entries restores with every acknowledged entry and an intact
audit chain; a restore never overwrites a database that holds anything; bad paths are refused
with a sentence and an exit status, not a traceback."""

import hashlib
import os
import stat
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

import app.backup as backup_module
from app.audit.service import record_alone, verify
from app.backup import BackupError, backup, restore
from app.cli import main
from app.config import Settings, get_settings
from app.db import build_engine
from app.models import Entry, Share, User
from app.models.enums import Role
from app.progress import progress
from tests.conftest import BACKEND, _create_postgres_database, _drop_postgres_database
from tests.factories import login, make_team, make_user


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[Settings]:
    """Settings of an empty place to restore into: a new SQLite file, or a new PostgreSQL database."""
    if BACKEND == "postgresql":
        url = _create_postgres_database()
        try:
            yield Settings(database_url=url)
        finally:
            _drop_postgres_database(url)
    else:
        yield Settings(
            data_dir=tmp_path / "restored", database_url=f"sqlite:///{tmp_path / 'restored' / 'stem.db'}"
        )


def _stored(url: str) -> tuple[set[uuid.UUID], int, int, object]:
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            ids = set(session.execute(select(Entry.id)).scalars())
            people = session.execute(select(func.count()).select_from(User)).scalar_one()
            shares = session.execute(select(func.count()).select_from(Share)).scalar_one()
            return ids, people, shares, verify(session)
    finally:
        engine.dispose()


def test_backup_during_writes_restores_every_acknowledged_entry(
    db, client_factory, tmp_path, empty_target, monkeypatch, capsys
):
    # One page per step: the app's writes land between steps, so SQLite's copy must cope with
    # restarts (the path a large database takes under load).
    monkeypatch.setattr(backup_module, "SQLITE_PAGES_PER_STEP", 1)
    team = make_team(db)
    author = make_user(db, Role.participant, team=team)
    phone = client_factory()
    login(phone, author)
    acknowledged: list[uuid.UUID] = []
    stop = threading.Event()
    failures: list[str] = []

    def keep_writing() -> None:
        while not stop.is_set():
            entry_id = uuid.uuid4()
            response = phone.post(
                "/api/v1/entries", json={"id": str(entry_id), "kind": "thought", "body": f"note {entry_id}"}
            )
            if response.status_code != 201:
                failures.append(f"{response.status_code} {response.text[:200]}")
                return
            acknowledged.append(entry_id)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(acknowledged) < 10 and writer.is_alive():
            stop.wait(0.01)
        before_backup = set(acknowledged)
        path = tmp_path / "stem.backup"
        assert main(["backup", str(path)]) == 0
        more = len(acknowledged) + 5
        while len(acknowledged) < more and writer.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert failures == []
    out = capsys.readouterr().out
    assert "Backup written" in out and "NOT in the backup" in out

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    checksum = path.with_name(path.name + ".sha256")
    assert stat.S_IMODE(checksum.stat().st_mode) == 0o600
    assert checksum.read_text().split() == [hashlib.sha256(path.read_bytes()).hexdigest(), path.name]

    result = restore(empty_target, path, progress)
    restored, people, shares, chain = _stored(empty_target.database_url)
    assert before_backup <= restored, "an entry acknowledged before the backup is missing"
    assert restored <= set(acknowledged), "the backup holds an entry that was never acknowledged"
    assert result.entries == len(restored)
    assert result.people == people == 1
    assert result.shares == shares == 0
    assert chain.ok and result.verification.ok  # type: ignore[attr-defined]
    assert result.verification.head_hash == chain.head_hash  # type: ignore[attr-defined]
    assert result.verification.checked > 0


def test_restore_command_prints_verification_and_counts(db, tmp_path, empty_target, monkeypatch, capsys):
    team = make_team(db)
    make_user(db, Role.participant, team=team)
    make_user(db, Role.clinician, team=team)
    for _ in range(3):
        record_alone(action="test.event")
    path = tmp_path / "copy.backup"
    assert main(["backup", str(path)]) == 0
    monkeypatch.setattr("app.cli.get_settings", lambda: empty_target)
    capsys.readouterr()
    assert main(["restore", str(path)]) == 0
    captured = capsys.readouterr()
    assert "2 people, 0 entries, 0 shares" in captured.out
    assert "Audit log intact" in captured.out and "head hash" in captured.out
    events = captured.out.split("Audit log intact: ")[1].split()[0]
    assert events == "3"
    for step in ("checksum (MiB)", "restore", f"audit verify (events): {events}/{events} (100%)"):
        assert step in captured.err, step


def test_restore_refuses_a_database_that_holds_anything(db, tmp_path, capsys):
    make_user(db, Role.participant)
    path = tmp_path / "copy.backup"
    assert main(["backup", str(path)]) == 0
    capsys.readouterr()
    # The test run's own database has tables (and a person): it is not an empty target.
    assert main(["restore", str(path)]) == 1
    err = capsys.readouterr().err
    assert "stem restore:" in err and "empty" in err and "Traceback" not in err
    assert db.execute(select(func.count()).select_from(User)).scalar_one() == 1


def test_restore_refuses_a_damaged_backup(db, tmp_path, empty_target):
    path = tmp_path / "copy.backup"
    backup(get_settings(), path, progress)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore(empty_target, path, progress)
    path.with_name(path.name + ".sha256").unlink()
    with pytest.raises(BackupError, match="checksum file"):
        restore(empty_target, path, progress)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing-dir/stem.backup", "does not exist"),
        ("", "is a directory"),
        ("exists.backup", "exists already"),
    ],
)
def test_backup_refuses_bad_paths_with_a_sentence(tmp_path, capsys, name, message):
    (tmp_path / "exists.backup").write_text("keep me")
    assert main(["backup", str(tmp_path / name)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert (tmp_path / "exists.backup").read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["exists.backup"]  # no partial file left


def test_restore_of_a_missing_file_is_a_sentence_not_a_traceback(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "restore", str(tmp_path / "nothing.backup")],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert run.returncode == 1
    assert "is not a file" in run.stderr and "Traceback" not in run.stderr
