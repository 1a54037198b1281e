"""One database per test run, built with `alembic upgrade head`; every test starts from empty tables.

Backend: STEM_TEST_DATABASE=sqlite (default) or postgresql. For PostgreSQL the run creates a
uniquely named database on the server at STEM_TEST_POSTGRES_URL and drops it at the end.
Where that server cannot be reached but PostgreSQL's programs are installed, the run starts a
throw-away cluster of its own (tests/postgres_cluster.py). Otherwise the PostgreSQL run is
skipped with the reason, unless STEM_REQUIRE_ALL_BACKENDS=1 (`make test`, CI), which stops it
with one instruction. The run ends with a summary of whatever did not run, and why.
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Settings are read from the environment once: set them before anything imports the app.
# In memory where the machine offers a tmpfs (/dev/shm on Linux): the SQLite run's many small
# commits then cost no disk flushes. Same files, same code paths, only faster storage.
_SHM = Path("/dev/shm")  # noqa: S108 (mkdtemp below: a fresh 0700 directory of our own)
_TEMP = Path(
    tempfile.mkdtemp(prefix="stem-tests-", dir=_SHM if _SHM.is_dir() and os.access(_SHM, os.W_OK) else None)
)
os.environ["STEM_DATA_DIR"] = str(_TEMP)
os.environ.setdefault("STEM_MODE", "development")
os.environ["STEM_SECRET_KEY"] = "test-secret-key-that-is-long-enough-for-hmac-0123456789"
os.environ["STEM_PUBLIC_BASE_URL"] = "http://testserver"
os.environ["STEM_REDIS_URL"] = ""
# No background sweep in the app under test: each client's start would otherwise purge and
# ANALYZE while a test arranges its own rows (a test of the trash saw its entry purged under it).
# tests/test_maintenance.py runs the housekeeping itself.
os.environ["STEM_HOUSEKEEPING"] = "false"
# argon2id with a smaller memory cost: the real algorithm, faster for hundreds of logins.
os.environ["STEM_ARGON2_MEMORY_KIB"] = "8192"
os.environ["STEM_ARGON2_TIME_COST"] = "1"
os.environ["STEM_ARGON2_PARALLELISM"] = "1"

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

BACKEND = os.environ.get("STEM_TEST_DATABASE", "sqlite")
REQUIRE_ALL = os.environ.get("STEM_REQUIRE_ALL_BACKENDS") == "1"
POSTGRES_SERVER = os.environ.get(
    "STEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_admin_url() -> str:
    url = make_url(POSTGRES_SERVER)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _create_postgres_database() -> str:
    name = f"stem_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A throw-away database: a commit need not wait for the disk (a crash loses only
            # the last moments of a test run, never consistency).
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()
    return make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


_POSTGRES_URL: str | None = None
_POSTGRES_PROBLEM: str | None = None
_CLUSTER = None
if BACKEND == "postgresql":
    try:
        _POSTGRES_URL = _create_postgres_database()
    except Exception as error:  # no server answers: start one of our own, or say why not
        from tests import postgres_cluster

        unreachable = f"PostgreSQL at {POSTGRES_SERVER} is not reachable ({type(error).__name__})"
        if os.environ.get("STEM_TEST_OWN_CLUSTER", "1") == "1":
            _CLUSTER, why_not = postgres_cluster.start()
        else:
            why_not = "STEM_TEST_OWN_CLUSTER=0 asks for no cluster of the suite's own"
        if _CLUSTER is None:
            _POSTGRES_PROBLEM = f"{unreachable}, and {why_not}"
        else:
            POSTGRES_SERVER = _CLUSTER.url
            _POSTGRES_URL = _create_postgres_database()
    if _POSTGRES_URL:
        os.environ["STEM_DATABASE_URL"] = _POSTGRES_URL
else:
    os.environ["STEM_DATABASE_URL"] = f"sqlite:///{_TEMP / 'stem-test.db'}"


# What to do when a whole part of the suite cannot run here.
INSTALL_HINT = "install what the tests need with `make debian-packages` (as root)"


def pytest_report_header() -> list[str]:
    if _POSTGRES_PROBLEM:
        return [f"stem: SKIPPING every test: {_POSTGRES_PROBLEM}"]
    if _CLUSTER is not None:
        return [f"stem: database backend {BACKEND}, a throw-away cluster on port {_CLUSTER.port}"]
    return [f"stem: database backend {BACKEND}"]


# Redis, for the tests of the shared throttle store: found or started once, on first use.
_REDIS: dict[str, object] = {}


def redis_base_url() -> tuple[str | None, str]:
    """(the URL of a Redis for this run, or None; why there is none)."""
    if not _REDIS:
        from tests import redis_server

        url, own, why_not = redis_server.find()
        _REDIS.update(url=url, own=own, why_not=why_not)
    return _REDIS["url"], str(_REDIS["why_not"])  # type: ignore[return-value]


def _missing_here() -> list[str]:
    """What a whole run needs and this machine lacks: PostgreSQL, Chromium, Redis."""
    from tests.browser.conftest import chromium_problem

    missing = [_POSTGRES_PROBLEM] if _POSTGRES_PROBLEM else []
    if problem := chromium_problem():
        missing.append(problem)
    if not redis_base_url()[0]:
        missing.append(redis_base_url()[1])
    return missing


def pytest_collection(session: pytest.Session) -> None:
    """`make test` (STEM_REQUIRE_ALL_BACKENDS=1) on a machine that lacks part of what the suite
    needs stops here, before collecting anything, with one instruction for all of it."""
    if not REQUIRE_ALL or session.config.option.collectonly:
        return
    missing = _missing_here()
    if missing:
        pytest.exit(
            "This machine lacks what part of the suite needs: "
            + "; ".join(missing)
            + f". {INSTALL_HINT[0].upper()}{INSTALL_HINT[1:]}, then run `make test` again; "
            "`make test-sqlite` runs what can run here.",
            returncode=3,
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _POSTGRES_PROBLEM:
        skip = pytest.mark.skip(reason=_POSTGRES_PROBLEM)
        for item in items:
            item.add_marker(skip)
        return
    for item in items:
        if "postgres_only" in item.keywords and BACKEND != "postgresql":
            item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass of make test"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Whatever did not run, counted by reason: "passed" must not hide a skipped half."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if not reasons:
        return
    terminalreporter.section("what did not run, and why")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{count:5d} skipped: {reason}")
    if not REQUIRE_ALL:
        terminalreporter.write_line(f"for a whole run: {INSTALL_HINT}, then `make test`")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from app.db import get_engine

    get_engine().dispose()
    if _POSTGRES_URL:
        _drop_postgres_database(_POSTGRES_URL)
    if _CLUSTER is not None:
        _CLUSTER.stop()
    own_redis = _REDIS.get("own")
    if own_redis is not None:
        own_redis.stop()  # type: ignore[attr-defined]
    # The data directory may be in memory (/dev/shm): leave nothing behind.
    shutil.rmtree(_TEMP, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis for this run (database 15 of it), or a skip with the reason; under `make test` a
    missing Redis has already stopped the run at its start."""
    url, why_not = redis_base_url()
    if url is None:
        pytest.skip(why_not)
    return f"{url}/15"


@pytest.fixture(scope="session")
def database_url() -> str:
    from app.schema_migrations import upgrade_to_head

    url = os.environ["STEM_DATABASE_URL"]
    upgrade_to_head(url)
    return url


@pytest.fixture(autouse=True)
def _empty_tables(database_url: str) -> Iterator[None]:
    yield
    from app.db import get_engine, metadata

    # DELETE, children first, on both databases: on PostgreSQL a TRUNCATE of every table costs
    # ~170 ms a test (it rewrites each table's files), a DELETE of the few rows a test made ~4 ms.
    with get_engine().begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "sqlite":
            # The planner statistics of one test's rows (ANALYZE) are not the next test's.
            has_statistics = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
            ).first()
            if has_statistics:
                connection.exec_driver_sql("DELETE FROM sqlite_stat1")


@pytest.fixture(scope="session")
def app(database_url: str):  # type: ignore[no-untyped-def]
    from app.main import create_app

    return create_app()


@pytest.fixture
def client_factory(app) -> Iterator[Callable[..., "object"]]:  # type: ignore[no-untyped-def]
    """Independent browsers/phones: each client keeps its own cookies."""
    from starlette.testclient import TestClient

    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver") -> TestClient:
        client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(client_factory):  # type: ignore[no-untyped-def]
    return client_factory()


@pytest.fixture
def db():  # type: ignore[no-untyped-def]
    """A session for arranging data and checking what was stored (factories commit).

    Its transactions begin deferred, so a read here never holds SQLite's write lock while
    the app under test writes.
    """
    from app.db import open_session

    with open_session(write=False) as session:
        yield session


# A care team and a participant's entries in every state, for any test that asks for it.
from tests.sharing.conftest import world  # noqa: E402

__all__ = ["world"]
