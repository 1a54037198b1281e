"""A Debian base image made from Debian's own packages, for machines that cannot pull the official
Python image: mmdebstrap (as root) builds a minimal root file system with Debian's python3, its
venv module and the CA certificates, and the engine imports it as an image.

Usage: python3 bootstrap.py RELEASE TAG   (RELEASE: bookworm for Debian 12, trixie for Debian 13)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from engine import Engine, find_engine, log

MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"
PACKAGES = "python3,python3-venv,ca-certificates"
# As in Debian's slim images: no documentation beyond the copyright files, no manuals, no translations.
DPKG_OPTIONS = (
    "force-unsafe-io",
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
)
IMAGE_CONFIG = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["bash"]',
)


def bootstrap(engine: Engine, release: str, tag: str) -> None:
    if not shutil.which("mmdebstrap"):
        raise SystemExit("mmdebstrap is not installed (Debian: apt-get install mmdebstrap)")
    sources = [
        f"deb {MIRROR} {release} main",
        f"deb {MIRROR} {release}-updates main",
        f"deb {SECURITY} {release}-security main",
    ]
    command = ["mmdebstrap", "--quiet", "--variant=minbase", f"--include={PACKAGES}"]
    command += [f"--dpkgopt={option}" for option in DPKG_OPTIONS]
    command += ['--aptopt=Acquire::Languages "none"', '--aptopt=Acquire::Retries "3"']
    # A merged /usr without the usrmerge package (and the Perl it would bring).
    hooks = Path("/usr/share/mmdebstrap/hooks/merged-usr")
    if hooks.is_dir():
        command.append(f"--hook-dir={hooks}")
    with tempfile.TemporaryDirectory(prefix="stem-base-") as work:
        tarball = Path(work) / f"{release}.tar"
        log(f"bootstrapping Debian {release} with mmdebstrap ({PACKAGES})")
        subprocess.run([*command, release, str(tarball), *sources], check=True, timeout=1200)  # noqa: S603
        changes = [arg for line in IMAGE_CONFIG for arg in ("--change", line)]
        engine.run("import", *changes, str(tarball), tag, timeout=600)
    log(f"imported as {tag}")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    bootstrap(find_engine(), argv[1], argv[2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
