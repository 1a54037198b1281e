"""`pip install .` gives a Stem that carries its templates, static files and migrations."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("stem-*.whl")
    return built


def test_wheel_contains_web_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/_web/templates/base.html" in names
    assert "app/_web/static/css/stem.css" in names
    assert "app/_migrations/env.py" in names
    assert any(name.startswith("app/_migrations/versions/") and name.endswith(".py") for name in names)
    assert any(name.endswith("entry_points.txt") for name in names)


def test_installed_wheel_migrates_and_serves_pages_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "STEM_DATA_DIR": str(tmp_path / "data"),
        "STEM_DATABASE_URL": "",
        "STEM_SECRET_KEY": "",
    }
    script = (
        "import app, app.paths as p\n"
        "from app.cli import main\n"
        f"assert app.__file__.startswith({str(target)!r}), app.__file__\n"
        "assert p.TEMPLATES_DIR.is_dir() and p.MIGRATIONS_DIR.is_dir()\n"
        f"assert str(p.MIGRATIONS_DIR).startswith({str(target)!r})\n"
        "assert main(['migrate']) == 0\n"
        "from starlette.testclient import TestClient\n"
        "from app.main import create_app\n"
        "client = TestClient(create_app())\n"
        "assert client.get('/readyz').status_code == 200\n"
        "assert client.get('/login').status_code == 200\n"
        "assert client.get('/static/css/stem.css').status_code == 200\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "data" / "stem.db").exists()


def test_the_locks_serve_every_supported_python() -> None:
    """`make lock` resolves universally (uv): a dependency that only some Pythons need is in the
    lock with its marker (redis needs async-timeout below 3.11.3, e.g. Debian 12's own 3.11.2),
    and every pinned requirement carries hashes, so `pip install --require-hashes` works on all."""
    for name in ("main.lock", "dev.lock"):
        text = (ROOT / "requirements" / name).read_text()
        assert "make lock" in text.splitlines()[1], f"{name} was not written by `make lock`"
        assert "async-timeout==" in text and "python_full_version < '3.11.3'" in text, name
        pins = [line for line in text.splitlines() if line and not line[0].isspace() and "==" in line]
        assert pins, name
        for pin in pins:
            assert pin.rstrip().endswith("\\"), f"{name}: {pin} has no hashes"
