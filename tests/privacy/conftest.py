"""The shared "world" of a care team and a participant's entries in every state."""

from tests.sharing.conftest import world

__all__ = ["world"]
