"""The `stem` command: serve, migrate, create-admin, create-team, invite, demo, and the operator's
long work (backup, restore, rotate-key, audit verify, purge) with progress on standard error."""

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app.config import get_settings


def _migrate(_args: argparse.Namespace) -> int:
    from app.schema_migrations import upgrade_to_head

    settings = get_settings()
    upgrade_to_head(settings.database_url)
    print("Database is up to date.")
    return 0


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def proxy_setting_warning(*, production: bool, host: str, forwarded_allow_ips_set: bool) -> str | None:
    """What to say loudly at start when production listens beyond loopback and the trusted-proxy
    setting was left at its default: behind a proxy that is not trusted, every request seems to
    come from the proxy, so every user shares one address for sign-in throttling and the log."""
    if not production or host in _LOOPBACK or forwarded_allow_ips_set:
        return None
    return (
        f"WARNING: stem serves on {host} in production, but STEM_FORWARDED_ALLOW_IPS is not set.\n"
        "  Behind a proxy every request then seems to come from the proxy: all users share one\n"
        "  address for sign-in throttling and the audit log. Set STEM_FORWARDED_ALLOW_IPS to the\n"
        "  proxy's address (or to an empty value when clients connect directly)."
    )


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    warning = proxy_setting_warning(
        production=settings.is_production,
        host=args.host,
        forwarded_allow_ips_set="STEM_FORWARDED_ALLOW_IPS" in os.environ,
    )
    if warning:
        print(warning, file=sys.stderr, flush=True)
    uvicorn.run(
        "app.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        server_header=False,
        date_header=True,
        # Stem's own request line (app.observability) replaces uvicorn's in JSON mode: uvicorn's
        # holds the query string.
        access_log=not settings.is_production and settings.log_format != "json",
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        log_level="info",
    )
    return 0


def _read_new_password(prompt_for: str) -> str:
    from_environment = os.environ.get("STEM_ADMIN_PASSWORD")
    if from_environment:
        return from_environment
    if not sys.stdin.isatty():
        raise SystemExit("No terminal to ask for a password: set STEM_ADMIN_PASSWORD.")
    first = getpass.getpass(f"Password for {prompt_for}: ")
    second = getpass.getpass("Again, to be sure: ")
    if first != second:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def _create_admin(args: argparse.Namespace) -> int:
    from app.accounts import service
    from app.db import open_session
    from app.errors import DomainError
    from app.i18n import translate
    from app.models.enums import Role

    password = _read_new_password(args.username)
    with open_session() as session:
        try:
            service.create_user(
                session,
                username=args.username,
                display_name=args.display_name or args.username,
                password=password,
                role=Role.admin,
            )
        except DomainError as error:
            print(translate("en", error.message, **error.params), file=sys.stderr)
            return 1
        session.commit()
    print(f"Administrator {args.username!r} created.")
    return 0


def _create_team(args: argparse.Namespace) -> int:
    from app.accounts import repository
    from app.db import open_session
    from app.models import CareTeam

    with open_session() as session:
        if repository.team_by_name(session, args.name):
            print(f"A care team named {args.name!r} already exists.", file=sys.stderr)
            return 1
        session.add(CareTeam(name=" ".join(args.name.split())))
        session.commit()
    print(f"Care team {args.name!r} created.")
    return 0


def _invite(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from app.accounts import repository
    from app.accounts.invitation_codes import code_hash, new_code
    from app.accounts.service import join_url
    from app.db import open_session
    from app.models import Invitation
    from app.models.enums import Discipline, Role
    from app.models.types import utcnow

    role = Role(args.role)
    discipline = Discipline(args.discipline) if args.discipline else None
    if role == Role.clinician and discipline is None:
        print("A clinician's invitation needs --discipline.", file=sys.stderr)
        return 1
    with open_session() as session:
        team = repository.team_by_name(session, args.team)
        if team is None:
            print(f"No care team named {args.team!r}.", file=sys.stderr)
            return 1
        code = new_code()
        now = utcnow()
        invitation = Invitation(
            code_hash=code_hash(code),
            team_id=team.id,
            role=role,
            discipline=discipline if role == Role.clinician else None,
            created_at=now,
            expires_at=now + timedelta(days=get_settings().invitation_ttl_days),
        )
        session.add(invitation)
        session.commit()
    print(f"Invitation for a {role.value} in {team.name!r}, valid until {invitation.expires_at:%Y-%m-%d}:")
    print(f"  code: {code}")
    print(f"  link: {join_url(code)}")
    return 0


def _demo(_args: argparse.Namespace) -> int:
    from app.db import open_session
    from app.demo import create_demo_data, demo_logins_text

    settings = get_settings()
    if settings.is_production:
        print("Demo data is for trying Stem out; it is refused in production mode.", file=sys.stderr)
        return 1
    with open_session() as session:
        created = create_demo_data(session)
        session.commit()
    print("Demo data created." if created else "Demo data already exists.")
    print(demo_logins_text(settings.public_base_url))
    return 0


def _purge(_args: argparse.Namespace) -> int:
    from app.maintenance import HOUSEKEEPING_STEPS, run_housekeeping
    from app.progress import progress

    with progress("purge (steps)", HOUSEKEEPING_STEPS) as tracker:
        counts = run_housekeeping(on_step=tracker.advance)
    print(
        f"Removed {counts['entries_purged']} entries that were in the trash for over 30 days "
        f"and {counts['sessions_ended']} expired login sessions."
    )
    return 0


def _rotate_key(args: argparse.Namespace) -> int:
    from app.crypto import KeyConfigurationError, add_generated_key, cipher
    from app.db import open_session
    from app.key_rotation import encrypted_values, reencrypt_all
    from app.progress import progress

    try:
        if args.generate:
            key_id = add_generated_key()
            print(f"New key {key_id!r} is now used for new writes.")
        with open_session(write=False) as session:
            total = encrypted_values(session)
        with progress("rotate-key (values)", total) as tracker:
            count = reencrypt_all(on_batch=tracker.advance)
    except KeyConfigurationError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"Re-encrypted {count} stored values under key {cipher().current_key_id!r}.")
    return 0


def _audit_verify(_args: argparse.Namespace) -> int:
    from app.audit.service import chain_length, verify
    from app.db import open_session
    from app.progress import progress

    with open_session(write=False) as session:
        total = chain_length(session)
        with progress("audit verify (events)", total) as tracker:
            result = verify(session, on_batch=tracker.advance)
    if result.ok:
        print(f"Audit log intact: {result.checked} events; head hash {result.head_hash}")
        return 0
    print(
        f"Audit log BROKEN at event {result.at_seq}: {result.problem} "
        f"({result.checked} events verified before it)",
        file=sys.stderr,
    )
    return 2


def _backup(args: argparse.Namespace) -> int:
    from app.backup import BackupError, backup, keys_notice
    from app.progress import progress

    settings = get_settings()
    try:
        result = backup(settings, Path(args.path), progress)
    except BackupError as error:
        print(f"stem backup: {error}", file=sys.stderr)
        return 1
    print(f"Backup written: {result.path} ({result.size} bytes, mode 0600)")
    print(f"SHA-256 {result.sha256} in {result.checksum_path}")
    print(keys_notice(settings))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from app.backup import BackupError, keys_notice, restore
    from app.progress import progress

    settings = get_settings()
    try:
        result = restore(settings, Path(args.path), progress)
    except BackupError as error:
        print(f"stem restore: {error}", file=sys.stderr)
        return 1
    print(f"Restored {args.path}: {result.people} people, {result.entries} entries, {result.shares} shares.")
    check = result.verification
    if not check.ok:
        print(
            f"Audit log BROKEN at event {check.at_seq}: {check.problem} "
            f"({check.checked} events verified before it)",
            file=sys.stderr,
        )
        return 2
    print(f"Audit log intact: {check.checked} events; head hash {check.head_hash}")
    print(keys_notice(settings))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stem", description="Stem: run and manage a Stem server.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("STEM_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        help="proxies whose X-Forwarded-For/Proto headers are trusted",
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=_migrate)

    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name", default=None)
    admin.set_defaults(handler=_create_admin)

    team = commands.add_parser("create-team", help="create a care team")
    team.add_argument("name")
    team.set_defaults(handler=_create_team)

    invite = commands.add_parser("invite", help="print an invitation code and link")
    invite.add_argument("--team", required=True, help="the care team's name")
    invite.add_argument("--role", choices=["participant", "clinician"], default="participant")
    invite.add_argument(
        "--discipline",
        choices=[
            "physiotherapist",
            "psychologist",
            "physician",
            "occupational_therapist",
            "social_worker",
            "nurse",
            "other",
        ],
    )
    invite.set_defaults(handler=_invite)

    purge = commands.add_parser(
        "purge",
        help="empty the trash after 30 days, drop expired sessions (safe to interrupt and re-run)",
    )
    purge.set_defaults(handler=_purge)

    rotate = commands.add_parser(
        "rotate-key",
        help="add a new encryption key and re-encrypt stored text while the app serves",
        description="Adds a new key and re-encrypts stored text under it, a batch per transaction, "
        "while the app serves. Safe to interrupt (Ctrl-C): run `stem rotate-key --no-generate` "
        "to finish; values already under the current key are skipped.",
    )
    rotate.add_argument(
        "--no-generate",
        dest="generate",
        action="store_false",
        help="only re-encrypt under the configured current key (keys from STEM_ENCRYPTION_KEYS)",
    )
    rotate.set_defaults(handler=_rotate_key)

    audit = commands.add_parser("audit", help="the tamper-evident audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_verify = audit_commands.add_parser(
        "verify", help="check that no event was edited, deleted or reordered (read-only; safe to interrupt)"
    )
    audit_verify.set_defaults(handler=_audit_verify)

    backup = commands.add_parser(
        "backup",
        help="a consistent copy of the database while the app serves (keys not included)",
        description="Writes a consistent copy of the database while Stem serves: SQLite's online "
        "backup, or pg_dump in custom format. Mode 0600, with a PATH.sha256 checksum beside it. "
        "The encryption keys are never in it: back them up apart. Safe to interrupt (Ctrl-C) and "
        "run again: the file appears only when complete.",
    )
    backup.add_argument("path", help="the backup file to create (never overwritten)")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser(
        "restore",
        help="restore a backup into an empty database, then verify the audit log",
        description="Restores a backup made by `stem backup` into the configured database, which "
        "must be empty (SQLite: no database file yet; PostgreSQL: a new database). Then verifies "
        "the audit log and prints its head hash and the counts of people, entries and shares. Safe "
        "to interrupt and run again: an interrupted restore leaves the target empty.",
    )
    restore.add_argument("path", help="the backup file (with its .sha256 beside it)")
    restore.set_defaults(handler=_restore)

    demo = commands.add_parser("demo", help="create demo data (once) and print the demo logins")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("Interrupted; see `stem COMMAND --help` for whether to run it again.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
