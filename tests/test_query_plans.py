"""The queries behind the journal list and the clinician's preparation view use indexes.

The SQL is captured from the real endpoints (a before_cursor_execute listener), then each SELECT
is explained with its own parameters: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL. On
PostgreSQL the tables hold enough rows (seeded in bulk as `bench.seed` does) and are ANALYZEd,
so the plan is the one the planner really picks, not one forced by switching scans off.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from app.accounts.passwords import hash_password
from app.db import get_engine
from app.models.types import utcnow
from bench.seed import Generator, Plan, RowProcessor, writer_for
from tests.factories import PASSWORD

# Tables that grow with the number of entries, participants or reads: never read in full.
GROWING = (
    "entries",
    "shares",
    "entry_responses",
    "entry_reads",
    "appointments",
    "agenda_items",
    "audit_events",
    "team_memberships",
    "users",
)


def seed_realistic_data() -> dict[str, Any]:
    """200 participants x 250 entries (60% of them shared) in 10 teams of 3 clinicians, with
    replies, reads, appointments and agendas: enough rows for PostgreSQL's planner to choose
    as it would in production."""
    plan = Plan(participants=200, entries_per=250, clinicians=30, teams=10, sample=200, share_rate=0.6)
    engine = get_engine()
    generator = Generator(plan, hash_password(PASSWORD), utcnow())
    processor = RowProcessor(engine)
    writer = writer_for(engine)
    writer.write(processor.batch(generator.staff()))
    generator.processor = processor
    participant = None
    shared: set[Any] = set()
    clinician_ids = list(generator.shared_with)
    for bounds in generator.participant_ranges():
        part = generator.participants(*bounds)
        writer.write(part.tables)
        participant = participant or part.sampled[0]
        shared |= part.shared_with.get(clinician_ids[0], set())
    clinician = next(c for team in generator.teams for c in team.clinicians if c["id"] == clinician_ids[0])
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    # SQLite reads its statistics when a connection opens: start from fresh connections.
    engine.dispose()
    assert participant is not None and shared
    if engine.dialect.name == "postgresql":
        # the tables that matter most are big enough for the planner's choice to mean something
        assert {"entries", "shares", "entry_reads", "entry_responses"} <= big_tables(), big_tables()
    return {"participant": participant, "clinician": clinician, "shown": sorted(shared)[0]}


@contextmanager
def captured_selects() -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, executemany):  # type: ignore[no-untyped-def]
        if not executemany and statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan_of(statement: str, parameters: Any) -> str:
    engine = get_engine()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            # The planner costs of an SSD (README, "Deployment"): with the default of 4 (a
            # spinning disk) a 100-id IN list reads a small table in full, which is what it should
            # then do, but which says nothing about the indexes.
            cursor.execute("SET random_page_cost = 1.1")
            cursor.execute("EXPLAIN " + statement, parameters)
            return "\n".join(str(row[0]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()


def full_scans(plan: str, statement: str = "") -> list[str]:
    """The growing tables this plan reads in full (a SQLite SCAN, a PostgreSQL Seq Scan).

    An index walked in its own order and stopped by a LIMIT (the audit chain's head: ORDER BY
    seq DESC LIMIT 1) reads only the rows it returns: SQLite calls that a SCAN too."""
    names = "|".join(GROWING)
    walked_in_order = "LIMIT" in statement.upper() and "TEMP B-TREE" not in plan.upper()
    sqlite = [
        table
        for table, index in re.findall(rf"\bSCAN ({names})\b( USING (?:COVERING )?INDEX)?", plan)
        if not (index and walked_in_order)
    ]
    postgres = [table for table in re.findall(rf"Seq Scan on ({names})\b", plan) if table in big_tables()]
    return sorted(set(sqlite + postgres))


# On PostgreSQL a sequential read of a table of a few pages is the planner's right choice, and
# says nothing about a big table: only tables at least this big in the seeded data are judged.
MIN_PAGES = 16


def big_tables() -> set[str]:
    """PostgreSQL: the growing tables of at least MIN_PAGES pages (per ANALYZE)."""
    raw = get_engine().raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relpages >= %(pages)s", {"pages": MIN_PAGES}
        )
        return {row[0] for row in cursor.fetchall()} & set(GROWING)
    finally:
        raw.rollback()
        raw.close()


def explain_endpoint(client: Any, path: str) -> list[tuple[str, str]]:
    client.get(path)  # warm-up: a first request may refresh the session
    with captured_selects() as statements:
        response = client.get(path)
    assert response.status_code == 200, response.text
    assert statements, "no SELECT was captured"
    return [(statement, plan_of(statement, parameters)) for statement, parameters in statements]


def login_as(client: Any, username: str) -> None:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


def assert_indexed(path: str, plans: list[tuple[str, str]]) -> None:
    problems = [
        f"{', '.join(scans)} read in full by:\n{statement}\nplan:\n{plan}"
        for statement, plan in plans
        if (scans := full_scans(plan, statement))
    ]
    assert not problems, f"GET {path}:\n" + "\n\n".join(problems)


def test_journal_and_preparation_queries_use_indexes(client_factory):  # type: ignore[no-untyped-def]
    seeded = seed_realistic_data()  # once, for all four pages: seeding is most of the time

    # The check itself can fail: a query on an unindexed column is reported.
    unindexed = "SELECT id FROM entries WHERE create_digest = 'x'"
    assert full_scans(plan_of(unindexed, {} if get_engine().dialect.name == "postgresql" else ())) == [
        "entries"
    ]

    participant, clinician = client_factory(), client_factory()
    login_as(participant, seeded["participant"]["username"])
    login_as(clinician, seeded["clinician"]["username"])
    shown = seeded["shown"]
    for client, path in (
        (participant, "/api/v1/entries?limit=50"),
        (participant, "/journal"),
        (clinician, f"/api/v1/clinician/participants/{shown}/entries"),
        (clinician, f"/clinician/participants/{shown}"),
    ):
        assert_indexed(path, explain_endpoint(client, path))
