"""The `stem` command: serve, migrate, create-admin, create-team, invite, demo."""

import argparse
import getpass
import os
import sys
from collections.abc import Sequence

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
        access_log=not settings.is_production,
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
    from app.maintenance import run_housekeeping

    counts = run_housekeeping()
    print(
        f"Removed {counts['entries_purged']} entries that were in the trash for over 30 days "
        f"and {counts['sessions_ended']} expired login sessions."
    )
    return 0


def _rotate_key(args: argparse.Namespace) -> int:
    from app.crypto import KeyConfigurationError, add_generated_key, cipher
    from app.key_rotation import reencrypt_all

    try:
        if args.generate:
            key_id = add_generated_key()
            print(f"New key {key_id!r} is now used for new writes.")
        count = reencrypt_all()
    except KeyConfigurationError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"Re-encrypted {count} stored values under key {cipher().current_key_id!r}.")
    return 0


def _audit_verify(_args: argparse.Namespace) -> int:
    from app.audit.service import verify
    from app.db import open_session

    with open_session(write=False) as session:
        result = verify(session)
    if result.ok:
        print(f"Audit log intact: {result.checked} events; head hash {result.head_hash}")
        return 0
    print(
        f"Audit log BROKEN at event {result.at_seq}: {result.problem} "
        f"({result.checked} events verified before it)",
        file=sys.stderr,
    )
    return 2


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

    purge = commands.add_parser("purge", help="empty the trash after 30 days, drop expired sessions")
    purge.set_defaults(handler=_purge)

    rotate = commands.add_parser(
        "rotate-key", help="add a new encryption key and re-encrypt stored text while the app serves"
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
        "verify", help="check that no event was edited, deleted or reordered"
    )
    audit_verify.set_defaults(handler=_audit_verify)

    demo = commands.add_parser("demo", help="create demo data (once) and print the demo logins")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
