"""Where Stem's non-Python resources live, independent of the working directory.

An installed wheel carries `web/` and `migrations/` inside the package (as `_web` and
`_migrations`); a source checkout keeps them at the top level beside `app/`.
"""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource(packaged: str, source: str) -> Path:
    inside = _PACKAGE_DIR / packaged
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / source


WEB_DIR = _resource("_web", "web")
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
LOCALES_DIR = WEB_DIR / "locales"
MIGRATIONS_DIR = _resource("_migrations", "migrations")
