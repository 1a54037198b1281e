"""Key rotation: every stored text sealed again under the current key, while the app serves.

Above both the tables and the cipher (it walks every encrypted column of the metadata), so it
lives in a module of its own rather than in `app.crypto`, which the column type itself uses.
"""

from collections.abc import Callable
from typing import cast

from sqlalchemy import Text, func, select, type_coerce, update
from sqlmodel import Session

import app.models  # noqa: F401  (all tables on the metadata)
from app.crypto import cipher
from app.db import metadata, open_session
from app.models.types import EncryptedText


def encrypted_values(session: Session) -> int:
    """How many stored values are encrypted (the work `reencrypt_all` walks)."""
    total = 0
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                total += session.execute(select(func.count()).where(column.is_not(None))).scalar_one()
    return total


def reencrypt_all(batch_size: int = 500, on_batch: Callable[[int], None] | None = None) -> int:
    """Seal every stored value under the current key, a batch per transaction, so the app keeps
    serving. A value changed by the app in between is left alone: it was written with the
    current key anyway. Returns how many values were rewritten.

    Safe to interrupt and run again: each batch commits on its own, and a value already under
    the current key is skipped. `on_batch(n)` is told how many values each batch looked at."""
    field_cipher = cipher()
    rewritten = 0
    for table in metadata.sorted_tables:
        encrypted = [c for c in table.columns if isinstance(c.type, EncryptedText)]
        if not encrypted:
            continue
        (primary_key,) = table.primary_key.columns  # encrypted tables have a single-column key
        for column in encrypted:
            context = cast(EncryptedText, column.type).context
            raw = type_coerce(column, Text)
            last = None
            while True:
                with open_session(write=True) as session:
                    query = (
                        select(primary_key, raw)
                        .where(column.is_not(None))
                        .order_by(primary_key)
                        .limit(batch_size)
                    )
                    if last is not None:
                        query = query.where(primary_key > last)
                    rows = session.execute(query).all()
                    for row_id, stored in rows:
                        if not field_cipher.needs_rotation(stored):
                            continue
                        plain = field_cipher.decrypt(stored, context)
                        sealed = field_cipher.encrypt(plain, context)
                        result = session.execute(
                            update(table)
                            .where(primary_key == row_id, raw == stored)
                            .values({column.name: type_coerce(sealed, Text)})
                        )
                        rewritten += int(getattr(result, "rowcount", 0) or 0)
                    session.commit()
                if on_batch is not None:
                    on_batch(len(rows))
                if len(rows) < batch_size:
                    break
                last = rows[-1][0]
    return rewritten
