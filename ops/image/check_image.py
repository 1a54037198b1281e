"""`make test-image`: build the production image and check it the way a centre would run it.

1. The base: the official Python image when it can be pulled, else Debian 12 bootstrapped from
   Debian's own packages (bootstrap.py), kept as localhost/stem-base:debian12 for the next run.
2. The build (Dockerfile, with this machine's pip settings as build secrets only).
3. What is in the image: no tests, no .git, no caches, no build tools, nothing of this machine
   (pip configuration, CA bundle, proxy settings).
4. Production mode without STEM_SECRET_KEY refuses to start, saying why.
5. The server on a data volume: /readyz ready with migrations at head, the image's own
   HEALTHCHECK healthy, a non-root server that cannot write the application's files.
6. A participant joins and writes an entry through the HTTP API; the container is removed and a
   new one started on the same volume; the entry is still there.

It prints the image's size and each step's time, and removes its containers, volume and image
by name, and the build stage's untagged images by their label (also when a check fails).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bootstrap import bootstrap
from engine import OFFICIAL_BASE, Engine, Timer, build, find_engine, log

PREFIX = "stem-test-image"
IMAGE = f"localhost/{PREFIX}:latest"
VOLUME = f"{PREFIX}-data"
SERVER = f"{PREFIX}-server"
NO_KEY = f"{PREFIX}-no-key"
BOOTSTRAPPED_BASE = "localhost/stem-base:debian12"
SESSION_COOKIE = "__Host-stem_session"
TEAM = "Image test team"


class CheckFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(
    port: int, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, str]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:  # noqa: S310  (http://127.0.0.1 only)
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def wait_ready(engine: Engine, port: int, container: str, seconds: float = 120) -> dict[str, str]:
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, _headers, text = request(port, "GET", "/readyz")
            last = f"{status} {text}"
            if status == 200:
                return dict(json.loads(text))
        except (OSError, http.client.HTTPException) as error:
            last = str(error)
        state = engine.run("inspect", "--format", "{{.State.Status}}", container, check=False).stdout.strip()
        if state not in ("running", "created", "configured", "initialized"):
            print_logs(engine, container)
            raise CheckFailed(f"the container stopped ({state}) before /readyz answered")
        time.sleep(1)
    print_logs(engine, container)
    raise CheckFailed(f"/readyz not ready within {seconds:.0f} s (last answer: {last})")


def print_logs(engine: Engine, container: str) -> None:
    logs = engine.run("logs", container, check=False)
    print((logs.stdout + logs.stderr)[-3000:], flush=True)


def start_server(engine: Engine, port: int, env: dict[str, str]) -> None:
    env_args = [arg for name in env for arg in ("--env", name)]
    engine.run(
        "run", "--detach", "--name", SERVER, "--publish", f"127.0.0.1:{port}:8000",
        "--volume", f"{VOLUME}:/data", *env_args, *engine.limit_args(), IMAGE,
    )  # fmt: skip


def in_container(engine: Engine, *command: str, user: str | None = None) -> str:
    user_args = ["--user", user] if user else []
    return engine.run("exec", *user_args, SERVER, *command).stdout


# Run inside the image as root: lists what should not be there. The CA bundle of this machine is
# recognised by its content (same size, same SHA-256), wherever it was copied to.
CONTENTS_SCRIPT = r"""
import hashlib, json, os, sys, sysconfig
ca_size, ca_sha = int(sys.argv[1]), sys.argv[2]
# When this machine's bundle is the public one that the image has anyway, a copy is harmless.
try:
    with open("/etc/ssl/certs/ca-certificates.crt", "rb") as handle:
        if hashlib.sha256(handle.read()).hexdigest() == ca_sha:
            ca_size = -1
except OSError:
    pass
site = sysconfig.get_paths(vars={"base": "/opt/venv", "platbase": "/opt/venv"})["purelib"]
found = []
for root, dirs, files in os.walk("/", topdown=True):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev")]
    for name in dirs:
        path = os.path.join(root, name)
        if name in (".git", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".cache"):
            found.append("cache or repository: " + path)
        if name == "tests" and path.startswith(os.path.join(site, "app")):
            found.append("the project's tests: " + path)
    for name in files:
        path = os.path.join(root, name)
        if name in ("pip.conf", "pip.ini", "pip-ca.pem"):
            found.append("pip configuration: " + path)
        if name in ("gcc", "cc", "c++", "make", "git") and "/bin" in root:
            found.append("build tool: " + path)
        try:
            if os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) == ca_size:
                with open(path, "rb") as handle:
                    if hashlib.sha256(handle.read()).hexdigest() == ca_sha:
                        found.append("this machine's CA bundle: " + path)
        except OSError:
            pass
for top in ("/src", "/wheels", "/root/.cache", "/data/.cache", "/var/lib/apt/lists/partial"):
    if os.path.exists(top) and (os.path.isfile(top) or os.listdir(top)):
        found.append("left from the build: " + top)
for package in ("pip", "setuptools", "wheel"):
    if os.path.exists(os.path.join(site, package)):
        found.append("build tool in the server's venv: " + package)
if os.path.isdir("/run/secrets") and os.listdir("/run/secrets"):
    found.append("build secrets: /run/secrets")
print(json.dumps(found))
"""

WRITE_SCRIPT = r"""
import os, sysconfig, app
package = os.path.dirname(app.__file__)
targets = [os.path.join(package, "__init__.py"), os.path.join(package, "new_file.py"),
           "/opt/venv/bin/stem", "/opt/venv/pyvenv.cfg"]
written = []
for target in targets:
    try:
        with open(target, "a"):
            written.append(target)
    except PermissionError:
        pass
print(os.getuid(), " ".join(written) or "-")
"""


def ca_fingerprint() -> tuple[int, str]:
    import hashlib

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pip_build_config

    bundle = pip_build_config.ca_bundle(pip_build_config.machine_settings())
    if bundle is None:
        return -1, ""
    data = bundle.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def check_contents(engine: Engine) -> None:
    size, sha = ca_fingerprint()
    command = ["run", "--rm", "--user", "0", "--entrypoint", "python3", *engine.limit_args(), IMAGE]
    found = json.loads(engine.run(*command, "-c", CONTENTS_SCRIPT, str(size), sha).stdout)
    config = json.loads(engine.run("image", "inspect", IMAGE).stdout)[0]
    env = config.get("Config", {}).get("Env") or []
    machine_settings = re.compile(r"(?i)(https?_proxy|no_proxy|pip_|ssl_cert|requests_ca)")
    found += [
        f"build machine setting in the image's environment: {item.split('=')[0]}"
        for item in env
        if machine_settings.match(item)
    ]
    history = engine.run("history", "--no-trunc", "--format", "{{.CreatedBy}}", IMAGE).stdout
    if re.search(
        r"(?i)proxy=|pip-ca\.pem,src|/run/secrets/pip\.conf ", history.replace("PIP_CONFIG_FILE=", "")
    ):
        found.append("build machine setting in the image's history")
    check(not found, "the image holds what it should not:\n  " + "\n  ".join(found))
    log("no tests, .git, caches, build tools, pip configuration, CA copy or proxy settings in the image")


def check_healthcheck(engine: Engine) -> None:
    if engine.is_podman:
        # Podman runs HEALTHCHECKs from systemd timers; without systemd, run the image's own check.
        result = engine.run("healthcheck", "run", SERVER, check=False)
        check(result.returncode == 0, f"HEALTHCHECK failed: {result.stdout}{result.stderr}")
    deadline = time.monotonic() + 90
    status = ""
    while time.monotonic() < deadline:
        # Docker's field; Podman before 4.6 or so has only .State.Healthcheck.
        for fmt in ("{{.State.Health.Status}}", "{{.State.Healthcheck.Status}}"):
            answer = engine.run("inspect", "--format", fmt, SERVER, check=False)
            status = answer.stdout.strip()
            if answer.returncode == 0 and status:
                break
        if status == "healthy":
            log("the image's HEALTHCHECK reports healthy")
            return
        time.sleep(2)
    raise CheckFailed(f"HEALTHCHECK status is {status!r}, not healthy")


def join_and_write(engine: Engine, port: int, password: str) -> str:
    in_container(engine, "stem", "create-team", TEAM)
    invitation = in_container(engine, "stem", "invite", "--team", TEAM)
    code = re.search(r"code: (\S+)", invitation)
    check(code is not None, f"no invitation code in: {invitation}")
    assert code is not None
    status, headers, text = request(
        port, "POST", "/api/v1/auth/register",
        {"invitation_code": code.group(1), "username": "imagetest", "display_name": "Image Test",
         "password": password},
    )  # fmt: skip
    check(status == 201, f"joining answered {status}: {text[:300]}")
    body = f"Written through the API at {time.time():.0f}, kept across containers"
    status, _headers, text = request(
        port, "POST", "/api/v1/entries", {"kind": "thought", "body": body},
        headers=session_headers(headers, json.loads(text)),
    )  # fmt: skip
    check(status == 201, f"creating the entry answered {status}: {text[:300]}")
    log(f"participant joined and wrote entry {json.loads(text)['id']}")
    return body


def session_headers(headers: http.client.HTTPMessage, me: dict[str, str]) -> dict[str, str]:
    for value in headers.get_all("Set-Cookie") or []:
        match = re.match(rf"{re.escape(SESSION_COOKIE)}=([^;]+)", value)
        if match:
            return {"Cookie": f"{SESSION_COOKIE}={match.group(1)}", "X-CSRF-Token": me["csrf_token"]}
    raise CheckFailed(f"no {SESSION_COOKIE} cookie in the answer")


def read_back(port: int, password: str, body: str) -> None:
    status, headers, text = request(
        port, "POST", "/api/v1/auth/login", {"username": "imagetest", "password": password}
    )
    check(status == 200, f"signing in again answered {status}: {text[:300]}")
    status, _headers, text = request(
        port, "GET", "/api/v1/entries", headers=session_headers(headers, json.loads(text))
    )
    check(status == 200, f"listing entries answered {status}: {text[:300]}")
    bodies = [item.get("body") for item in json.loads(text).get("items", [])]
    check(body in bodies, f"the entry is gone after the restart; entries: {bodies}")
    log("the entry is still there in a new container on the same volume")


def pull(engine: Engine, image: str) -> subprocess.CompletedProcess[str]:
    try:
        return engine.run("pull", image, check=False, timeout=180)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess([], 1, "", "no answer within 180 s")


def run_checks(engine: Engine, timer: Timer) -> None:
    with timer.step("base image"):
        base = os.environ.get("STEM_BASE_IMAGE", "")
        if not base:
            pulled = pull(engine, OFFICIAL_BASE)
            if pulled.returncode == 0:
                base = OFFICIAL_BASE
                log(f"pulled the official base {OFFICIAL_BASE}")
            else:
                reason = (pulled.stderr.strip().splitlines() or ["?"])[-1]
                log(f"the official base cannot be pulled here ({reason[:200]})")
                base = BOOTSTRAPPED_BASE
                if engine.exists("image", base):
                    log(f"using {base}, bootstrapped before (remove it to bootstrap again)")
                else:
                    bootstrap(engine, "bookworm", base)
    with timer.step("build"):
        build(engine, IMAGE, None if base == OFFICIAL_BASE else base)
    size = int(json.loads(engine.run("image", "inspect", IMAGE).stdout)[0]["Size"])
    log(f"image size: {size / 1e6:.0f} MB ({size} bytes) on base {base}")

    with timer.step("contents: no tests, .git, caches, build tools or build machine settings"):
        check_contents(engine)

    with timer.step("production mode refuses to start without STEM_SECRET_KEY"):
        result = engine.run("run", "--name", NO_KEY, *engine.limit_args(), IMAGE, check=False, timeout=120)
        engine.remove("container", NO_KEY)
        output = result.stdout + result.stderr
        check(result.returncode != 0, "the container started without STEM_SECRET_KEY")
        check("STEM_SECRET_KEY is missing" in output, f"no clear message; output ends: {output[-800:]}")
        log(f"exit status {result.returncode}, saying: STEM_SECRET_KEY is missing ...")

    port = free_port()
    password = secrets.token_urlsafe(18)
    env = {
        "STEM_SECRET_KEY": secrets.token_urlsafe(48),
        "STEM_ENCRYPTION_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "STEM_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    os.environ.update(env)  # passed by name: the values never appear in a command line
    engine.run("volume", "create", VOLUME)
    with timer.step("start on a data volume, /readyz at head"):
        start_server(engine, port, env)
        ready = wait_ready(engine, port, SERVER)
        check(ready.get("migrations") == "at head", f"/readyz: {ready}")
        log(f"/readyz: {ready}")
    with timer.step("the image's HEALTHCHECK"):
        check_healthcheck(engine)
    with timer.step("non-root server that cannot write the application's files"):
        uid_line = [
            line
            for line in in_container(engine, "cat", "/proc/1/status").splitlines()
            if line.startswith("Uid:")
        ]
        check(bool(uid_line) and uid_line[0].split()[1] != "0", f"the server runs as root: {uid_line}")
        uid, written = in_container(engine, "python", "-c", WRITE_SCRIPT).split(maxsplit=1)
        check(uid != "0", "exec runs as root")
        check(written.strip() == "-", f"the server's user can write: {written}")
        log(f"server uid {uid_line[0].split()[1]}; application files and venv not writable")
    with timer.step("an entry written through the API"):
        body = join_and_write(engine, port, password)
    with timer.step("container removed, a new one on the same volume keeps the entry"):
        engine.remove("container", SERVER)
        start_server(engine, port, env)
        wait_ready(engine, port, SERVER)
        read_back(port, password, body)


def clean_up(engine: Engine) -> None:
    for name in (SERVER, NO_KEY):
        engine.remove("container", name)
    engine.remove("volume", VOLUME)
    engine.remove("image", IMAGE)
    # The build stage's images, untagged, found by the label the Dockerfile gives them.
    engine.run("image", "prune", "--force", "--filter", "label=stem.stage=build", check=False)


def main() -> int:
    engine = find_engine()
    log(f"container engine: {engine.name} {' '.join(engine.global_args())}".rstrip())
    timer = Timer()
    started = time.monotonic()
    status = 0
    clean_up(engine)
    try:
        run_checks(engine, timer)
    except (CheckFailed, RuntimeError, subprocess.SubprocessError) as error:
        log(f"FAILED: {error}")
        status = 1
    finally:
        with timer.step("clean up (containers, volume, image)"):
            clean_up(engine)
        timer.report()
        log(f"total {time.monotonic() - started:.0f} s; {'all checks passed' if status == 0 else 'FAILED'}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
