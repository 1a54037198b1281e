"""`stem backup` and `stem restore`: a consistent copy while the app serves, and its way back.

SQLite: the online backup API, page by page from one read snapshot (WAL lets the app keep
writing), into a private temporary file that is renamed into place once complete. PostgreSQL:
`pg_dump` in custom format (one snapshot of the whole database), and `pg_restore` into an empty
database. Either way a SHA-256 checksum file goes beside the backup, and the encryption keys
stay out of it: a backup holds the journal text sealed, readable only with keys kept elsewhere.

Both can be interrupted (Ctrl-C) and simply run again: a backup is written under a temporary
name and renamed only when complete; a restore writes a temporary file (SQLite) or one
transaction (PostgreSQL), so an interrupted one leaves the target empty as it was.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.audit.service import Verification, chain_length, verify
from app.config import Settings
from app.crypto import key_file_path
from app.db import build_engine
from app.models import Entry, Share, User
from app.progress import Tracker

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# Pages copied per step of SQLite's backup (4 KiB each): a progress update about every 16 MiB.
SQLITE_PAGES_PER_STEP = 4096
# A write by the app between two steps makes SQLite start the copy again; after this many
# restarts the rest is copied in one step, which holds a read snapshot and never restarts.
SQLITE_MAX_RESTARTS = 3
_CHUNK = 1 << 20

# progress(description, total) → a context manager yielding something to advance.
ProgressFactory = Callable[[str, int | None], AbstractContextManager[Tracker]]


class BackupError(Exception):
    """A backup or restore refused or failed, with a sentence for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    checksum_path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class RestoreResult:
    verification: Verification
    people: int
    entries: int
    shares: int


def keys_notice(settings: Settings) -> str:
    where = "the STEM_ENCRYPTION_KEYS setting" if settings.encryption_keys else str(key_file_path(settings))
    return (
        f"The encryption keys are NOT in the backup; they are in {where}. Keep a copy of them "
        "apart from the backups: without them the journal text in a backup cannot be read."
    )


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


# --- backup -----------------------------------------------------------------------------------


def backup(settings: Settings, target: Path, progress: ProgressFactory) -> BackupResult:
    target = _writable_target(target)
    with _private_temporary(target) as temporary:
        if settings.is_sqlite:
            _sqlite_backup(_sqlite_file(settings.database_url), temporary, progress)
        else:
            _pg_dump(settings.database_url, temporary, progress)
        digest = _sha256(temporary, progress)
        # The checksum first: a backup file is never there without the checksum that vouches for it.
        checksum = checksum_path(target)
        try:
            _write_private(checksum, f"{digest}  {target.name}\n".encode(), exclusive=True)
        except FileExistsError as error:
            raise BackupError(f"{checksum} appeared while the backup ran; it was left alone.") from error
        try:
            os.link(temporary, target)  # unlike a rename, never replaces a file that appeared meanwhile
        except FileExistsError as error:
            checksum.unlink()
            raise BackupError(f"{target} appeared while the backup ran; it was left alone.") from error
    _fsync_directory(target.parent)
    return BackupResult(target, checksum, digest, target.stat().st_size)


def _writable_target(target: Path) -> Path:
    target = target.expanduser().absolute()
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give the path of the backup file to create.")
    for existing in (target, checksum_path(target)):
        if existing.exists():
            raise BackupError(f"{existing} exists already; backups are never overwritten. Choose a new name.")
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist.")
    if not os.access(target.parent, os.W_OK):
        raise BackupError(f"The directory {target.parent} is not writable.")
    return target


@contextmanager
def _private_temporary(target: Path) -> Iterator[Path]:
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield temporary
    finally:
        for leftover in (temporary, *_sqlite_sidecars(temporary)):
            leftover.unlink(missing_ok=True)


def _sqlite_sidecars(path: Path) -> tuple[Path, Path, Path]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))  # type: ignore[return-value]


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory; there is nothing on disk to back up.")
    return Path(database)


class _Restarted(Exception):
    pass


class _PageCounter:
    """SQLite's progress callback: advances the tracker, and notices a restart of the copy."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.copied = 0
        self.remaining: int | None = None

    def __call__(self, _status: int, remaining: int, total: int) -> None:
        self.tracker.set_total(total)
        if self.remaining is not None and remaining > self.remaining:
            raise _Restarted  # the app wrote between two steps: SQLite starts over
        self.remaining = remaining
        self.tracker.advance(total - remaining - self.copied)
        self.copied = total - remaining


def _sqlite_copy(
    source: sqlite3.Connection, destination: sqlite3.Connection, progress: ProgressFactory, what: str
) -> None:
    restarts = 0
    while True:
        pages = SQLITE_PAGES_PER_STEP if restarts < SQLITE_MAX_RESTARTS else -1
        with progress(f"{what} (pages)", None) as tracker:
            try:
                source.backup(destination, pages=pages, progress=_PageCounter(tracker))
                return
            except _Restarted:
                restarts += 1


def _sqlite_backup(database: Path, temporary: Path, progress: ProgressFactory) -> None:
    if not database.exists():
        raise BackupError(f"The database file {database} does not exist.")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    destination = sqlite3.connect(temporary)
    try:
        source.execute("PRAGMA busy_timeout = 30000")
        _sqlite_copy(source, destination, progress, "backup")
        # The copy is a standalone file: no write-ahead log beside it.
        destination.execute("PRAGMA journal_mode = DELETE")
        problem = destination.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"The copy did not pass SQLite's check ({problem}); nothing was kept.")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}") from error
    finally:
        destination.close()
        source.close()
    _fsync_file(temporary)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL in the form libpq tools take, with the password in their environment instead
    of on a command line that `ps` shows."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found; install PostgreSQL's client tools (Debian: postgresql-client) "
            "of the server's major version."
        )
    return found


def _run_with_progress(
    command: list[str], environment: dict[str, str], marker: str, tracker: Tracker
) -> None:
    """Runs a verbose pg_dump/pg_restore, advancing once per table it reports."""
    errors: list[str] = []
    # As a context: the pipe is closed and the tool waited for on every way out (no leaked file).
    with subprocess.Popen(  # noqa: S603 (the PostgreSQL tool found on PATH, no shell)
        command, env=environment, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    ) as process:
        assert process.stderr is not None
        try:
            for line in process.stderr:
                if marker in line:
                    tracker.advance()
                elif "error" in line.lower():
                    errors.append(line.strip())
        except BaseException:  # Ctrl-C: stop the tool too (pg_restore's one transaction rolls back)
            process.kill()
            process.wait()
            raise
        returncode = process.wait()
    if returncode != 0:
        detail = "; ".join(errors[-3:]) or f"exit status {returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {detail}")


def _pg_dump(url: str, temporary: Path, progress: ProgressFactory) -> None:
    libpq_url, environment = _libpq(url)
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            tables = len(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    command = [_tool("pg_dump"), "--format=custom", "--verbose", "--no-owner", "--no-privileges"]
    command += ["--file", str(temporary), "--dbname", libpq_url]
    with progress("backup (tables)", tables) as tracker:
        _run_with_progress(command, environment, "dumping contents of table", tracker)
    _fsync_file(temporary)


def _sha256(path: Path, progress: ProgressFactory) -> str:
    digest = hashlib.sha256()
    with (
        path.open("rb") as stream,
        progress("checksum (MiB)", max(1, -(-path.stat().st_size // _CHUNK))) as tracker,
    ):
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            tracker.advance()
    return digest.hexdigest()


def _write_private(path: Path, content: bytes, *, exclusive: bool = False) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC), 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- restore ----------------------------------------------------------------------------------


def restore(settings: Settings, source: Path, progress: ProgressFactory) -> RestoreResult:
    source = source.expanduser().absolute()
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    _check_checksum(source, progress)
    with source.open("rb") as stream:
        head = stream.read(len(SQLITE_MAGIC))
    if settings.is_sqlite:
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup, and this Stem uses SQLite.")
        _sqlite_restore(source, _sqlite_file(settings.database_url), progress)
    else:
        if not head.startswith(PG_CUSTOM_MAGIC):
            raise BackupError(
                f"{source} is not a PostgreSQL backup (pg_dump -Fc), and this Stem uses PostgreSQL."
            )
        _pg_restore(settings.database_url, source, progress)
    return check_restored(settings.database_url, progress)


def _check_checksum(source: Path, progress: ProgressFactory) -> None:
    beside = checksum_path(source)
    if not beside.is_file():
        raise BackupError(f"The checksum file {beside} is missing; it is written beside every backup.")
    expected = (
        beside.read_text(encoding="utf-8").split()[0] if beside.read_text(encoding="utf-8").split() else ""
    )
    if _sha256(source, progress) != expected:
        raise BackupError(
            f"{source} does not match its checksum in {beside}: the file is damaged or incomplete."
        )


def _sqlite_restore(source: Path, database: Path, progress: ProgressFactory) -> None:
    if database.exists() and database.stat().st_size > 0:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[
                0
            ]
        except sqlite3.DatabaseError as error:
            raise BackupError(
                f"{database} exists and is not an empty database ({error}); it is left alone."
            ) from error
        finally:
            connection.close()
        if tables:
            raise BackupError(
                f"{database} already holds a database; restore only into an empty place. "
                "Move it aside (with its -wal and -shm files) or point STEM_DATA_DIR elsewhere."
            )
    database.parent.mkdir(parents=True, exist_ok=True)
    with _private_temporary(database) as temporary:
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        writer = sqlite3.connect(temporary)
        try:
            _sqlite_copy(reader, writer, progress, "restore")
            writer.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not read the backup: {error}") from error
        finally:
            writer.close()
            reader.close()
        _fsync_file(temporary)
        for sidecar in _sqlite_sidecars(database):
            sidecar.unlink(missing_ok=True)
        os.replace(temporary, database)
    _fsync_directory(database.parent)


def _pg_restore(url: str, source: Path, progress: ProgressFactory) -> None:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            existing = inspect(connection).get_table_names()
    finally:
        engine.dispose()
    if existing:
        raise BackupError(
            f"The database {make_url(url).database!r} already has {len(existing)} tables; restore only "
            "into an empty database (createdb a new one and point STEM_DATABASE_URL at it)."
        )
    libpq_url, environment = _libpq(url)
    listing = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--list", str(source)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read {source}: {listing.stderr.strip()[:300]}")
    tables = sum(1 for line in listing.stdout.splitlines() if " TABLE DATA " in line)
    command = [_tool("pg_restore"), "--verbose", "--no-owner", "--no-privileges", "--exit-on-error"]
    command += ["--single-transaction", "--dbname", libpq_url, str(source)]
    with progress("restore (tables)", tables) as tracker:
        _run_with_progress(command, environment, "processing data for table", tracker)


def check_restored(url: str, progress: ProgressFactory) -> RestoreResult:
    """The audit chain verified and the counts that an operator compares with the source."""
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            with progress("audit verify (events)", chain_length(session)) as tracker:
                verification = verify(session, on_batch=tracker.advance)
            people = session.execute(select(func.count()).select_from(User)).scalar_one()
            entries = session.execute(select(func.count()).select_from(Entry)).scalar_one()
            shares = session.execute(select(func.count()).select_from(Share)).scalar_one()
    finally:
        engine.dispose()
    return RestoreResult(verification, people, entries, shares)
