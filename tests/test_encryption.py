"""Encryption at rest: a stolen database reveals no journal text; keys rotate while serving."""

import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Text, text, type_coerce, update
from sqlalchemy.engine import make_url
from sqlmodel import select

from app.crypto import UnreadableValue, cipher
from app.db import get_engine
from app.key_rotation import reencrypt_all
from app.models import Entry, EntryResponse
from app.models.enums import Discipline, Role
from tests.factories import login, make_team, make_user

CANARY_ENTRY = "canary-entry-5d1f0b2e"
CANARY_REPLY = "canary-reply-8c2a91e4"
CANARY_NOTE = "canary-note-3b7e6d10"


def _write_everything(client_factory, db) -> None:
    team = make_team(db)
    author = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    me, them = client_factory(), client_factory()
    login(me, author)
    login(them, clinician)
    entry = me.post(
        "/api/v1/entries", json={"kind": "disagreement", "body": f"My pain is real {CANARY_ENTRY}"}
    ).json()
    me.post(f"/api/v1/entries/{entry['id']}/shares", json={"audience": "team"})
    them.post(f"/api/v1/entries/{entry['id']}/responses", json={"kind": "reply", "body": CANARY_REPLY})
    discussed = them.post(
        f"/api/v1/entries/{entry['id']}/responses", json={"kind": "discussed", "outcome": "still_differ"}
    ).json()
    me.post(
        f"/api/v1/entries/{entry['id']}/responses/{discussed['id']}/view",
        json={"view": "differs", "note": CANARY_NOTE},
    )
    # The owner reads everything back as written.
    assert CANARY_ENTRY in me.get(f"/api/v1/entries/{entry['id']}").text
    responses = me.get(f"/api/v1/entries/{entry['id']}/responses").text
    assert CANARY_REPLY in responses
    assert CANARY_NOTE in responses


def _raw_database_bytes() -> bytes:
    engine = get_engine()
    url = engine.url
    if engine.dialect.name == "sqlite":
        path = Path(url.database or "")
        return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    dump_url = make_url(url.render_as_string(hide_password=False)).set(drivername="postgresql")
    result = subprocess.run(
        ["pg_dump", "--no-owner", dump_url.render_as_string(hide_password=False)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return result.stdout


def test_a_stolen_database_reveals_no_text(client_factory, db):
    _write_everything(client_factory, db)
    raw = _raw_database_bytes()
    assert b"stem1:" in raw  # the values are there, sealed
    for canary in (CANARY_ENTRY, CANARY_REPLY, CANARY_NOTE):
        assert canary.encode() not in raw, canary


def test_the_raw_scan_would_see_plaintext(db):
    """The scan above can fail: text stored outside the cipher is found in the same bytes."""
    db.execute(text("CREATE TABLE IF NOT EXISTS scan_probe (value TEXT)"))
    db.execute(text("INSERT INTO scan_probe (value) VALUES (:v)"), {"v": "plain-probe-71c4"})
    db.commit()
    try:
        assert b"plain-probe-71c4" in _raw_database_bytes()
    finally:
        db.execute(text("DROP TABLE scan_probe"))
        db.commit()


def test_a_value_moved_to_another_column_does_not_open():
    sealed = cipher().encrypt("words", "entries.body")
    assert cipher().decrypt(sealed, "entries.body") == "words"
    with pytest.raises(UnreadableValue):
        cipher().decrypt(sealed, "entry_responses.body")


def test_a_tampered_value_does_not_open():
    sealed = cipher().encrypt("words", "entries.body")
    prefix, key_id, payload = sealed.split(":", 2)
    flipped = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    with pytest.raises(UnreadableValue):
        cipher().decrypt(f"{prefix}:{key_id}:{flipped}", "entries.body")


def test_rotate_key_reseals_everything_while_readable(client_factory, db, capsys):
    from app.cli import main

    _write_everything(client_factory, db)
    author_id = db.exec(select(Entry)).first().author_id
    legacy_id = uuid.uuid4()
    db.add(
        Entry(id=legacy_id, author_id=author_id, kind="thought", body="placeholder", create_digest="0" * 64)
    )
    db.commit()
    # A row from before encryption: stored as plain text.
    db.execute(update(Entry).where(Entry.id == legacy_id).values(body=type_coerce("written long ago", Text)))
    db.commit()
    before = cipher().current_key_id
    assert main(["rotate-key"]) == 0
    after = cipher().current_key_id
    assert after != before
    raw_values = [
        *db.execute(select(type_coerce(Entry.body, Text))).scalars(),
        *db.execute(
            select(type_coerce(EntryResponse.body, Text)).where(EntryResponse.body.is_not(None))
        ).scalars(),
    ]
    assert raw_values
    assert all(value.startswith(f"stem1:{after}:") for value in raw_values)
    db.expire_all()
    assert db.get(Entry, legacy_id).body == "written long ago"
    assert any(CANARY_ENTRY in entry.body for entry in db.exec(select(Entry)).all())
    assert reencrypt_all() == 0  # nothing left to do


def test_production_without_keys_refuses_to_start(tmp_path):
    from app.config import Settings
    from app.crypto import FieldCipher, KeyConfigurationError

    settings = Settings(mode="production", data_dir=tmp_path, secret_key="s" * 48)
    with pytest.raises(KeyConfigurationError):
        FieldCipher(settings)


def test_keys_from_the_environment(tmp_path):
    from app.config import Settings
    from app.crypto import FieldCipher, new_key

    old, current = new_key(), new_key()
    settings = Settings(
        mode="production",
        data_dir=tmp_path,
        secret_key="s" * 48,
        encryption_keys=f"old:{old},new:{current}",
    )
    field_cipher = FieldCipher(settings)
    assert field_cipher.current_key_id == "new"
    assert field_cipher.encrypt("x", "c").startswith("stem1:new:")
    assert not (tmp_path / "encryption_keys.json").exists()


def test_generated_key_file_is_private():
    import stat

    from app.config import get_settings
    from app.crypto import key_file_path

    cipher()
    path = key_file_path(get_settings())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
