"""Column types and helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.engine import Dialect


def utcnow() -> datetime:
    """The current moment as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, always stored as UTC and always read back with ``tzinfo=UTC``.

    Naive datetimes are refused on the way in: they are ambiguous and a source of one-hour bugs
    around the Dutch summer time change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 24) -> Enum:
    """An Enum column stored as its string values in a VARCHAR (no native database enum)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def short_repr(obj: Any, **fields: Any) -> str:
    """``<Class a=1 b='x'>`` for ``__repr__`` methods."""
    inner = " ".join(f"{k}={v!r}" for k, v in fields.items())
    return f"<{type(obj).__name__} {inner}>"


def render_alembic_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our TypeDecorators as their plain SQLAlchemy types in generated migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
