"""All SQL of the accounts domain."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, update
from sqlmodel import Session, col, select

from app.models import (
    AccountReset,
    CareTeam,
    Invitation,
    Passkey,
    PasskeyChallenge,
    RecoveryCode,
    Share,
    TeamMembership,
    TeamShareDecision,
    User,
)
from app.models.enums import Role, ShareAudience
from app.models.passkey import PasskeyCeremony
from app.models.types import utcnow


def user_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(col(User.username) == username.lower())).first()


def user_by_id(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def users_by_ids(session: Session, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    """The accounts among these ids that still exist, in one query (None and repeats are ignored)."""
    ids = list({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return {}
    return {user.id: user for user in session.exec(select(User).where(col(User.id).in_(ids))).all()}


def delete_user(session: Session, user: User) -> None:
    """The account itself; what hangs on it goes by ON DELETE CASCADE or SET NULL."""
    session.execute(update(Invitation).where(col(Invitation.used_by_id) == user.id).values(used_by_id=None))
    session.delete(user)
    session.flush()


def username_taken(session: Session, username: str) -> bool:
    return user_by_username(session, username) is not None


def all_users(session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.role), col(User.username))).all()


def team_ids_of(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.exec(select(TeamMembership.team_id).where(col(TeamMembership.user_id) == user_id)).all()
    )


def team_ids_by_user(session: Session) -> dict[uuid.UUID, list[uuid.UUID]]:
    result: dict[uuid.UUID, list[uuid.UUID]] = {}
    for team_id, user_id in session.exec(select(TeamMembership.team_id, TeamMembership.user_id)).all():
        result.setdefault(user_id, []).append(team_id)
    return result


def team_by_id(session: Session, team_id: uuid.UUID) -> CareTeam | None:
    return session.get(CareTeam, team_id)


def team_by_name(session: Session, name: str) -> CareTeam | None:
    return session.exec(select(CareTeam).where(func.lower(CareTeam.name) == name.lower())).first()


def teams_with_counts(
    session: Session, team_ids: Sequence[uuid.UUID] | None = None
) -> list[tuple[CareTeam, int, int]]:
    """Teams (all, or the given ones) with their clinician and participant counts, by name."""
    clinicians = func.count().filter(col(TeamMembership.member_role) == Role.clinician)
    participants = func.count().filter(col(TeamMembership.member_role) == Role.participant)
    statement = (
        select(CareTeam, clinicians, participants)
        .join(TeamMembership, col(TeamMembership.team_id) == col(CareTeam.id), isouter=True)
        .group_by(col(CareTeam.id))
        .order_by(col(CareTeam.name))
    )
    if team_ids is not None:
        statement = statement.where(col(CareTeam.id).in_(list(team_ids)))
    return [(team, int(c), int(p)) for team, c, p in session.exec(statement).all()]


def membership(session: Session, team_id: uuid.UUID, user_id: uuid.UUID) -> TeamMembership | None:
    return session.get(TeamMembership, (team_id, user_id))


def end_membership(session: Session, member: TeamMembership) -> int:
    """Someone leaves a team, with what follows for what was shared in it: a participant's shares
    with that whole team end (revoked now, so their sharing history shows it; the new team does
    not inherit them), and the participant's and clinicians' answers about who joined later go
    (a clinician who comes back is a new joiner). Returns the number of team shares ended."""
    ended = 0
    if member.member_role == Role.participant:
        result = session.execute(
            update(Share)
            .where(
                col(Share.participant_id) == member.user_id,
                col(Share.audience) == ShareAudience.team,
                col(Share.team_id) == member.team_id,
                col(Share.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )
        ended = int(getattr(result, "rowcount", 0) or 0)
        who = col(TeamShareDecision.participant_id) == member.user_id
    else:
        who = col(TeamShareDecision.clinician_id) == member.user_id
    session.execute(delete(TeamShareDecision).where(who, col(TeamShareDecision.team_id) == member.team_id))
    session.delete(member)
    session.flush()
    return ended


def members_of(
    session: Session, team_id: uuid.UUID, *, roles: Sequence[Role] | None = None
) -> list[tuple[TeamMembership, User]]:
    statement = (
        select(TeamMembership, User)
        .join(User, col(User.id) == col(TeamMembership.user_id))
        .where(col(TeamMembership.team_id) == team_id)
        .order_by(col(TeamMembership.member_role), col(User.display_name))
    )
    if roles is not None:
        statement = statement.where(col(TeamMembership.member_role).in_(list(roles)))
    return [(m, u) for m, u in session.exec(statement).all()]


def participant_team_id(session: Session, user_id: uuid.UUID) -> uuid.UUID | None:
    return session.exec(
        select(TeamMembership.team_id).where(
            col(TeamMembership.user_id) == user_id,
            col(TeamMembership.member_role) == Role.participant,
        )
    ).first()


def invitation_by_code_hash(session: Session, code_hash: str) -> Invitation | None:
    return session.exec(select(Invitation).where(col(Invitation.code_hash) == code_hash)).first()


def invitation_by_id(session: Session, invitation_id: uuid.UUID) -> Invitation | None:
    return session.get(Invitation, invitation_id)


def invitations_for_teams(session: Session, team_ids: Sequence[uuid.UUID] | None) -> Sequence[Invitation]:
    statement = select(Invitation).order_by(col(Invitation.created_at).desc()).limit(500)
    if team_ids is not None:
        statement = statement.where(col(Invitation.team_id).in_(list(team_ids)))
    return session.exec(statement).all()


def claim_invitation(session: Session, invitation_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Mark an invitation used, only if it still is usable: of two racing claims, one wins."""
    now = utcnow()
    result = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .values(used_at=now, used_by_id=user_id)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


# --- recovery codes ---------------------------------------------------------------------------


def replace_recovery_codes(session: Session, user_id: uuid.UUID, code_hashes: Sequence[str]) -> bool:
    """A new set of codes; the old set, used or not, is gone. Whether there was an old set."""
    old = session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    session.add_all(RecoveryCode(user_id=user_id, code_hash=code_hash) for code_hash in code_hashes)
    session.flush()
    return bool(getattr(old, "rowcount", 0))


def recovery_codes_of(session: Session, user_id: uuid.UUID) -> Sequence[RecoveryCode]:
    return session.exec(
        select(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id)
        .order_by(col(RecoveryCode.created_at))
    ).all()


def use_recovery_code(session: Session, user_id: uuid.UUID, code_hash: str) -> bool:
    """Mark this person's code used, only if it is theirs and still unused: of two racing uses,
    one wins."""
    result = session.execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == code_hash,
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


# --- care-team assisted resets -------------------------------------------------------------


def reset_by_id(session: Session, reset_id: uuid.UUID) -> AccountReset | None:
    return session.get(AccountReset, reset_id)


def resets_of_participant(session: Session, participant_id: uuid.UUID) -> Sequence[AccountReset]:
    """Newest first."""
    return session.exec(
        select(AccountReset)
        .where(col(AccountReset.participant_id) == participant_id)
        .order_by(col(AccountReset.started_at).desc())
    ).all()


def resets_since(
    session: Session, since: datetime, participant_ids: Sequence[uuid.UUID] | None
) -> Sequence[AccountReset]:
    """Resets started since then, not cancelled or used (of these participants; None: all)."""
    statement = select(AccountReset).where(
        col(AccountReset.started_at) >= since,
        col(AccountReset.cancelled_at).is_(None),
        col(AccountReset.used_at).is_(None),
    )
    if participant_ids is not None:
        statement = statement.where(col(AccountReset.participant_id).in_(list(participant_ids)))
    return session.exec(statement.order_by(col(AccountReset.started_at).desc())).all()


def use_reset_code(
    session: Session, user_id: uuid.UUID, code_hash: str, now: datetime
) -> AccountReset | None:
    """Mark this person's issued, unexpired, unused reset code used; of two racing uses, one wins."""
    result = session.execute(
        update(AccountReset)
        .where(
            col(AccountReset.participant_id) == user_id,
            col(AccountReset.code_hash) == code_hash,
            col(AccountReset.used_at).is_(None),
            col(AccountReset.cancelled_at).is_(None),
            col(AccountReset.code_expires_at) > now,
        )
        .values(used_at=now)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return None
    return session.exec(select(AccountReset).where(col(AccountReset.code_hash) == code_hash)).first()


def clinician_team_ids(session: Session, clinician_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.exec(
            select(TeamMembership.team_id).where(
                col(TeamMembership.user_id) == clinician_id, col(TeamMembership.member_role) == Role.clinician
            )
        ).all()
    )


def participants_of_teams(session: Session, team_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(
        session.exec(
            select(TeamMembership.user_id).where(
                col(TeamMembership.team_id).in_(list(team_ids)),
                col(TeamMembership.member_role) == Role.participant,
            )
        ).all()
    )


# --- passkeys ---------------------------------------------------------------------------------

_CHALLENGES = cast(Table, PasskeyChallenge.__table__)  # type: ignore[attr-defined]


def passkeys_of(session: Session, user_id: uuid.UUID) -> Sequence[Passkey]:
    return session.exec(
        select(Passkey).where(col(Passkey.user_id) == user_id).order_by(col(Passkey.created_at))
    ).all()


def passkey_of(session: Session, user_id: uuid.UUID, passkey_id: uuid.UUID) -> Passkey | None:
    """This person's passkey with this id; None for anyone else's, exactly like a missing one."""
    return session.exec(
        select(Passkey).where(col(Passkey.id) == passkey_id, col(Passkey.user_id) == user_id)
    ).first()


def passkey_by_credential_id(session: Session, credential_id: bytes) -> Passkey | None:
    return session.exec(select(Passkey).where(col(Passkey.credential_id) == credential_id)).first()


def add_passkey_challenge(session: Session, challenge: PasskeyChallenge) -> None:
    """A new challenge; the expired ones of anybody go now (they are never more than minutes old)."""
    session.execute(delete(PasskeyChallenge).where(col(PasskeyChallenge.expires_at) <= utcnow()))
    session.add(challenge)
    session.flush()


def drop_passkey_challenge(session: Session, token_hash: str) -> None:
    session.execute(delete(PasskeyChallenge).where(col(PasskeyChallenge.token_hash) == token_hash))


def take_passkey_challenge(
    session: Session, token_hash: str, ceremony: PasskeyCeremony
) -> PasskeyChallenge | None:
    """The challenge of this token, removed whatever it is; None unless it is live and of this
    ceremony. Of two answers to one challenge, only one gets it."""
    table = _CHALLENGES
    row = (
        session.execute(delete(table).where(table.c.token_hash == token_hash).returning(*table.c))
        .mappings()
        .first()
    )
    if row is None:
        return None
    challenge = PasskeyChallenge(**row)  # not in the session: its row is gone
    if challenge.ceremony != ceremony or challenge.expires_at <= utcnow():
        return None
    return challenge
