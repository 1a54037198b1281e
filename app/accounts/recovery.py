"""Recovery codes: getting back in after a forgotten password, without anyone else's help.

A person makes a set of ten one-time codes (after typing their password again) and keeps them on
paper. A code, their username and a new password sign them in again; the code is used up, every
other session ends, and the audit log records it. Only hashes are stored; failed attempts are
throttled per account and per address, like sign-ins, in counters of their own.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.accounts import repository, resets
from app.accounts.invitation_codes import RECOVERY_CODE_LENGTH, code_hash, new_code
from app.accounts.login_sessions import end_all_sessions
from app.accounts.passwords import hash_password, password_problem
from app.accounts.schemas import RecoveryCodesStatus
from app.accounts.service import confirm_password
from app.accounts.throttle import ThrottleKey, counter_keys, throttle_store
from app.audit import service as audit
from app.config import get_settings
from app.errors import InvalidInput, NotAuthenticated, TooManyRequests
from app.i18n import N_
from app.models import User
from app.models.types import utcnow

CODES_PER_SET = 10
WRONG_RECOVERY = N_("This username and recovery code do not belong together, or the code was used before.")


@dataclass(frozen=True)
class NewCodes:
    codes: list[str]
    created_at: datetime
    replaced: bool = False  # an earlier set stopped working


def create_codes(session: Session, *, actor: User, password: str) -> NewCodes:
    """A new set of codes, shown once; the old set stops working."""
    confirm_password(
        session, actor=actor, password=password, field="password", message=N_("Your password is not correct.")
    )
    codes = [new_code(RECOVERY_CODE_LENGTH) for _ in range(CODES_PER_SET)]
    replaced = repository.replace_recovery_codes(session, actor.id, [code_hash(code) for code in codes])
    audit.record(session, action="account.recovery_codes", actor=actor, subject_id=actor.id)
    return NewCodes(codes=codes, created_at=utcnow(), replaced=replaced)


def status_of(session: Session, *, actor: User) -> RecoveryCodesStatus:
    rows = repository.recovery_codes_of(session, actor.id)
    return RecoveryCodesStatus(
        remaining=sum(1 for row in rows if row.used_at is None),
        total=len(rows),
        created_at=rows[0].created_at if rows else None,
    )


def _keys(username: str, client_address: str) -> list[ThrottleKey]:
    settings = get_settings()
    limits = (settings.login_max_failures_per_account, settings.login_max_failures_per_address)
    return counter_keys(("rec-acct", "rec-addr"), username.strip().lower(), client_address, limits, settings)


def recover(
    session: Session, *, username: str, recovery_code: str, new_password: str, client_address: str
) -> User:
    """The person, signed in again with a new password; the same answer for an unknown name, a
    wrong code and a used one."""
    keys = _keys(username, client_address)
    store = throttle_store()
    wait = store.retry_after(keys)
    if wait:
        raise TooManyRequests.attempts(wait)
    # Checked alike whether the account exists (no display name): a refusal says nothing of it.
    problem = password_problem(new_password, username=username.strip().lower(), display_name="")
    if problem:
        raise InvalidInput(problem, field="new_password")
    user = repository.user_by_username(session, username.strip())
    action = "auth.recover"
    if (
        user is not None
        and user.is_active
        and not repository.use_recovery_code(session, user.id, code_hash(recovery_code))
    ):
        # Not one of their recovery codes: perhaps the reset code their team handed over.
        action = "auth.reset" if resets.use_code(session, user, recovery_code) else "failed"
    if user is None or not user.is_active or action == "failed":
        subject_id = user.id if user else None  # read before the rollback expires it
        session.rollback()
        store.record_failure(keys)
        audit.record_alone(action="auth.recover", subject_id=subject_id, outcome="failed")
        raise NotAuthenticated(WRONG_RECOVERY, code="wrong_recovery_code")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    session.add(user)
    end_all_sessions(session, user.id)
    store.clear(session, keys[0])
    session.flush()
    audit.record(session, action=action, actor=user, subject_id=user.id)
    return user
