"""This machine's pip network settings, written for a container build or a throw-away container.

Writes OUT/pip.conf and OUT/pip-ca.pem: the index settings that reach packages from here (index
URLs, trusted hosts, proxy, timeouts) and the CA bundle pip should trust, with `cert` pointing to
/run/secrets/pip-ca.pem. The Dockerfile mounts both as build secrets, only while pip runs, so
nothing of this machine ends up in the image.

Settings that name this machine's own files (find-links folders, file:// indexes, constraint
files) are left out: they do not exist inside the container.

Usage: python3 pip_build_config.py OUT_DIR
"""

from __future__ import annotations

import configparser
import os
import shutil
import sys
from pathlib import Path

# Where the Dockerfile's secrets appear inside the build (Docker's and Podman's default target).
SECRETS = "/run/secrets"
# pip's options that decide how packages are reached; everything else stays on this machine.
NETWORK_OPTIONS = ("index-url", "extra-index-url", "trusted-host", "proxy", "timeout", "retries")
ALIASES = {"default-timeout": "timeout"}
SECTIONS = ("global", "install", "download", "wheel")


def _config_files() -> list[Path]:
    """pip's own order: global, user, then PIP_CONFIG_FILE (later files win)."""
    xdg_dirs = os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":")
    files = [Path(d) / "pip" / "pip.conf" for d in reversed(xdg_dirs) if d]
    files.append(Path("/etc/pip.conf"))
    home = Path.home()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    files += [home / ".pip" / "pip.conf", config_home / "pip" / "pip.conf"]
    if os.environ.get("PIP_CONFIG_FILE") and os.environ["PIP_CONFIG_FILE"] != os.devnull:
        files.append(Path(os.environ["PIP_CONFIG_FILE"]))
    return files


def machine_settings() -> dict[str, str]:
    """The merged settings from pip's files and PIP_* variables, option name -> raw value."""
    settings: dict[str, str] = {}
    for path in _config_files():
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser()
        parser.read(path)
        for section in SECTIONS:
            if parser.has_section(section):
                for key, value in parser.items(section):
                    settings[ALIASES.get(key, key)] = value
    for name, value in os.environ.items():
        if name.startswith("PIP_") and name != "PIP_CONFIG_FILE":
            key = name[4:].lower().replace("_", "-")
            settings[ALIASES.get(key, key)] = value
    return settings


def _is_local(value: str) -> bool:
    return value.startswith(("file:", "/", "."))


def ca_bundle(settings: dict[str, str]) -> Path | None:
    """The CA bundle pip trusts here: its `cert` setting, else the one the system's tools use."""
    candidates = [
        settings.get("cert"),
        os.environ.get("REQUESTS_CA_BUNDLE"),
        os.environ.get("SSL_CERT_FILE"),
        "/etc/ssl/certs/ca-certificates.crt",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def write(out: Path) -> list[str]:
    """Write pip.conf and pip-ca.pem into OUT; returns what was left out and why."""
    settings = machine_settings()
    out.mkdir(parents=True, exist_ok=True)
    lines = ["[global]"]
    left_out = []
    for key in NETWORK_OPTIONS:
        if key not in settings:
            continue
        values = settings[key].split()
        kept = [value for value in values if not _is_local(value)]
        left_out += [f"{key} {value} (a path on this machine)" for value in values if _is_local(value)]
        if kept:
            lines.append(f"{key} = {' '.join(kept)}")
    left_out += [
        f"{key} (names this machine's files)" for key in ("find-links", "constraint") if key in settings
    ]
    bundle = ca_bundle(settings)
    if bundle is not None:
        shutil.copyfile(bundle, out / "pip-ca.pem")
        lines.append(f"cert = {SECRETS}/pip-ca.pem")
    else:
        (out / "pip-ca.pem").write_text("")
    (out / "pip.conf").write_text("\n".join(lines) + "\n")
    return left_out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for note in write(Path(argv[1])):
        print(f"pip settings for the build: left out {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
