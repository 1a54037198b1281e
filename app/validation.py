"""The base of every request body: unknown fields are refused, and so is text that no database
can store (NUL characters, unpaired surrogates) — a clear 422 instead of a 500."""

import re
import unicodedata
from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError


def is_storable(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value and not any(unicodedata.category(char) == "Cs" for char in value)
    if isinstance(value, dict):
        return all(is_storable(key) and is_storable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(is_storable(item) for item in value)
    return True


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _only_storable_text(cls, data: Any) -> Any:
        if not is_storable(data):
            raise ValueError("text contains characters that cannot be stored")
        return data


# A wall-clock time in the person's own time zone, as a phone's time field gives it: "18:00" (or
# "18:00:00"), answered as "18:00". JSON Schema's "time" format is RFC 3339's, which demands an
# offset that a wall-clock time does not have; so it is a string with a pattern.
_WALL_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")


def _wall_clock(value: object) -> object:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and _WALL_CLOCK.fullmatch(value):
        return time.fromisoformat(value)
    raise PydanticCustomError("time_parsing", "not a time of day such as 18:00")


WallClockTime = Annotated[
    time,
    BeforeValidator(_wall_clock),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_WALL_CLOCK.pattern}$",
            "examples": ["18:00"],
            "description": "A time of day in the person's own time zone (HH:MM)",
        }
    ),
]
