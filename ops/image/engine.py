"""The container engine on this machine (Docker or Podman) and how to call it here.

Docker is used when its daemon answers (a `docker` client alone is not enough); else Podman.
STEM_CONTAINER_ENGINE=docker|podman chooses. With Podman, what a machine without systemd or with
tight limits needs is added from what the machine shows: the cgroupfs manager when systemd is not
running, the runc runtime when it is installed, and resource limits within this process's own.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
OFFICIAL_BASE = "python:3.11-slim-bookworm"


def log(message: str) -> None:
    print(f"[image] {message}", flush=True)


class Engine:
    def __init__(self, name: str) -> None:
        self.name = name
        self.is_podman = name == "podman"

    def global_args(self) -> list[str]:
        if not self.is_podman:
            return []
        args = []
        if not Path("/run/systemd/system").is_dir():
            args.append("--cgroup-manager=cgroupfs")
        if shutil.which("runc"):
            args += ["--runtime", "runc"]
        return args

    def limit_args(self) -> list[str]:
        """Podman asks for its own default limits, which a sandbox may refuse: ask for ours."""
        if not self.is_podman:
            return []
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        nproc = resource.getrlimit(resource.RLIMIT_NPROC)[1]
        nofile = 65536 if nofile == resource.RLIM_INFINITY else min(nofile, 65536)
        nproc = 4096 if nproc == resource.RLIM_INFINITY else min(nproc, 4096)
        return ["--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", f"nproc={nproc}:{nproc}"]

    def command(self, *args: str) -> list[str]:
        return [self.name, *self.global_args(), *args]

    def run(
        self, *args: str, check: bool = True, timeout: float = 600, quiet: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run an engine command; its output is returned (and printed when it fails)."""
        result = subprocess.run(  # noqa: S603  (the engine, with this script's own arguments)
            self.command(*args), capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            if not quiet:
                sys.stdout.write(result.stdout[-4000:])
                sys.stdout.write(result.stderr[-4000:])
            raise RuntimeError(f"{self.name} {' '.join(args[:2])} failed with status {result.returncode}")
        return result

    def stream(self, *args: str, timeout: float = 1800) -> None:
        """Run an engine command with its output shown as it comes (builds)."""
        subprocess.run(self.command(*args), check=True, timeout=timeout)  # noqa: S603  (as above)

    def exists(self, kind: str, name: str) -> bool:
        """Whether a container, volume or image of this name is there."""
        return self.run(kind, "inspect", name, check=False, quiet=True).returncode == 0

    def remove(self, kind: str, name: str) -> None:
        """Remove a container, volume or image by name; nothing happens when it is not there."""
        if kind == "container":
            self.run("rm", "--force", "--volumes", name, check=False)  # with its anonymous /data
        elif kind == "volume":
            self.run("volume", "rm", "--force", name, check=False)
        elif kind == "image":
            self.run("image", "rm", "--force", name, check=False)


def docker_daemon_answers() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    try:
        answer = subprocess.run([docker, "info"], capture_output=True, timeout=20, check=False)  # noqa: S603
        return answer.returncode == 0
    except subprocess.TimeoutExpired:
        return False


def find_engine() -> Engine:
    chosen = os.environ.get("STEM_CONTAINER_ENGINE", "")
    if chosen:
        return Engine(chosen)
    if docker_daemon_answers():
        return Engine("docker")
    if shutil.which("podman"):
        return Engine("podman")
    if shutil.which("docker"):
        raise SystemExit("docker is installed but its daemon does not answer, and podman is not installed")
    raise SystemExit("neither docker nor podman is installed (Debian: apt-get install podman)")


def build(engine: Engine, tag: str, base_image: str | None = None) -> None:
    """Build the production image from the project's Dockerfile, with this machine's pip settings
    as build secrets (ops/image/pip_build_config.py): used while pip runs, never stored."""
    sys.path.insert(0, str(HERE))
    import pip_build_config

    with tempfile.TemporaryDirectory(prefix="stem-pip-") as secrets:
        for note in pip_build_config.write(Path(secrets)):
            log(f"pip settings for the build: left out {note}")
        args = ["build", "--tag", tag, "--file", str(PROJECT / "Dockerfile")]
        args += ["--secret", f"id=pip.conf,src={secrets}/pip.conf"]
        args += ["--secret", f"id=pip-ca.pem,src={secrets}/pip-ca.pem"]
        if base_image:
            args += ["--build-arg", f"BASE_IMAGE={base_image}"]
        if engine.is_podman:
            # Docker's image format keeps the HEALTHCHECK (OCI's has no place for it).
            args += ["--format", "docker", *engine.limit_args()]
        else:
            # Docker passes these to the build without storing them; Podman does so by itself.
            for name in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
                if os.environ.get(name):
                    args += ["--build-arg", name]
        env_note = "" if engine.name == "docker" else " (podman)"
        log(f"building {tag} from {base_image or OFFICIAL_BASE}{env_note}")
        if not engine.is_podman:
            os.environ.setdefault("DOCKER_BUILDKIT", "1")
        engine.stream(*args, str(PROJECT))


class Timer:
    """Each step's time, printed at the end."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float, str]] = []

    def step(self, name: str) -> _Step:
        return _Step(self, name)

    def report(self) -> None:
        log("times:")
        for name, seconds, outcome in self.steps:
            print(f"    {seconds:7.1f} s  {outcome:4}  {name}", flush=True)


class _Step:
    def __init__(self, timer: Timer, name: str) -> None:
        self.timer = timer
        self.name = name

    def __enter__(self) -> _Step:
        log(f"-- {self.name}")
        self.started = time.monotonic()
        return self

    def __exit__(self, kind: object, *_rest: object) -> None:
        outcome = "ok" if kind is None else "FAIL"
        self.timer.steps.append((self.name, time.monotonic() - self.started, outcome))


def main(argv: Sequence[str]) -> int:
    """`make image`: python3 ops/image/engine.py build TAG [BASE_IMAGE]"""
    if len(argv) < 3 or argv[1] != "build":
        print("usage: engine.py build TAG [BASE_IMAGE]", file=sys.stderr)
        return 2
    engine = find_engine()
    base = argv[3] if len(argv) > 3 and argv[3] else None
    try:
        build(engine, argv[2], base)
    except subprocess.CalledProcessError as error:
        log(f"the build failed (status {error.returncode})")
        if base is None:
            log(
                f"if {OFFICIAL_BASE} cannot be pulled here: `make test-image` bootstraps a Debian 12 base "
                "from Debian's packages, then `make image BASE_IMAGE=localhost/stem-base:debian12`"
            )
        return 1
    log(f"built {argv[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
