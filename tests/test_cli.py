"""The `stem` command, in process against the test database, and once as a real subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import col, select

from app.cli import main
from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TEAM
from app.models import CareTeam, TeamMembership, User
from app.models.enums import Role
from tests.factories import login


def test_create_admin_takes_the_password_from_the_environment(monkeypatch, db, client, capsys):
    monkeypatch.setenv("STEM_ADMIN_PASSWORD", "a long and private admin phrase")
    assert main(["create-admin", "--username", "Chief"]) == 0
    admin = db.exec(select(User).where(col(User.username) == "chief")).one()
    assert admin.role == Role.admin
    login(client, admin, "a long and private admin phrase")
    assert "a long and private admin phrase" not in capsys.readouterr().out


def test_create_admin_refuses_a_weak_password_and_a_duplicate(monkeypatch, db, capsys):
    monkeypatch.setenv("STEM_ADMIN_PASSWORD", "password123")
    assert main(["create-admin", "--username", "chief"]) == 1
    assert "common" in capsys.readouterr().err
    monkeypatch.setenv("STEM_ADMIN_PASSWORD", "a long and private admin phrase")
    assert main(["create-admin", "--username", "chief"]) == 0
    assert main(["create-admin", "--username", "chief"]) == 1
    assert db.exec(select(User)).all()[0].username == "chief"


def test_demo_creates_the_team_once_and_prints_logins(db, client, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Demo data created." in out
    for account in DEMO_ACCOUNTS:
        assert account.username in out
    assert main(["demo"]) == 0
    assert "already exists" in capsys.readouterr().out
    teams = db.exec(select(CareTeam)).all()
    assert [team.name for team in teams] == [DEMO_TEAM]
    members = db.exec(select(TeamMembership)).all()
    assert sorted(m.member_role.value for m in members) == ["clinician"] * 3 + ["participant"] * 2
    disciplines = {u.discipline.value for u in db.exec(select(User)).all() if u.discipline}
    assert disciplines == {"physiotherapist", "psychologist", "physician"}
    eva = db.exec(select(User).where(col(User.username) == "eva")).one()
    login(client, eva, DEMO_PASSWORD)


def test_demo_gives_a_clinician_a_preparation_page_on_first_run(db, client):
    """Tom's small journal: shared entries, an agenda, a reply and an outcome he sees differently."""
    assert main(["demo"]) == 0
    tom = db.exec(select(User).where(col(User.username) == "tom")).one()
    mark = db.exec(select(User).where(col(User.username) == "mark")).one()
    login(client, mark, DEMO_PASSWORD)
    prep = client.get(f"/api/v1/clinician/participants/{tom.id}/entries").json()
    assert [item["kind"] for item in prep["agenda"]] == ["disagreement", "question"]
    assert prep["agenda"][1]["responses"][0]["kind"] == "reply"
    assert prep["goals"][0]["agreement"] == "agreed"
    assert prep["goals"][0]["participant_view"] == "differs"
    assert prep["goals"][0]["is_open"] is True
    shown = [item["body"] for section in prep.values() if isinstance(section, list) for item in section]
    assert not any("scare me" in body for body in shown)  # the private thought stays private


def test_demo_is_refused_in_production(monkeypatch, capsys):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "mode", "production")
    assert main(["demo"]) == 1


def test_create_team_and_invite(db, client_factory, capsys):
    assert main(["create-team", "Knee clinic"]) == 0
    assert main(["create-team", "Knee clinic"]) == 1
    assert main(["invite", "--team", "Knee clinic", "--role", "clinician"]) == 1
    assert main(["invite", "--team", "Nope"]) == 1
    capsys.readouterr()
    assert main(["invite", "--team", "Knee clinic", "--role", "clinician", "--discipline", "nurse"]) == 0
    out = capsys.readouterr().out
    code = out.split("code: ")[1].split()[0]
    assert "link: http://testserver/join?code=" in out
    response = client_factory().post(
        "/api/v1/auth/register",
        json={
            "invitation_code": code,
            "username": "nurse1",
            "display_name": "Nurse One",
            "password": "a quiet walk along the river",
        },
    )
    assert response.status_code == 201
    assert response.json()["discipline"] == "nurse"


def test_stem_command_runs_from_any_directory(tmp_path: Path):
    """The installed entry point migrates a fresh SQLite database from an unrelated directory."""
    stem = Path(sys.executable).with_name("stem")
    if not stem.exists():
        pytest.fail(f"the stem console script is not installed next to {sys.executable}")
    env = {
        **os.environ,
        "STEM_DATA_DIR": str(tmp_path / "data"),
        "STEM_DATABASE_URL": "",
        "STEM_SECRET_KEY": "",
    }
    result = subprocess.run(
        [str(stem), "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "stem.db").exists()
    assert (tmp_path / "data" / "secret_key").exists()


def test_purge_empties_old_trash_and_expired_sessions(db, client, capsys):
    from datetime import timedelta

    from app.models import Entry, LoginSession
    from app.models.types import utcnow
    from tests.factories import make_team, make_user

    user = make_user(db, Role.participant, team=make_team(db))
    login(client, user)
    now = utcnow()
    old = Entry(
        author_id=user.id,
        kind="thought",
        body="gone",
        create_digest="0" * 64,
        deleted_at=now - timedelta(days=31),
    )
    recent = Entry(
        author_id=user.id,
        kind="thought",
        body="kept",
        create_digest="0" * 64,
        deleted_at=now - timedelta(days=29),
    )
    db.add_all([old, recent])
    session_row = db.exec(select(LoginSession)).one()
    session_row.expires_at = now - timedelta(minutes=1)
    db.add(session_row)
    db.commit()
    assert main(["purge"]) == 0
    assert "Removed 1 entries" in capsys.readouterr().out
    db.expire_all()
    assert [entry.body for entry in db.exec(select(Entry)).all()] == ["kept"]
    assert db.exec(select(LoginSession)).all() == []


def test_serve_warns_when_production_listens_beyond_loopback_without_a_proxy_setting():
    """Issue 12, item 4: the Docker image listened on 0.0.0.0 trusting no proxy, silently."""
    from app.cli import proxy_setting_warning

    everywhere = "0.0.0.0"  # noqa: S104  (the address the Docker image listens on)
    warning = proxy_setting_warning(production=True, host=everywhere, forwarded_allow_ips_set=False)
    assert warning is not None and "STEM_FORWARDED_ALLOW_IPS" in warning
    assert proxy_setting_warning(production=True, host=everywhere, forwarded_allow_ips_set=True) is None
    assert proxy_setting_warning(production=True, host="127.0.0.1", forwarded_allow_ips_set=False) is None
    assert proxy_setting_warning(production=False, host=everywhere, forwarded_allow_ips_set=False) is None
