"""Settings: generated secret with owner-only permissions; placeholders refused in production."""

import stat

import pytest
from pydantic import ValidationError

from app.config import Settings


def test_secret_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("STEM_SECRET_KEY", raising=False)
    first = Settings(data_dir=tmp_path, secret_key="")
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    second = Settings(data_dir=tmp_path, secret_key="")
    assert second.secret_key == first.secret_key
    assert list(tmp_path.iterdir()) == [key_file]


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "short-but-not-placeholder"])
def test_production_refuses_placeholder_secrets(tmp_path, secret):
    with pytest.raises(ValidationError) as raised:
        Settings(mode="production", data_dir=tmp_path, secret_key=secret)
    assert "STEM_SECRET_KEY" in str(raised.value)
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_placeholder_audit_key(tmp_path):
    with pytest.raises(ValidationError) as raised:
        Settings(mode="production", data_dir=tmp_path, secret_key="x" * 48, audit_key="changeme")
    assert "STEM_AUDIT_KEY" in str(raised.value)
    assert Settings(mode="production", data_dir=tmp_path, secret_key="x" * 48, audit_key="z" * 40)


def test_production_accepts_a_real_secret(tmp_path):
    settings = Settings(mode="production", data_dir=tmp_path, secret_key="x" * 48)
    assert settings.is_production


def test_default_database_is_sqlite_under_the_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="", secret_key="y" * 40)
    assert settings.database_url == f"sqlite:///{tmp_path / 'stem.db'}"


def test_environment_variables_configure_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("STEM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STEM_PUBLIC_BASE_URL", "https://stem.example.org")
    monkeypatch.setenv("STEM_CLINICIAN_SESSION_ABSOLUTE_HOURS", "8")
    monkeypatch.setenv("STEM_DEFAULT_LOCALE", "nl")
    settings = Settings()
    assert settings.public_base_url == "https://stem.example.org"
    assert settings.session_lifetimes("clinician")[0].total_seconds() == 8 * 3600
    assert settings.default_locale == "nl"


def test_unknown_locale_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("STEM_DEFAULT_LOCALE", "fr")
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path)
