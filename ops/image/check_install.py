"""`make test-install`: install the locks with Debian 12's and Debian 13's own Pythons.

For each release, a container from a Debian base bootstrapped from Debian's own packages
(bootstrap.py; kept as localhost/stem-base:debian12 and :debian13 for the next run) makes a venv
with Debian's python3, installs requirements/dev.lock with --require-hashes (which also holds
everything of main.lock), installs Stem itself with --no-deps, imports app.main and brings a
SQLite database to the latest migration. This machine's pip settings are mounted read-only for
pip (pip_build_config.py); the project's files are copied in, never written.

Fails when either install fails. Prints each step's time.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import pip_build_config
from bootstrap import bootstrap
from engine import PROJECT, Engine, Timer, find_engine, log

# (Debian release, codename, the Python version its python3 must be)
RELEASES = (("12", "bookworm", "3.11.2"), ("13", "trixie", "3.13."))  # "3.13.": any 3.13
PROJECT_FILES = ("pyproject.toml", "README.md", "requirements", "app", "web", "migrations")

INSTALL = r"""
set -eu
echo "python3: $(command -v python3), $(python3 --version)"
python3 -c 'import sys; v = sys.argv[1]; found = "%d.%d.%d" % sys.version_info[:3];
assert found == v if not v.endswith(".") else found.startswith(v), (found, v)' "$EXPECTED"
cp -r /src /tmp/stem
cd /tmp/stem
python3 -m venv /tmp/venv
export PIP_CONFIG_FILE=/run/secrets/pip.conf PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
/tmp/venv/bin/pip --version
/tmp/venv/bin/pip install --quiet --require-hashes -r requirements/dev.lock
/tmp/venv/bin/pip install --quiet --no-deps .
cd /
export STEM_DATA_DIR=/tmp/data
/tmp/venv/bin/python -c 'import app.main, sys; print("import app.main: ok on", sys.version.split()[0])'
/tmp/venv/bin/stem migrate
/tmp/venv/bin/pip check
"""


def copy_project(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".*_cache")
    for name in PROJECT_FILES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def install(engine: Engine, base: str, expected: str, source: Path, secrets: Path) -> None:
    engine.stream(
        "run", "--rm", "--network", "host", *engine.limit_args(),
        "--volume", f"{source}:/src:ro", "--volume", f"{secrets}:/run/secrets:ro",
        "--env", f"EXPECTED={expected}", base, "sh", "-c", INSTALL,
    )  # fmt: skip


def main() -> int:
    engine = find_engine()
    log(f"container engine: {engine.name} {' '.join(engine.global_args())}".rstrip())
    timer = Timer()
    started = time.monotonic()
    failed = []
    with tempfile.TemporaryDirectory(prefix="stem-install-") as work:
        source, secrets = Path(work) / "src", Path(work) / "secrets"
        source.mkdir()
        copy_project(source)
        for note in pip_build_config.write(secrets):
            log(f"pip settings for the install: left out {note}")
        for version, codename, expected in RELEASES:
            base = f"localhost/stem-base:debian{version}"
            shown = expected + "x" if expected.endswith(".") else expected
            name = f"Debian {version}: install dev.lock with python3 {shown}, import app.main"
            try:
                if not engine.exists("image", base):
                    with timer.step(f"bootstrap Debian {version} ({codename})"):
                        bootstrap(engine, codename, base)
                with timer.step(name):
                    install(engine, base, expected, source, secrets)
            except Exception as error:  # the other release is still tried
                log(f"FAILED: {name}: {error}")
                failed.append(f"Debian {version}")
    timer.report()
    outcome = f"FAILED on {', '.join(failed)}" if failed else "installed and imported on Debian 12 and 13"
    log(f"total {time.monotonic() - started:.0f} s; {outcome}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
