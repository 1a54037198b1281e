"""`make test` tells the truth about what ran (issue 23, item 4): a PostgreSQL run without a
server starts a throw-away cluster of its own; where it cannot, a whole run stops with one
instruction, and a partial run lists what it skipped and why. Each case runs the suite's own
conftest in a separate pytest, on one small test file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOBODY = "postgresql+psycopg://postgres@127.0.0.1:9/postgres"  # the discard port: nothing answers


def run_suite(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("STEM_", "COV_", "COVERAGE"))}
    environment |= {"STEM_TEST_DATABASE": "postgresql", "STEM_TEST_POSTGRES_URL": NOBODY} | env
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_health.py"],
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
