"""`make test` tells the truth about what ran (issue 23, item 4): a PostgreSQL run without a
server starts a throw-away cluster of its own; where it cannot, a whole run stops with one
instruction, and a partial run lists what it skipped and why. Each case runs the suite's own
conftest in a separate pytest, on one small test file."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOBODY = "postgresql+psycopg://postgres@127.0.0.1:9/postgres"  # the discard port: nothing answers
NO_REDIS = "redis://127.0.0.1:9"


def run_suite(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("STEM_", "COV_", "COVERAGE"))}
    environment |= {"STEM_TEST_DATABASE": "postgresql", "STEM_TEST_POSTGRES_URL": NOBODY} | env
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *(args or ["tests/test_health.py"])],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_whole_run_without_postgresql_stops_with_one_instruction():
    done = run_suite(STEM_REQUIRE_ALL_BACKENDS="1", STEM_TEST_OWN_CLUSTER="0")
    assert done.returncode == 3, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "PostgreSQL at" in said and "is not reachable" in said
    assert "make debian-packages" in said and "make test-sqlite" in said
    assert " passed" not in said


def test_a_partial_run_lists_what_it_skipped_and_why():
    done = run_suite(STEM_REQUIRE_ALL_BACKENDS="0", STEM_TEST_OWN_CLUSTER="0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "what did not run, and why" in done.stdout
    assert (
        "skipped: PostgreSQL at postgresql+psycopg://postgres@127.0.0.1:9/postgres is not reachable"
        in done.stdout
    )
    assert "make debian-packages" in done.stdout


@pytest.mark.skipif(
    not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
    reason="the PostgreSQL server is not installed",
)
def test_without_a_server_the_suite_starts_a_throw_away_cluster_and_removes_it():
    before = set(Path("/tmp").glob("stem-postgres-*"))  # noqa: S108 (only listed, never written)
    done = run_suite(STEM_REQUIRE_ALL_BACKENDS="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "a throw-away cluster on port" in done.stdout
    assert " passed" in done.stdout and "skipped" not in done.stdout
    assert set(Path("/tmp").glob("stem-postgres-*")) == before  # noqa: S108


def test_a_whole_run_missing_several_things_names_them_all_in_one_instruction_before_collecting():
    done = run_suite(
        STEM_REQUIRE_ALL_BACKENDS="1",
        STEM_TEST_OWN_CLUSTER="0",
        STEM_CHROMIUM="/nonexistent/chromium",
        STEM_TEST_REDIS_URL=NO_REDIS,
        STEM_TEST_OWN_REDIS="0",
    )
    assert done.returncode == 3, done.stdout + done.stderr
    said = done.stdout + done.stderr
    instruction = [line for line in said.splitlines() if "make debian-packages" in line]
    assert len(instruction) == 1, said
    for missing in ("PostgreSQL at", "Chromium not found at /nonexistent/chromium", f"Redis at {NO_REDIS}"):
        assert missing in instruction[0]
    assert "collected" not in said and " passed" not in said


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_without_a_redis_the_suite_starts_one_of_its_own_and_stops_it():
    before = set(Path(tempfile.gettempdir()).glob("stem-redis-*"))
    done = run_suite(
        "tests/accounts/test_auth_api.py",
        "-k",
        "redis_throttle",
        "-rs",
        STEM_TEST_DATABASE="sqlite",
        STEM_REQUIRE_ALL_BACKENDS="1",
        STEM_TEST_REDIS_URL=NO_REDIS,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "skipped" not in done.stdout
    assert set(Path(tempfile.gettempdir()).glob("stem-redis-*")) == before
