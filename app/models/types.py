"""Column types shared by the tables."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Dialect, Enum, ForeignKey, Text, TypeDecorator, Uuid
from sqlmodel import Field

from app.crypto import cipher


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column_type(enum: type[StrEnum], length: int = 32, name: str | None = None) -> Any:
    """Stored as its value in a VARCHAR with a CHECK constraint, identical on both databases."""
    return Enum(
        enum,
        name=name or enum.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class EncryptedText(TypeDecorator[str]):
    """Free text people wrote: encrypted on the way in, decrypted on the way out (app.crypto).

    `context` names the column and is bound into every value, so a value moved to another
    column does not decrypt.
    """

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return cipher().encrypt(value, self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return cipher().decrypt(value, self.context)


def reference(
    target: str,
    *,
    on_delete: str = "CASCADE",
    nullable: bool = False,
    primary_key: bool = False,
    index: bool = False,
    unique: bool = False,
) -> Any:
    """A column naming a row of another table by its UUID ("users.id"), and what becomes of it
    when that row goes (ON DELETE CASCADE, or SET NULL for an optional one)."""
    column = Column(
        Uuid(),
        ForeignKey(target, ondelete=on_delete),
        primary_key=primary_key,
        nullable=nullable and not primary_key,
        index=index or None,
        unique=unique or None,
    )
    return Field(default=None, sa_column=column) if nullable else Field(sa_column=column)
