"""the audit chain is keyed

Each audit row's hash becomes an HMAC-SHA256 under a key derived from STEM_AUDIT_KEY, or from
STEM_SECRET_KEY when that is empty (outside the database), so someone who can write to the
database cannot rewrite a row and recompute the hashes after it. The upgrade walks the existing, unkeyed chain and reseals it with the key as far
as it is intact; where an earlier change broke it, the rows from there on keep their old hashes,
so `stem audit verify` still reports the break instead of the upgrade hiding it. The downgrade
does the reverse. The digests are written out here as they were at this revision.

Revision ID: 5b8e2f1c9a37
Revises: 90150c70b841
Create Date: 2026-12-02 06:00:00
"""

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "5b8e2f1c9a37"
down_revision: str | None = "90150c70b841"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
_BATCH = 2000

_events = sa.table(
    "audit_events",
    sa.column("seq", sa.BigInteger()),
    sa.column("occurred_at", app.models.types.UTCDateTime()),
    sa.column("actor_ref", sa.String()),
    sa.column("actor_role", sa.String()),
    sa.column("subject_ref", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target", sa.String()),
    sa.column("client_address", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _canonical(row: Any, prev_hash: str) -> bytes:
    return json.dumps(
        [
            row.seq,
            row.occurred_at.isoformat(),
            row.actor_ref,
            row.actor_role,
            row.subject_ref,
            row.action,
            row.target,
            row.client_address,
            row.outcome,
            prev_hash,
        ],
        separators=(",", ":"),
    ).encode()


def _unkeyed(row: Any, prev_hash: str) -> str:
    return hashlib.sha256(_canonical(row, prev_hash)).hexdigest()


def _keyed(row: Any, prev_hash: str) -> str:
    from app.config import get_settings

    settings = get_settings()
    secret = settings.audit_key or settings.secret_key
    key = hmac.new(secret.encode(), b"stem audit chain v1", hashlib.sha256).digest()
    return hmac.new(key, _canonical(row, prev_hash), hashlib.sha256).hexdigest()


def _reseal(sealed_with: Callable[[Any, str], str], reseal_with: Callable[[Any, str], str]) -> None:
    """Reseal the chain row by row while it verifies under `sealed_with`; stop at a break."""
    bind = op.get_bind()
    old_prev, new_prev, expected_seq = GENESIS, GENESIS, 1
    while True:
        rows = bind.execute(
            sa.select(_events).where(_events.c.seq >= expected_seq).order_by(_events.c.seq).limit(_BATCH)
        ).all()
        changes = []
        for row in rows:
            intact = (
                row.seq == expected_seq
                and row.prev_hash == old_prev
                and sealed_with(row, old_prev) == row.hash
            )
            if not intact:
                break
            new_hash = reseal_with(row, new_prev)
            changes.append({"s": row.seq, "p": new_prev, "h": new_hash})
            old_prev, new_prev, expected_seq = row.hash, new_hash, expected_seq + 1
        if changes:
            bind.execute(
                _events.update()
                .where(_events.c.seq == sa.bindparam("s"))
                .values(prev_hash=sa.bindparam("p"), hash=sa.bindparam("h")),
                changes,
            )
        if len(changes) < _BATCH:
            return


def upgrade() -> None:
    _reseal(_unkeyed, _keyed)


def downgrade() -> None:
    _reseal(_keyed, _unkeyed)
