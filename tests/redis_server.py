"""Redis for the test run: the server at STEM_TEST_REDIS_URL (default 127.0.0.1:6379) when one
answers; otherwise, where Debian's `redis-server` is installed, a throw-away one of the suite's
own (on a free port on 127.0.0.1, no persistence, stopped at the end of the run), as
tests/postgres_cluster.py does for PostgreSQL."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SERVER = os.environ.get("STEM_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@dataclass
class OwnServer:
    process: subprocess.Popen[bytes]
    directory: Path
    port: int

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def find() -> tuple[str | None, OwnServer | None, str]:
    """(the base URL, a server of our own to stop at the end or None, why there is none)."""
    if _answers(SERVER):
        return SERVER, None, ""
    program = shutil.which("redis-server")
    unreachable = f"Redis at {SERVER} is not reachable"
    if os.environ.get("STEM_TEST_OWN_REDIS", "1") != "1":
        return None, None, f"{unreachable}, and STEM_TEST_OWN_REDIS=0 asks for no server of the suite's own"
    if program is None:
        return None, None, f"{unreachable}, and redis-server is not installed"
    directory = Path(tempfile.mkdtemp(prefix="stem-redis-"))
    port = _free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    own = OwnServer(process, directory, port)
    url = f"redis://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _answers(url):
            return url, own, ""
        time.sleep(0.05)
    own.stop()
    return None, None, f"{unreachable}, and a throw-away redis-server did not start"
