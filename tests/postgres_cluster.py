"""A throw-away PostgreSQL cluster for the test run, when no server answers but the server's
programs are installed (Debian's `postgresql` package): `initdb` and `pg_ctl` in a temporary
directory, on a free port on 127.0.0.1, trust authentication, removed at the end of the run.

PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user (which the
Debian package creates); where there is none, no cluster is started and the reason is given.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Cluster:
    directory: Path
    port: int
    pg_ctl: str
    run_as: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, self.pg_ctl, "-D", str(self.directory / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def _programs() -> tuple[str, str] | None:
    """initdb and pg_ctl: on the PATH, or in Debian's versioned directory (newest first)."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    for bin_dir in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name), reverse=True
    ):
        if os.access(f"{bin_dir}/initdb", os.X_OK) and os.access(f"{bin_dir}/pg_ctl", os.X_OK):
            return f"{bin_dir}/initdb", f"{bin_dir}/pg_ctl"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start() -> tuple[Cluster | None, str]:
    """A running cluster, or None and why not."""
    programs = _programs()
    if programs is None:
        return None, "the PostgreSQL server programs (initdb, pg_ctl) are not installed"
    initdb, pg_ctl = programs
    directory = Path(tempfile.mkdtemp(prefix="stem-postgres-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(directory, ignore_errors=True)
            return None, "PostgreSQL does not run as root, and there is no 'postgres' user to run it as"
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(directory, _free_port(), pg_ctl, run_as)
    data = directory / "data"
    steps = [
        [*run_as, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
        [
            *run_as,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(directory / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {cluster.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            cluster.stop()
            return None, f"starting a throw-away PostgreSQL failed: {why[0]}"
    return cluster, ""
