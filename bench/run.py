"""`make bench`: the real server under a real load generator, on SQLite and then on PostgreSQL.

For each database: a fresh database (a temporary SQLite file, or a uniquely named PostgreSQL
database that is dropped afterwards), migrated and seeded in bulk (`bench.seed`), then
`stem serve` in production mode on 127.0.0.1, driven by wrk (bench/load.lua) with one connection
per wrk thread, so each request is timed per endpoint:

- the ceiling: a bare FastAPI hello (`bench/bare.py`, `async def`, the same uvicorn settings, its
  own process), started by the same run; every figure is reported as a ratio to it (issue 19);
- Stem's own `/healthz` (all middleware, no database): a row like the others, not the ceiling;
- each endpoint on its own: create entry, list journal, share, clinician dashboard, preparation;
- the mix (40% create, 30% list, 10% share, 10% dashboard, 10% preparation);
- a load curve: hello, create and the mix at 1 … 64 connections (latency against throughput);
- on PostgreSQL, a second pass with two worker processes, which also checks that sessions, the
  login throttle and replayed saves behave exactly as with one process.

Queries per request are counted in-process against the same seeded database (a SQLAlchemy
event listener), not in the measured server. The server's peak RSS is sampled from /proc.
Results: bench/results/<date>.json, <date>.md and <date>.png.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "load.lua"
RESULTS = ROOT / "bench" / "results"
POSTGRES_ADMIN = os.environ.get("STEM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
ENDPOINTS = ("create", "list", "share", "dashboard", "prepare")
EXTRA_PAGES = ("journal_page", "prepare_page")
LABELS = {
    "bare": "GET /healthz of a bare FastAPI hello (the ceiling)",
    "hello": "GET /healthz (Stem's whole stack)",
    "create": "POST /api/v1/entries (create entry)",
    "list": "GET /api/v1/entries (journal list)",
    "share": "POST /api/v1/shares (share)",
    "dashboard": "GET /api/v1/clinician/participants (dashboard)",
    "prepare": "GET /api/v1/clinician/participants/{id}/entries (preparation)",
    "journal_page": "GET /journal (journal page, HTML)",
    "prepare_page": "GET /clinician/participants/{id} (preparation page, HTML)",
}
PASSWORD_ENV = "STEM_BENCH_PASSWORD"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- databases ------------------------------------------------------------------------------------


@contextlib.contextmanager
def prepared_database(kind: str, workdir: Path) -> Iterator[dict[str, str]]:
    """Environment for a fresh, empty Stem database of this kind; removed afterwards."""
    data_dir = workdir / f"data-{kind}"
    data_dir.mkdir()
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env = {
        "STEM_MODE": "production",
        "STEM_SECRET_KEY": secrets.token_urlsafe(48),
        "STEM_DATA_DIR": str(data_dir),
        "STEM_ENCRYPTION_KEYS": f"bench:{key}",
        "STEM_DATABASE_URL": "",
    }
    if kind == "sqlite":
        yield env
        return
    import psycopg

    name = f"stem_bench_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env["STEM_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        yield env
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEM_")}
    env.update(extra)
    return env


def migrate_and_seed(env: dict[str, str], seed_args: list[str], manifest: Path) -> dict[str, Any]:
    subprocess.run([str(BIN / "stem"), "migrate"], env=child_env(env), check=True, cwd=ROOT)
    started = time.perf_counter()
    command = [sys.executable, "-m", "bench.seed", "--manifest", str(manifest), *seed_args]
    subprocess.run(command, env=child_env(env), check=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    data: dict[str, Any] = json.loads(manifest.read_text())
    data["seed_seconds"] = round(seconds, 1)
    return data


# --- the server -------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    workers: int

    def pids(self) -> list[int]:
        """The server process and its worker processes."""
        found = [self.process.pid]
        index = 0
        while index < len(found):
            pid = found[index]
            index += 1
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                with contextlib.suppress(OSError):
                    found += [int(child) for child in task.read_text().split()]
        return found


@contextlib.contextmanager
def running_server(env: dict[str, str], workers: int, log_path: Path, bare: bool = False) -> Iterator[Server]:
    """`stem serve`, or with `bare` the bare FastAPI hello of bench/bare.py (same uvicorn settings)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # As in the Dockerfile: two malloc arenas, not eight per core for 40 threads (RSS).
    server_env = child_env({**env, "STEM_PUBLIC_BASE_URL": base_url, "MALLOC_ARENA_MAX": "2"})
    if bare:
        command, ready_path = [str(BIN / "python"), "-m", "bench.bare", str(port)], "/healthz"
    else:
        command = [str(BIN / "stem"), "serve", "--port", str(port), "--workers", str(workers)]
        ready_path = "/readyz"
    with log_path.open("ab") as server_log:
        process = subprocess.Popen(
            command,
            env=server_env,
            cwd=ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, base_url, workers)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped; see {log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base_url + ready_path, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not become ready; see {log_path}")
            time.sleep(0.2)
        if workers > 1:  # wait until every worker has started
            while len(server.pids()) < workers + 1 and time.monotonic() < deadline:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class RssSampler:
    """Peak resident memory of the server's processes while a run lasts (from /proc, every 100 ms)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak_process_kib = 0
        self.peak_total_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self.server.pids():
                with contextlib.suppress(OSError):
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            kib = int(line.split()[1])
                            total += kib
                            self.peak_process_kib = max(self.peak_process_kib, kib)
            self.peak_total_kib = max(self.peak_total_kib, total)
            self._stop.wait(0.1)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- sessions for the load ---------------------------------------------------------------------------


def sign_in(base_url: str, username: str, password: str) -> dict[str, str]:
    with httpx.Client(base_url=base_url, timeout=120) as client:
        response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
        response.raise_for_status()
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return {"cookie": cookie, "csrf": response.json()["csrf_token"]}


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


def write_sessions(env: dict[str, str], manifest_path: Path, path: Path, participants: int) -> int:
    """Login sessions for a sample of participants and the clinicians they shared with, as DATA.lua."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", "sessions", str(manifest_path), str(participants)],
        env=child_env(env),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    made = json.loads(completed.stdout.strip().splitlines()[-1])
    lines = ["return {", "  participants = {"]
    for session in made["participants"]:
        lines.append(
            f"    {{ cookie = {lua_string(session['cookie'])}, csrf = {lua_string(session['csrf'])} }},"
        )
    lines += ["  },", "  clinicians = {"]
    for session in made["clinicians"]:
        ids = ", ".join(lua_string(i) for i in session["participants"])
        lines.append(f"    {{ cookie = {lua_string(session['cookie'])}, participants = {{ {ids} }} }},")
    lines += ["  },", "}"]
    path.write_text("\n".join(lines) + "\n")
    return len(made["participants"]) + len(made["clinicians"])


# --- wrk ---------------------------------------------------------------------------------------------


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    rank = max(1, round(q / 100 * len(ordered) + 0.5))  # nearest rank
    return ordered[min(rank, len(ordered)) - 1]


def summarise(latencies_us: list[float], errors: int, seconds: float) -> dict[str, Any]:
    ordered = sorted(latencies_us)
    ms = [value / 1000 for value in ordered]
    return {
        "requests": len(ms),
        "rps": round(len(ms) / seconds, 1),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(ms[-1], 2) if ms else None,
        "errors": errors,
    }


def run_wrk(
    server: Server, data_lua: Path, mode: str, connections: int, seconds: int, out: Path
) -> dict[str, Any]:
    for old in out.parent.glob(out.name + ".*"):
        old.unlink()
    summary_path = out.with_name(out.name + ".summary")
    command = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        server.base_url,
        "--",
        str(data_lua),
        mode,
        str(out),
    ]
    with RssSampler(server) as rss:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, "STEM_BENCH_SUMMARY": str(summary_path)},
        )
    out.with_name(out.name + ".log").write_text(completed.stdout + completed.stderr)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    duration_us, requests, connect, read, write, status, timeout = map(int, summary_path.read_text().split())
    summary = {
        "seconds": round(duration_us / 1e6, 2),
        "requests": requests,
        "socket_errors": connect + read + write + timeout,
        "http_errors": status,
    }
    latencies: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    refused: dict[str, int] = {}  # "endpoint status": count, for the failed requests
    for part in out.parent.glob(out.name + ".[0-9]*"):
        for line in part.read_text().splitlines():
            name, code, micros = line.split("\t")
            latencies.setdefault(name, []).append(float(micros))
            # A redirect is a failure too: no endpoint here redirects unless the session was refused.
            if int(code) >= 300:
                failures[name] = failures.get(name, 0) + 1
                refused[f"{name} {code}"] = refused.get(f"{name} {code}", 0) + 1
    endpoints = {name: (values, failures.get(name, 0)) for name, values in latencies.items()}
    seconds_run = summary["seconds"]
    result = {
        "mode": mode,
        "connections": connections,
        **summary,
        "rps": round(summary["requests"] / seconds_run, 1),
        "peak_rss_mib": round(rss.peak_process_kib / 1024, 1),
        "peak_rss_total_mib": round(rss.peak_total_kib / 1024, 1),
        "refused": refused,
        "endpoints": {
            name: summarise(latencies, errors, seconds_run) for name, (latencies, errors) in endpoints.items()
        },
    }
    all_latencies = sorted(v for latencies, _ in endpoints.values() for v in latencies)
    result["all"] = summarise(all_latencies, sum(e for _, e in endpoints.values()), seconds_run)
    return result


# --- queries per request -------------------------------------------------------------------------------


def count_queries(env: dict[str, str], manifest_path: Path) -> dict[str, dict[str, float]]:
    """Statements and CPU ms per request for each endpoint, in a child process with the same
    settings ({"statements": {...}, "cpu_ms": {...}})."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", "queries", str(manifest_path)],
        env=child_env(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"counting queries failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


# --- scale-out checks ------------------------------------------------------------------------------------


def shared_state_checks(server: Server, manifest: dict[str, Any], victim_index: int) -> dict[str, Any]:
    """What must not depend on which process answers: sessions, the login throttle, replayed saves.

    Every request goes over a new connection, so the kernel spreads them over the workers.
    """
    fresh = httpx.Limits(max_keepalive_connections=0)
    password = manifest["password"]
    participant = manifest["participants"][0]
    victim = manifest["participants"][victim_index]  # a different one per pass: throttles last 15 min
    results: dict[str, Any] = {}

    # 1. A session made by one process is honoured by every process.
    session = sign_in(server.base_url, participant["username"], password)
    headers = {"Cookie": session["cookie"]}
    with httpx.Client(base_url=server.base_url, limits=fresh, timeout=30) as client:
        statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(60)]
    results["session_requests"] = len(statuses)
    results["session_ok"] = statuses.count(200)

    # 2. The login throttle counts failures across processes: after the allowed number of wrong
    #    passwords, even the right password is refused for a while.
    with httpx.Client(base_url=server.base_url, limits=fresh, timeout=30) as client:
        wrong = [
            client.post(
                "/api/v1/auth/login", json={"username": victim["username"], "password": "not the password"}
            ).status_code
            for _ in range(int(manifest.get("max_failures_per_account", 5)))
        ]
        right = client.post("/api/v1/auth/login", json={"username": victim["username"], "password": password})
    results["throttle_wrong_statuses"] = sorted(set(wrong))
    results["throttle_then_right_password_status"] = right.status_code

    # 3. One offline save replayed 16 times at once: stored exactly once.
    entry_id = str(uuid.uuid4())
    body = {"id": entry_id, "kind": "question", "body": "Replayed from the outbox: is this kept once?"}

    def replay(_: int) -> int:
        with httpx.Client(base_url=server.base_url, limits=fresh, timeout=30) as client:
            return client.post(
                "/api/v1/entries",
                json=body,
                headers={"Cookie": session["cookie"], "X-CSRF-Token": session["csrf"]},
            ).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        replays = list(pool.map(replay, range(16)))
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        listed = client.get("/api/v1/entries", params={"limit": 100}, headers=headers).json()
    results["replay_statuses"] = {str(code): replays.count(code) for code in sorted(set(replays))}
    results["replay_rows"] = sum(1 for item in listed["items"] if item["id"] == entry_id)
    return results


# --- one database ---------------------------------------------------------------------------------------


@dataclass
class Options:
    databases: list[str]
    scale: str
    seed_args: list[str]
    seconds: int
    connections: int
    curve: list[int]
    curve_seconds: int
    participants: int
    workdir: Path
    results: dict[str, Any] = field(default_factory=dict)


def bench_database(kind: str, options: Options) -> dict[str, Any]:
    workdir = options.workdir / kind
    workdir.mkdir()
    manifest_path = workdir / "manifest.json"
    data_lua = workdir / "sessions.lua"
    server_log = workdir / "server.log"
    result: dict[str, Any] = {"database": kind}
    with prepared_database(kind, workdir) as env:
        log(f"{kind}: migrating and seeding ({options.scale})")
        manifest = migrate_and_seed(env, options.seed_args, manifest_path)
        result["seed"] = manifest["seed"]
        log(f"{kind}: seeded {manifest['seed']['entries']} entries in {manifest['seed']['seconds']} s")
        costs = count_queries(env, manifest_path)
        result["queries_per_request"] = costs["statements"]
        result["cpu_ms_per_request"] = costs["cpu_ms"]
        signed_in = write_sessions(env, manifest_path, data_lua, options.participants)
        log(f"{kind}: {signed_in} login sessions for the load")
        log(f"{kind}: queries per request {result['queries_per_request']}")
        log(f"{kind}: CPU ms per request, in-process {result['cpu_ms_per_request']}")

        # The ceiling first, measured in this run with the same load generator and settings.
        with running_server(env, 1, server_log, bare=True) as bare:
            out = workdir / "out.tsv"
            run_wrk(bare, data_lua, "hello", options.connections, 3, out)  # warm-up
            result["bare"] = run_wrk(bare, data_lua, "hello", options.connections, options.seconds, out)
            log(f"{kind}: bare FastAPI hello {result['bare']['rps']} req/s (the ceiling)")

        passes = [1, 2] if kind == "postgresql" else [1]
        for workers in passes:
            label = f"workers_{workers}"
            with running_server(env, workers, server_log) as server:
                out = workdir / "out.tsv"
                log(f"{kind}/{workers}w: warming up")
                run_wrk(server, data_lua, "mix", options.connections, 5, out)
                runs: dict[str, Any] = {}
                modes = ["hello", *ENDPOINTS, *EXTRA_PAGES, "mix"] if workers == 1 else ["hello", "mix"]
                for mode in modes:
                    runs[mode] = run_wrk(server, data_lua, mode, options.connections, options.seconds, out)
                    run = runs[mode]
                    shown = run["endpoints"].get(mode, run["all"])
                    errors = run["http_errors"] + run["socket_errors"]
                    log(
                        f"{kind}/{workers}w {mode:13s} {shown['rps']:8.1f} req/s  "
                        f"p50 {shown['p50_ms']:7.2f} ms  p99 {shown['p99_ms']:7.2f} ms  "
                        f"errors {errors} {run['refused'] or ''}  rss {run['peak_rss_mib']} MiB"
                    )
                curve: dict[str, list[dict[str, Any]]] = {}
                if workers == 1:
                    for mode in ("hello", "create", "mix"):
                        curve[mode] = []
                        for connections in options.curve:
                            point = run_wrk(server, data_lua, mode, connections, options.curve_seconds, out)
                            curve[mode].append(
                                {
                                    "connections": connections,
                                    "rps": point["rps"],
                                    "p50_ms": point["all"]["p50_ms"],
                                    "p99_ms": point["all"]["p99_ms"],
                                    "errors": point["http_errors"] + point["socket_errors"],
                                }
                            )
                        log(f"{kind}: curve {mode}: {[(p['connections'], p['rps']) for p in curve[mode]]}")
                checks = shared_state_checks(server, manifest, victim_index=-1 - workers)
                log(f"{kind}/{workers}w: shared-state checks {checks}")
            result[label] = {"runs": runs, "curve": curve, "checks": checks}
    return result


# --- report ----------------------------------------------------------------------------------------------


def endpoint_row(
    result: dict[str, Any], mode: str, queries: dict[str, float], cpu_ms: dict[str, float] | None = None
) -> dict[str, Any]:
    runs = result["workers_1"]["runs"]
    run = result["bare"] if mode == "bare" else runs[mode]
    figures = run["endpoints"].get("hello" if mode == "bare" else mode, run["all"])
    ceiling = result["bare"]["all"]["rps"]
    return {
        "endpoint": mode,
        **figures,
        "errors": figures["errors"] + run["socket_errors"],
        "ratio_to_bare": round(figures["rps"] / ceiling, 3) if ceiling else None,
        "peak_rss_mib": run["peak_rss_mib"],
        "queries_per_request": queries.get(mode),
        "cpu_ms_per_request": (cpu_ms or {}).get(mode),
    }


def targets(result: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """Issue 19's targets, each a ratio to the bare FastAPI hello of the same run."""
    kind = result["database"]

    def ratio(mode: str) -> float:
        return float(endpoint_row(result, mode, {})["ratio_to_bare"] or 0)

    create = endpoint_row(result, "create", {})
    mix = result["workers_1"]["runs"]["mix"]
    every_run = [r for w in ("workers_1", "workers_2") if w in result for r in result[w]["runs"].values()]
    rss = max(r["peak_rss_mib"] for r in result["workers_1"]["runs"].values())
    errors = sum(r["http_errors"] + r["socket_errors"] for r in every_run)
    create_target = 0.15 if kind == "sqlite" else 0.08
    checks = [
        ("Stem's /healthz >= 0.7 of the bare hello", ratio("hello") >= 0.7, f"{ratio('hello'):.3f}"),
        (
            f"create entry >= {create_target} of the bare hello",
            ratio("create") >= create_target,
            f"{ratio('create'):.3f}",
        ),
        ("journal list >= 0.06 of the bare hello", ratio("list") >= 0.06, f"{ratio('list'):.3f}"),
        (
            "preparation page >= 0.02 of the bare hello",
            ratio("prepare_page") >= 0.02,
            f"{ratio('prepare_page'):.3f}",
        ),
        ("the mix, p99 <= 250 ms", mix["all"]["p99_ms"] <= 250, f"{mix['all']['p99_ms']} ms"),
        ("peak RSS of one process <= 150 MiB", rss <= 150, f"{rss} MiB"),
        ("0 errors in every run", errors == 0, str(errors)),
    ]
    if kind == "sqlite":
        checks.insert(2, ("create entry p99 <= 100 ms", create["p99_ms"] <= 100, f"{create['p99_ms']} ms"))
    if "workers_2" in result:
        scale = result["workers_2"]["runs"]["mix"]["rps"] / max(mix["rps"], 0.1)
        checks.append(("two processes ÷ one, the mix >= 1.8", scale >= 1.8, f"{scale:.2f}"))
    return checks


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Stem benchmark, {report['date']}",
        "",
        f"Machine: {report['machine']['cpus']} CPUs, {report['machine']['platform']}; Python "
        f"{report['machine']['python']}; {report['machine']['wrk']}. Load generator on the same machine, "
        f"{report['connections']} connections (one per wrk thread), {report['seconds']} s per run, "
        f"scale `{report['scale']}`. Server: `stem serve` (uvicorn, production mode, JSON request log). "
        "The ceiling: a bare FastAPI hello (`bench/bare.py`) under the same uvicorn settings, in this run.",
        "",
    ]
    for result in report["results"]:
        kind = result["database"]
        seed = result.get("seed", {})
        lines += [
            f"## {kind}",
            "",
            f"Seeded {seed['participants']} participants × {seed['entries_per']} entries "
            f"({seed['entries']} entries, {seed['rows']} rows) in {seed['seconds']} s.",
            "",
        ]
        lines += [
            "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | ÷ bare hello | queries/req "
            "| CPU ms/req | RSS MiB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        queries = result["queries_per_request"]
        cpu_ms = result.get("cpu_ms_per_request", {})
        for mode in ("bare", "hello", *ENDPOINTS, *EXTRA_PAGES):
            row = endpoint_row(result, mode, queries, cpu_ms)
            q, cpu = row["queries_per_request"], row["cpu_ms_per_request"]
            lines.append(
                f"| {LABELS[mode]} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | "
                f"{row['errors']} | {row['ratio_to_bare'] or 0:.3f} | {'' if q is None else q} | "
                f"{'' if cpu is None else cpu} | {row['peak_rss_mib']} |"
            )
        mix = result["workers_1"]["runs"]["mix"]
        lines += [
            "",
            f"The mix: {mix['rps']} req/s in all, {mix['http_errors'] + mix['socket_errors']} errors, "
            f"peak RSS {mix['peak_rss_mib']} MiB; per endpoint inside the mix:",
            "",
            "| in the mix | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in ENDPOINTS:
            e = mix["endpoints"].get(name)
            if e:
                lines.append(
                    f"| {name} | {e['rps']} | {e['p50_ms']} | {e['p95_ms']} | {e['p99_ms']} | {e['errors']} |"
                )
        lines += ["", "Targets:", ""]
        for text, ok, figure in targets(result):
            lines.append(f"- {'met' if ok else 'MISSED'}: {text} ({figure})")
        if "workers_2" in result:
            two = result["workers_2"]["runs"]
            one = result["workers_1"]["runs"]
            lines += [
                "",
                "Scale-out (two worker processes, one PostgreSQL):",
                "",
                "| run | 1 process req/s | 2 processes req/s | 2 processes p99 ms | RSS per process MiB |",
                "|---|---:|---:|---:|---:|",
            ]
            for mode in ("hello", "mix"):
                lines.append(
                    f"| {mode} | {one[mode]['rps']} | {two[mode]['rps']} | {two[mode]['all']['p99_ms']} | "
                    f"{two[mode]['peak_rss_mib']} |"
                )
            lines += ["", "Shared-state checks (each request on a new connection):", ""]
            for workers in ("workers_1", "workers_2"):
                c = result[workers]["checks"]
                lines.append(
                    f"- {workers[-1]} process(es): session honoured "
                    f"{c['session_ok']}/{c['session_requests']}; "
                    f"wrong passwords → {c['throttle_wrong_statuses']}, then the right one → "
                    f"{c['throttle_then_right_password_status']}; 16 concurrent replays → "
                    f"{c['replay_statuses']}, rows stored: {c['replay_rows']}"
                )
        lines.append("")
    lines.append(f"Plot: `{report['plot']}`.")
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = report["results"]
    figure, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4.5), squeeze=False)
    for axis, result in zip(axes[0], results, strict=True):
        for mode, colour in (("hello", "tab:grey"), ("create", "tab:blue"), ("mix", "tab:orange")):
            points = result["workers_1"]["curve"].get(mode, [])
            rps = [p["rps"] for p in points]
            axis.plot(rps, [p["p50_ms"] for p in points], "o-", color=colour, label=f"{mode} p50")
            axis.plot(rps, [p["p99_ms"] for p in points], "s--", color=colour, label=f"{mode} p99")
            for p in points:
                axis.annotate(str(p["connections"]), (p["rps"], p["p99_ms"]), fontsize=7, alpha=0.7)
        axis.set_title(f"{result['database']}: latency against load (labels: connections)")
        axis.set_xlabel("throughput (requests/s)")
        axis.set_ylabel("latency (ms)")
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--scale", default="default", help="default | large (passed to bench.seed)")
    parser.add_argument(
        "--seed-args",
        default="",
        help="more arguments for bench.seed, e.g. '--participants 100 --entries-per 20'",
    )
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--curve", default="1,2,4,8,16,32,64", help="connections for the load curve")
    parser.add_argument("--curve-seconds", type=int, default=5)
    parser.add_argument("--participants", type=int, default=32, help="participants signed in for the load")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    date = dt.date.today().isoformat()
    with tempfile.TemporaryDirectory(prefix="stem-bench-") as tmp:
        options = Options(
            databases=args.databases.split(","),
            scale=args.scale,
            seed_args=["--scale", args.scale, *args.seed_args.split()],
            seconds=args.seconds,
            connections=args.connections,
            curve=[int(c) for c in args.curve.split(",")],
            curve_seconds=args.curve_seconds,
            participants=args.participants,
            workdir=Path(tmp),
        )
        results = [bench_database(kind, options) for kind in options.databases]
    args.out.mkdir(parents=True, exist_ok=True)
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    report = {
        "date": date,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "wrk": wrk_version.split(" Copyright")[0],
        },
        "scale": args.scale,
        "connections": args.connections,
        "seconds": args.seconds,
        "plot": f"bench/results/{date}.png",
        "results": results,
    }
    (args.out / f"{date}.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(report, args.out / f"{date}.png")
    summary = markdown(report)
    (args.out / f"{date}.md").write_text(summary)
    print(summary)
    missed = [text for result in results for text, ok, _ in targets(result) if not ok]
    if missed:
        log("targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
