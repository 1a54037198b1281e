"""The migrations build exactly the models' schema, and walk down to nothing and back up."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import app.models  # noqa: F401
from app.db import build_engine, metadata
from app.schema_migrations import downgrade_to_base, head_revision, upgrade_to_head
from tests.conftest import BACKEND, _postgres_admin_url


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own, so walking the migrations never touches the suite's."""
    if BACKEND != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"stem_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _differences(url: str) -> list[object]:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = build_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_head_builds_exactly_the_models(scratch_database_url: str) -> None:
    upgrade_to_head(scratch_database_url)
    assert _differences(scratch_database_url) == []
    assert _tables(scratch_database_url) == {*metadata.tables, "alembic_version"}


def test_downgrade_to_base_and_up_again(scratch_database_url: str) -> None:
    upgrade_to_head(scratch_database_url)
    downgrade_to_base(scratch_database_url)
    assert _tables(scratch_database_url) <= {"alembic_version"}
    upgrade_to_head(scratch_database_url)
    assert _differences(scratch_database_url) == []


def test_a_model_change_without_migration_is_detected(scratch_database_url: str) -> None:
    """The comparison above can fail: an extra column on a model shows up as a difference."""
    from sqlalchemy import Column, Integer, MetaData

    upgrade_to_head(scratch_database_url)
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("unmigrated", Integer))
    engine = build_engine(scratch_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, changed)
    finally:
        engine.dispose()
    assert any("unmigrated" in str(difference) for difference in differences)


def test_head_is_single() -> None:
    assert head_revision() is not None


def _unkeyed_chain(count: int) -> list[dict[str, object]]:
    """Audit rows as revision 90150c70b841 sealed them: SHA-256, no key."""
    import hashlib
    import json
    from datetime import UTC, datetime, timedelta

    rows, prev = [], "0" * 64
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    for seq in range(1, count + 1):
        row = {
            "seq": seq,
            "occurred_at": start + timedelta(minutes=seq),
            "actor_ref": "a" * 32,
            "actor_role": "participant",
            "subject_ref": "a" * 32,
            "action": "entry.create",
            "target": str(uuid.uuid4()),
            "client_address": "127.0.0.1",
            "outcome": "ok",
            "prev_hash": prev,
        }
        canonical = json.dumps(
            [row["seq"], row["occurred_at"].isoformat(), *list(row.values())[2:]],  # type: ignore[attr-defined]
            separators=(",", ":"),
        )
        row["hash"] = prev = hashlib.sha256(canonical.encode()).hexdigest()
        rows.append(row)
    return rows


@pytest.mark.parametrize("broken_at", [None, 3])
def test_the_upgrade_reseals_the_audit_chain_with_the_key_as_far_as_it_is_intact(
    scratch_database_url: str, broken_at: int | None
) -> None:
    """An existing chain verifies after the upgrade; a break made before it is not hidden by it."""
    from alembic import command
    from sqlmodel import Session, select

    from app.audit.service import verify
    from app.models import AuditEvent
    from app.schema_migrations import alembic_config

    config = alembic_config(scratch_database_url)
    command.upgrade(config, "90150c70b841")
    rows = _unkeyed_chain(6)
    if broken_at is not None:
        rows[broken_at - 1]["outcome"] = "failed"  # changed after sealing
    engine = build_engine(scratch_database_url)
    try:
        with Session(engine) as session:
            session.add_all(AuditEvent(**row) for row in rows)  # type: ignore[arg-type]
            session.commit()
        assert not verify(Session(engine)).ok  # unkeyed rows do not pass the keyed check
        command.upgrade(config, "head")
        with Session(engine) as session:
            result = verify(session)
            if broken_at is None:
                assert result.ok and result.checked == 6
            else:
                assert not result.ok and result.at_seq == broken_at
        command.downgrade(config, "90150c70b841")
        with Session(engine) as session:
            restored = session.exec(select(AuditEvent.hash).order_by(AuditEvent.seq)).all()  # type: ignore[arg-type]
        assert list(restored) == [row["hash"] for row in rows]
    finally:
        engine.dispose()
