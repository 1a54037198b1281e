"""Ctrl-C in the long commands: what each leaves behind, and that running it again finishes the job."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.engine import make_url

from app.backup import backup, restore
from app.cli import main
from app.config import Settings, get_settings
from app.crypto import add_generated_key, cipher
from app.key_rotation import reencrypt_all
from app.models import Entry
from app.models.enums import Role
from app.progress import Tracker, progress
from tests.factories import login, make_team, make_user
from tests.test_backup import empty_target  # noqa: F401 (fixture)


class _CtrlC:
    def __init__(self) -> None:
        self.seen = 0

    def advance(self, amount: int = 1) -> None:
        raise KeyboardInterrupt

    def set_total(self, total: int | None) -> None:
        pass


def interrupted_at(step: str):  # type: ignore[no-untyped-def]
    """A progress display whose `step` is interrupted (as by Ctrl-C) at its first advance."""

    @contextmanager
    def factory(description: str, total: int | None) -> Iterator[Tracker]:
        if description.startswith(step):
            yield _CtrlC()
        else:
            with progress(description, total) as tracker:
                yield tracker

    return factory


def _write_entries(client_factory, db, count: int) -> None:
    author = make_user(db, Role.participant, team=make_team(db))
    phone = client_factory()
    login(phone, author)
    for number in range(count):
        response = phone.post("/api/v1/entries", json={"kind": "thought", "body": f"entry {number}"})
        assert response.status_code == 201


def test_an_interrupted_backup_leaves_nothing_and_runs_again(db, client_factory, tmp_path):
    _write_entries(client_factory, db, 2)
    path = tmp_path / "stem.backup"
    for step in ("backup", "checksum"):
        with pytest.raises(KeyboardInterrupt):
            backup(get_settings(), path, interrupted_at(step))
        assert list(tmp_path.iterdir()) == []
    backup(get_settings(), path, progress)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stem.backup", "stem.backup.sha256"]


def test_an_interrupted_restore_leaves_the_target_empty_and_runs_again(
    db,
    client_factory,
    tmp_path,
    empty_target: Settings,  # noqa: F811
):
    _write_entries(client_factory, db, 3)
    path = tmp_path / "stem.backup"
    backup(get_settings(), path, progress)
    with pytest.raises(KeyboardInterrupt):
        restore(empty_target, path, interrupted_at("restore"))
    if empty_target.is_sqlite:
        assert not Path(str(make_url(empty_target.database_url).database)).exists()
    result = restore(empty_target, path, progress)
    assert result.entries == 3 and result.verification.ok


def test_the_cli_says_interrupted_and_exits_130(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("app.progress.progress", interrupted_at("backup"))
    assert main(["backup", str(tmp_path / "stem.backup")]) == 130
    assert "Interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_key_rotation_is_finished_by_running_it_again(db, client_factory):
    _write_entries(client_factory, db, 5)
    add_generated_key()
    current = cipher().current_key_id

    def stop_after_first_batch(count: int) -> None:
        if count:  # the tables walked before the entries are empty here
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reencrypt_all(batch_size=2, on_batch=stop_after_first_batch)
    stored = db.execute(select(type_coerce(Entry.body, Text))).scalars().all()
    assert sum(value.startswith(f"stem1:{current}:") for value in stored) == 2  # one batch committed
    db.rollback()  # end this read's snapshot
    assert main(["rotate-key", "--no-generate"]) == 0
    stored = db.execute(select(type_coerce(Entry.body, Text))).scalars().all()
    assert len(stored) == 5 and all(value.startswith(f"stem1:{current}:") for value in stored)
    assert sorted(entry.body for entry in db.exec(select(Entry)).scalars()) == [
        f"entry {n}" for n in range(5)
    ]
