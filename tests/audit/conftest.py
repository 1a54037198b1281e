from tests.sharing.conftest import world

__all__ = ["world"]
