"""Bulk seeding of realistic data for benchmarks: `.venv/bin/python -m bench.seed [--scale large]`.

Writes straight into the database named by the usual settings (STEM_DATABASE_URL, or the SQLite
file in STEM_DATA_DIR), migrating it first if needed. Rows go in as bulk inserts, one transaction
per batch: SQLAlchemy Core executemany on SQLite, COPY on PostgreSQL. Every value passes through
its column type's own bind processing, so free text is sealed by app.crypto exactly as when the
app writes it, and enum, UUID and time columns are stored in the app's form.

Refuses a database that already has users: seed a fresh one.
"""

import argparse
import bisect
import json
import multiprocessing
import random
import resource
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select

from bench.texts import entry_body, participant_note, person_name, reply_body

DEFAULT_MANIFEST = Path("bench/results/manifest.json")
DEFAULT_PASSWORD = "bench seed passphrase 2026"  # benchmark data, printed on purpose
# Entries per transaction: large enough to amortise commits, small enough to keep memory flat.
BATCH_ENTRIES = 20_000

SCALES = {"default": (1_000, 200), "large": (10_000, 100)}

Row = dict[str, Any]
Column = tuple[str, Callable[[Any], Any] | None]


@dataclass(frozen=True)
class Plan:
    participants: int
    entries_per: int
    clinicians: int = 100
    teams: int = 20
    sample: int = 200
    share_rate: float = 0.2
    seed: int = 7
    password: str = DEFAULT_PASSWORD


@dataclass
class Team:
    id: uuid.UUID
    clinicians: list[Row] = field(default_factory=list)


@dataclass
class Totals:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- writing ------------------------------------------------------------------------------


def _tables() -> dict[str, Table]:
    import app.models  # noqa: F401  (every table on the metadata)
    from app.db import metadata

    return dict(metadata.tables)


class RowProcessor:
    """Turns row dicts into tuples of driver values with each column type's bind processor: the
    work an INSERT by the app does to each value (EncryptedText's encryption included)."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self.tables = _tables()
        self._columns: dict[str, list[Column]] = {}

    def columns(self, name: str) -> list[Column]:
        if name not in self._columns:
            self._columns[name] = [
                (column.name, column.type.bind_processor(self.dialect))
                for column in self.tables[name].columns
            ]
        return self._columns[name]

    def batch(self, tables: list[tuple[str, list[Row]]]) -> "Batch":
        result = []
        for name, rows in tables:
            columns = self.columns(name)
            values = [
                tuple(process(row[column]) if process else row[column] for column, process in columns)
                for row in rows
            ]
            result.append((name, [column for column, _ in columns], values))
        return result


# (table, column names, rows of driver values), written in this order in one transaction
Batch = list[tuple[str, list[str], list[tuple[Any, ...]]]]


class BulkWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.totals = Totals()

    def write(self, batch: Batch) -> None:
        raise NotImplementedError

    def _count(self, batch: Batch) -> None:
        for name, _columns, rows in batch:
            self.totals.add(name, len(rows))


class SqliteWriter(BulkWriter):
    """executemany through SQLAlchemy Core's connection, a transaction per batch."""

    def write(self, batch: Batch) -> None:
        with self.engine.begin() as connection:
            # A bigger page cache for the random-order primary keys; this connection only.
            connection.exec_driver_sql("PRAGMA cache_size = -262144")
            for name, columns, rows in batch:
                if rows:
                    names = ", ".join(f'"{column}"' for column in columns)
                    marks = ", ".join("?" for _ in columns)
                    connection.exec_driver_sql(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
        self._count(batch)


class PostgresCopyWriter(BulkWriter):
    """COPY ... FROM STDIN through psycopg, a transaction per batch."""

    def write(self, batch: Batch) -> None:
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for name, columns, rows in batch:
                if not rows:
                    continue
                names = ", ".join(f'"{column}"' for column in columns)
                with cursor.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
                    for values in rows:
                        copy.write_row(values)
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        self._count(batch)


def writer_for(engine: Engine) -> BulkWriter:
    if engine.dialect.name == "postgresql":
        return PostgresCopyWriter(engine)
    return SqliteWriter(engine)


# --- generating ---------------------------------------------------------------------------


Weighted = tuple[list[Any], list[float]]


def weighted(*pairs: tuple[Any, float]) -> Weighted:
    values, total, bounds = [], 0.0, []
    for value, weight in pairs:
        total += weight
        values.append(value)
        bounds.append(total)
    return values, [bound / total for bound in bounds]


def pick(rng: random.Random, table: Weighted) -> Any:
    values, bounds = table
    return values[bisect.bisect(bounds, rng.random())]


@dataclass
class ParticipantBatch:
    tables: Batch
    sampled: list[dict[str, Any]]
    shared_with: dict[uuid.UUID, set[uuid.UUID]]
    reads: list[tuple[datetime, uuid.UUID, uuid.UUID, uuid.UUID]]
    user_ids: list[uuid.UUID]


class Generator:
    def __init__(self, plan: Plan, password_hash: str, now: datetime) -> None:
        from app.journal.schemas import EntryCreate
        from app.journal.service import _create_digest
        from app.models.enums import (
            Discipline,
            EntryKind,
            GoalStatus,
            Importance,
            Outcome,
            ParticipantView,
            ResponseKind,
            Topic,
        )

        self.plan = plan
        self.rng = random.Random(f"{plan.seed}:staff")
        self.password_hash = password_hash
        self.now = now
        self._digest = _create_digest
        self._entry_create = EntryCreate
        self.Discipline, self.EntryKind, self.GoalStatus = Discipline, EntryKind, GoalStatus
        self.Importance, self.Outcome, self.ParticipantView = Importance, Outcome, ParticipantView
        self.ResponseKind, self.Topic = ResponseKind, Topic
        kinds = EntryKind
        self.kinds = weighted(
            (kinds.thought, 35),
            (kinds.feeling, 25),
            (kinds.disagreement, 10),
            (kinds.question, 18),
            (kinds.goal, 12),
        )
        self.importances = weighted((Importance.low, 15), (Importance.normal, 70), (Importance.high, 15))
        self.goal_statuses = weighted(
            (GoalStatus.active, 70), (GoalStatus.achieved, 20), (GoalStatus.let_go, 10)
        )
        self.response_kinds = weighted(
            (ResponseKind.seen, 40), (ResponseKind.reply, 45), (ResponseKind.discussed, 15)
        )
        self.teams: list[Team] = []
        self.sample_every = max(1, plan.participants // max(1, plan.sample))
        self.sampled: list[dict[str, Any]] = []
        # clinician id -> participant ids who shared something that clinician can see
        self.shared_with: dict[uuid.UUID, set[uuid.UUID]] = {}
        # (when, clinician id, participant id, entry id): the audit log's record of each read
        self.reads: list[tuple[datetime, uuid.UUID, uuid.UUID, uuid.UUID]] = []
        self.user_ids: list[uuid.UUID] = []
        self.processor: RowProcessor | None = None

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(seconds=self.rng.random() * days * 86400)

    def _user(self, username: str, role: str, *, discipline: Any = None, locale: str = "en") -> Row:
        created = self.now - timedelta(days=200 + self.rng.random() * 30)
        self.user_ids.append(user_id := self.new_id())
        return {
            "id": user_id,
            "username": username,
            "display_name": person_name(self.rng),
            "password_hash": self.password_hash,
            "role": role,
            "discipline": discipline,
            "locale": locale,
            "time_zone": "Europe/Amsterdam",
            "is_active": True,
            "created_at": created,
            "password_changed_at": created,
        }

    def staff(self) -> list[tuple[str, list[Row]]]:
        """Teams, clinicians (disciplines mixed) and their memberships."""
        disciplines = list(self.Discipline)
        teams, users, memberships = [], [], []
        for number in range(1, self.plan.teams + 1):
            team = Team(id=self.new_id())
            self.teams.append(team)
            teams.append(
                {
                    "id": team.id,
                    "name": f"Bench team {number:03d}",
                    "created_at": self.ago(240),
                    "help_phone": "020 123 4567" if number % 2 else None,
                    "help_hours": "Monday to Friday, 8:30 to 17:00" if number % 2 else None,
                    "reading_habit": None,
                }
            )
        for number in range(self.plan.clinicians):
            team = self.teams[number % len(self.teams)]
            discipline = disciplines[number % len(disciplines)]
            locale = "nl" if self.rng.random() < 0.6 else "en"
            user = self._user(f"c{number + 1:04d}", "clinician", discipline=discipline, locale=locale)
            user["team_id"] = team.id
            team.clinicians.append(user)
            users.append(user)
            memberships.append(
                {
                    "team_id": team.id,
                    "user_id": user["id"],
                    "member_role": "clinician",
                    "joined_at": user["created_at"],
                }
            )
        for user in users:
            self.shared_with[user["id"]] = set()
        users_rows = [{k: v for k, v in user.items() if k != "team_id"} for user in users]
        return [("care_teams", teams), ("users", users_rows), ("team_memberships", memberships)]

    def participant_ranges(self) -> list[tuple[int, int]]:
        per_batch = max(1, BATCH_ENTRIES // max(1, self.plan.entries_per))
        return [
            (start, min(self.plan.participants, start + per_batch))
            for start in range(0, self.plan.participants, per_batch)
        ]

    def participants(self, start: int, stop: int) -> "ParticipantBatch":
        """Participants start..stop-1 with all they wrote and what came of it. Random from a seed
        of its own, so batches made in any order and in any process give the same data."""
        self.rng = random.Random(f"{self.plan.seed}:{start}")
        self.sampled, self.reads, self.user_ids = [], [], []
        self.shared_with = {clinician_id: set() for clinician_id in self.shared_with}
        tables = self._participants(start, stop)
        return ParticipantBatch(
            tables=self.processor.batch(tables) if self.processor else [],
            sampled=self.sampled,
            shared_with={k: v for k, v in self.shared_with.items() if v},
            reads=self.reads,
            user_ids=self.user_ids,
        )

    def _participants(self, start: int, stop: int) -> list[tuple[str, list[Row]]]:
        tables: dict[str, list[Row]] = {
            name: []
            for name in (
                "users",
                "team_memberships",
                "entries",
                "shares",
                "entry_responses",
                "entry_reads",
                "appointments",
                "agenda_items",
            )
        }
        for number in range(start, stop):
            self._participant(number, tables)
        return list(tables.items())

    def _participant(self, number: int, out: dict[str, list[Row]]) -> None:
        rng = self.rng
        team = self.teams[number % len(self.teams)]
        locale = "nl" if rng.random() < 0.55 else "en"
        user = self._user(f"p{number + 1:06d}", "participant", locale=locale)
        pid = user["id"]
        out["users"].append(user)
        out["team_memberships"].append(
            {
                "team_id": team.id,
                "user_id": pid,
                "member_role": "participant",
                "joined_at": user["created_at"],
            }
        )
        unshared: list[uuid.UUID] = []
        # entries this participant's clinicians may see, per clinician id (for agendas)
        visible_to: dict[uuid.UUID, list[uuid.UUID]] = {c["id"]: [] for c in team.clinicians}
        for _ in range(self.plan.entries_per):
            entry = self._entry(pid, team, locale)
            out["entries"].append(entry)
            shared = rng.random() < self.plan.share_rate
            if not shared:
                if entry["deleted_at"] is None and len(unshared) < 10:
                    unshared.append(entry["id"])
                continue
            self._share(entry, pid, team, locale, out, visible_to)
        self._appointments(pid, team, out, visible_to)
        if number % self.sample_every == 0 and number // self.sample_every < self.plan.sample:
            self.sampled.append(
                {
                    "username": user["username"],
                    "id": str(pid),
                    "team_id": str(team.id),
                    "locale": locale,
                    "unshared_entry_ids": [str(i) for i in unshared],
                }
            )

    def _entry(self, pid: uuid.UUID, team: Team, locale: str) -> Row:
        rng, kinds = self.rng, self.EntryKind
        kind = pick(rng, self.kinds)
        created = self.ago(182)
        topic = rng.choice(list(self.Topic)) if rng.random() < 0.6 else None
        about_discipline = about_clinician = None
        if kind == kinds.disagreement:
            if rng.random() < 0.5:
                about_clinician = rng.choice(team.clinicians)["id"]
            else:
                about_discipline = rng.choice(list(self.Discipline))
        importance = pick(rng, self.importances)
        raise_next = rng.random() < (0.5 if kind == kinds.question else 0.08)
        intensity = rng.randint(0, 10) if kind == kinds.feeling else None
        goal_status = pick(rng, self.goal_statuses) if kind == kinds.goal else None
        body = entry_body(rng, kind, locale)
        # model_construct: the values are already valid, and validating a million bodies
        # character by character would take minutes; the digest is the app's own function.
        digest = self._digest(
            self._entry_create.model_construct(
                kind=kind,
                body=body,
                topic=topic,
                about_discipline=about_discipline,
                about_clinician_id=about_clinician,
                importance=importance,
                raise_next_session=raise_next,
                intensity=intensity,
                goal_status=goal_status,
                written_at=created,
                id=None,
            )
        )
        version, updated, deleted = 1, created, None
        if rng.random() < 0.1:  # edited later
            version += 1
            updated = min(self.now, created + timedelta(hours=rng.random() * 72))
        if rng.random() < 0.03:  # in the trash, within its 30 days
            deleted = max(updated + timedelta(minutes=1), self.ago(25))
            deleted = min(deleted, self.now)
            version += 1
        return {
            "id": self.new_id(),
            "author_id": pid,
            "kind": kind,
            "body": body,
            "topic": topic,
            "about_discipline": about_discipline,
            "about_clinician_id": about_clinician,
            "appointment_id": None,
            "importance": importance,
            "raise_next_session": raise_next,
            "intensity": intensity,
            "goal_status": goal_status,
            "goal_note": None,
            "goal_rank": None,
            "version": version,
            "create_digest": digest,
            "created_at": created,
            "updated_at": updated,
            "deleted_at": deleted,
        }

    def _later(self, moment: datetime, max_days: float) -> datetime:
        return min(self.now, moment + timedelta(seconds=self.rng.random() * max_days * 86400))

    def _share(
        self,
        entry: Row,
        pid: uuid.UUID,
        team: Team,
        locale: str,
        out: dict[str, list[Row]],
        visible_to: dict[uuid.UUID, list[uuid.UUID]],
    ) -> None:
        rng = self.rng
        shared_at = self._later(entry["created_at"], 2)
        to_team = rng.random() < 0.65
        clinician = None if to_team else rng.choice(team.clinicians)
        revoked = self._later(shared_at, 10) if rng.random() < 0.08 else None
        out["shares"].append(
            {
                "id": self.new_id(),
                "entry_id": entry["id"],
                "story_id": None,
                "participant_id": pid,
                "audience": "team" if to_team else "clinician",
                "clinician_id": clinician["id"] if clinician else None,
                "team_id": team.id if to_team else None,
                "created_at": shared_at,
                "revoked_at": revoked,
            }
        )
        if revoked is not None or entry["deleted_at"] is not None:
            return
        readers = team.clinicians if to_team else [clinician]
        for reader in readers:
            assert reader is not None
            visible_to[reader["id"]].append(entry["id"])
            self.shared_with[reader["id"]].add(pid)
        # read marks (and the access log a read leaves) by some of the clinicians who can see it
        for reader in readers:
            assert reader is not None
            if rng.random() < (0.35 if to_team else 0.6):
                opened = self._later(shared_at, 7)
                out["entry_reads"].append(
                    {
                        "clinician_id": reader["id"],
                        "entry_id": entry["id"],
                        "first_opened_at": opened,
                        "last_opened_at": opened,
                    }
                )
                self.reads.append((opened, reader["id"], pid, entry["id"]))
        if rng.random() < 0.35:
            self._response(entry, rng.choice(readers), locale, shared_at, out)

    def _response(
        self, entry: Row, clinician: Row | None, locale: str, after: datetime, out: dict[str, list[Row]]
    ) -> None:
        assert clinician is not None
        rng, kinds = self.rng, self.ResponseKind
        kind = pick(rng, self.response_kinds)
        outcome = view = note = viewed_at = None
        if kind == kinds.discussed and entry["kind"] in (self.EntryKind.disagreement, self.EntryKind.goal):
            outcome = rng.choice(list(self.Outcome))
            if rng.random() < 0.5:
                view = rng.choice(list(self.ParticipantView))
                note = participant_note(rng, locale) if rng.random() < 0.5 else None
        created = self._later(after, 14)
        if view is not None:
            viewed_at = self._later(created, 3)
        out["entry_responses"].append(
            {
                "id": self.new_id(),
                "entry_id": entry["id"],
                "clinician_id": clinician["id"],
                "kind": kind,
                "body": reply_body(rng, locale) if kind == kinds.reply else None,
                "outcome": outcome,
                # a goal's outcome is about its wording; the seeder never rewords one
                "goal_wording": 1 if outcome is not None and entry["kind"] == self.EntryKind.goal else None,
                "created_at": created,
                "from_participant": False,
                "participant_view": view,
                "participant_note": note,
                "participant_viewed_at": viewed_at,
            }
        )

    def _appointments(
        self,
        pid: uuid.UUID,
        team: Team,
        out: dict[str, list[Row]],
        visible_to: dict[uuid.UUID, list[uuid.UUID]],
    ) -> None:
        rng = self.rng
        clinician = rng.choice(team.clinicians)
        past = self.now - timedelta(days=1 + rng.random() * 60)
        out["appointments"].append(self._appointment(pid, clinician["id"], past))
        if rng.random() < 0.6:
            upcoming = self.now + timedelta(days=1 + rng.random() * 21)
            clinician = rng.choice(team.clinicians)
            appointment = self._appointment(pid, clinician["id"], upcoming)
            out["appointments"].append(appointment)
            candidates = visible_to[clinician["id"]]
            chosen = rng.sample(candidates, min(len(candidates), rng.randint(0, 4)))
            for position, entry_id in enumerate(chosen, start=1):
                out["agenda_items"].append(
                    {
                        "appointment_id": appointment["id"],
                        "entry_id": entry_id,
                        "position": position,
                        "important": rng.random() < 0.3,
                    }
                )

    def _appointment(self, pid: uuid.UUID, clinician_id: uuid.UUID, starts: datetime) -> Row:
        rng = self.rng
        return {
            "id": self.new_id(),
            "participant_id": pid,
            "clinician_id": clinician_id,
            "starts_at": starts.replace(minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0),
            "created_by_id": pid if rng.random() < 0.5 else clinician_id,
            "created_at": min(self.now, starts) - timedelta(days=rng.random() * 14),
        }

    def audit_batches(self, size: int = BATCH_ENTRIES) -> Iterator[list[tuple[str, list[Row]]]]:
        """Every user's audit pseudonym, then the clinicians' reads as one hash chain in time
        order, hashed by the audit service's own digest (so `stem audit verify` passes)."""
        from app.audit.service import GENESIS, _digest
        from app.models import AuditEvent
        from app.sharing.repository import READ_VIA_PREPARATION

        self.rng = random.Random(f"{self.plan.seed}:audit")
        refs = {user_id: f"{self.rng.getrandbits(128):032x}" for user_id in self.user_ids}
        people = [{"ref": ref, "user_id": user_id} for user_id, ref in refs.items()]
        for start in range(0, len(people), size):
            yield [("audit_people", people[start : start + size])]
        self.reads.sort(key=lambda read: read[0])
        prev_hash, rows = GENESIS, []
        for seq, (when, clinician_id, participant_id, entry_id) in enumerate(self.reads, start=1):
            event = SimpleNamespace(
                seq=seq,
                occurred_at=when.replace(microsecond=0),
                actor_ref=refs[clinician_id],
                actor_role="clinician",
                subject_ref=refs[participant_id],
                action=READ_VIA_PREPARATION,
                target=str(entry_id),
                client_address=None,
                outcome="ok",
                prev_hash=prev_hash,
                hash="",
            )
            event.hash = prev_hash = _digest(cast(AuditEvent, event))
            rows.append(vars(event))
            if len(rows) >= size:
                yield [("audit_events", rows)]
                rows = []
        if rows:
            yield [("audit_events", rows)]

    def manifest_clinicians(self) -> list[dict[str, Any]]:
        return [
            {
                "username": clinician["username"],
                "id": str(clinician["id"]),
                "team_id": str(team.id),
                "discipline": clinician["discipline"].value,
                "shared_participant_ids": sorted(str(p) for p in self.shared_with[clinician["id"]]),
            }
            for team in self.teams
            for clinician in team.clinicians
        ]


# --- running ------------------------------------------------------------------------------


def prepare_database(database_url: str) -> Engine:
    """The app's engine on an up-to-date schema (the same migration code as `stem migrate`)."""
    from app.db import build_engine
    from app.schema_migrations import current_revision, head_revision, upgrade_to_head

    engine = build_engine(database_url)
    if current_revision(engine) != head_revision():
        upgrade_to_head(database_url)
    return engine


def _cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes (not the database server's)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_generator: "Generator | None" = None  # the forked workers' copy


def _make_batch(bounds: tuple[int, int]) -> ParticipantBatch:
    assert _generator is not None
    return _generator.participants(*bounds)


def _participant_batches(generator: "Generator", workers: int) -> Iterator[ParticipantBatch]:
    """Made by forked worker processes (generating, sealing and hashing is most of the work)
    while this process writes; in order, so the result does not depend on the worker count."""
    global _generator
    ranges = generator.participant_ranges()
    if workers <= 1:
        for bounds in ranges:
            yield generator.participants(*bounds)
        return
    _generator = generator
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_make_batch, ranges)
    _generator = None


class _NoProgress:
    def advance(self, amount: int = 1) -> None:
        pass

    def set_total(self, total: int | None) -> None:
        pass


def seed(
    plan: Plan, manifest_path: Path | None = DEFAULT_MANIFEST, *, workers: int = 2, quiet: bool = False
) -> dict[str, Any]:
    from app.accounts.passwords import hash_password
    from app.config import get_settings
    from app.crypto import cipher
    from app.models import User
    from app.models.types import utcnow
    from app.progress import progress

    settings = get_settings()
    engine = prepare_database(settings.database_url)
    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(User.__table__)).scalar_one():  # type: ignore[attr-defined]
            raise SystemExit(
                "This database already has users: seed a fresh one (benchmarks need known data)."
            )
    cipher()  # load (or, outside production, create) the keys before the clock starts
    password_hash = hash_password(plan.password)

    started, cpu_started = time.perf_counter(), _cpu_seconds()
    generator = Generator(plan, password_hash, utcnow())
    processor = RowProcessor(engine)
    writer = writer_for(engine)
    writer.write(processor.batch(generator.staff()))
    staff_ids = list(generator.user_ids)
    generator.processor = processor
    sampled: list[dict[str, Any]] = []
    reads: list[tuple[datetime, uuid.UUID, uuid.UUID, uuid.UUID]] = []
    shared_with = generator.shared_with
    participant_ids: list[uuid.UUID] = []
    # Progress on stderr (stdout's lines are read by bench.scale). An interrupted seeding is not
    # resumed: seed again into a fresh database (it refuses one that has users).
    shown = nullcontext(_NoProgress()) if quiet else progress("seed (participants)", plan.participants)
    with shown as tracker:
        for part in _participant_batches(generator, workers):
            writer.write(part.tables)
            sampled += part.sampled
            reads += part.reads
            participant_ids += part.user_ids
            for clinician_id, participants in part.shared_with.items():
                shared_with[clinician_id] |= participants
            tracker.advance(len(part.user_ids))
    generator.sampled, generator.reads = sampled, reads
    generator.user_ids, generator.shared_with = staff_ids + participant_ids, shared_with
    for batch in generator.audit_batches():
        writer.write(processor.batch(batch))
    with engine.connect() as connection:  # planner statistics, as the server's housekeeping keeps them
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    seconds = time.perf_counter() - started
    cpu_seconds = _cpu_seconds() - cpu_started
    engine.dispose()

    totals = writer.totals
    result = {
        "database": engine.dialect.name,
        "participants": plan.participants,
        "entries_per": plan.entries_per,
        "entries": totals.rows.get("entries", 0),
        "rows": totals.total,
        "rows_per_table": totals.rows,
        "seconds": round(seconds, 2),
        "cpu_seconds_in_seeder": round(cpu_seconds, 2),
        "rows_per_second": round(totals.total / seconds) if seconds else None,
    }
    if manifest_path is not None:
        manifest = {
            "password": plan.password,
            "seed": result,
            "participants": generator.sampled,
            "clinicians": generator.manifest_clinicians(),
        }
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    if not quiet:
        print(f"Password for every seeded account: {plan.password!r}")
        print(
            f"seeded {result['rows']} rows ({result['entries']} entries) into {result['database']} "
            f"in {result['seconds']} s: {result['rows_per_second']} rows/s "
            f"(seeder CPU {result['cpu_seconds_in_seeder']} s)"
        )
        if manifest_path is not None:
            print(f"manifest: {manifest_path}")
    return result


def parse_args(argv: list[str] | None) -> tuple[Plan, Path | None, int]:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--participants", type=int, help="overrides the scale's participant count")
    parser.add_argument("--entries-per", type=int, help="entries per participant; overrides the scale")
    parser.add_argument("--clinicians", type=int, default=100)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--sample", type=int, default=200, help="participants listed in the manifest")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--workers", type=int, default=2, help="generating processes (1: none)")
    args = parser.parse_args(argv)
    participants, entries_per = SCALES[args.scale]
    if args.teams < 1 or args.clinicians < args.teams:
        parser.error("every team needs at least one clinician: --clinicians >= --teams >= 1")
    plan = Plan(
        participants=args.participants if args.participants is not None else participants,
        entries_per=args.entries_per if args.entries_per is not None else entries_per,
        clinicians=args.clinicians,
        teams=args.teams,
        sample=args.sample,
        seed=args.seed,
        password=args.password,
    )
    return plan, args.manifest, args.workers


def main(argv: list[str] | None = None) -> int:
    plan, manifest, workers = parse_args(argv)
    seed(plan, manifest, workers=workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
