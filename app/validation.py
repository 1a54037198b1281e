"""The base of every request body: unknown fields are refused, and so is text that no database
can store (NUL characters, unpaired surrogates) — a clear 422 instead of a 500."""

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


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
