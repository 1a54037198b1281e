"""The scale curve: does a page cost the same with 10 thousand or a million entries in the database?

For each size: a fresh database (a temporary SQLite file, or a uniquely named PostgreSQL database
created here and dropped afterwards), seeded in bulk by `bench.seed` (100 entries per
participant, so 1M entries is `--scale large`), then the real server (`stem serve`, production
mode, a random secret and encryption key) on a free 127.0.0.1 port. A sampled participant and a
sampled clinician sign in with httpx; after a warm-up, N sequential requests of each page are
timed: the journal list (JSON API and HTML page) and the clinician's preparation view (JSON API
and HTML page). Reported: p50 and p95 per size, and the ratio of p50 at the largest size to p50
at the smallest (target: at most 1.5).

    .venv/bin/python -m bench.scale --database sqlite --sizes 10000,100000,1000000

Results: bench/results/scale-<database>-<date>.json and .md.
"""

import argparse
import base64
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

# A clinician opening the preparation between appointments: its p95 at the largest size.
PREPARE_P95_MS = 50
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_ADMIN = os.environ.get("STEM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGET_RATIO = 1.5

PAGES = {
    "journal_api": "GET /api/v1/entries?limit=50 (participant, JSON)",
    "journal_page": "GET /journal (participant, HTML)",
    "prepare_api": "GET /api/v1/clinician/participants/{id}/entries (clinician, JSON)",
    "prepare_page": "GET /clinician/participants/{id} (clinician, HTML)",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_url(database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_ADMIN).set(drivername="postgresql+psycopg")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """A database URL nobody else uses; a PostgreSQL one is dropped on the way out."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'stem.db'}"
        return
    from sqlalchemy import create_engine, text

    name = f"stem_scale_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_postgres_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield _postgres_url(name)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def server_environment(database_url: str, directory: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEM_")}
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env.update(
        STEM_MODE="production",
        STEM_SECRET_KEY=secrets.token_urlsafe(48),
        STEM_ENCRYPTION_KEYS=f"k1:{key}",
        STEM_DATA_DIR=str(directory),
        STEM_DATABASE_URL=database_url,
        STEM_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        MALLOC_ARENA_MAX="2",  # as in the Dockerfile
        STEM_REDIS_URL="",
    )
    return env


@contextmanager
def running_server(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(BIN / "stem"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server stopped at start: see {log}")
                try:
                    if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not become ready: see {log}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def signed_in(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    # Production's session cookie is Secure (`__Host-`), and a client sends it back only over
    # https; the benchmark talks plain http to 127.0.0.1, so it sends the cookie itself.
    client.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in response.cookies.items())
    client.cookies.clear()
    return client


def timed(client: httpx.Client, path: str, *, warmup: int, requests: int) -> dict[str, Any]:
    for _ in range(warmup):
        client.get(path).raise_for_status()
    times = []
    size = 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        size = len(response.content)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "requests": requests,
        "response_bytes": size,
    }


def measure_size(kind: str, entries: int, entries_per: int, *, warmup: int, requests: int) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="stem-scale-"))
    try:
        with fresh_database(kind, directory) as database_url:
            port = free_port()
            env = server_environment(database_url, directory, port)
            manifest_path = directory / "manifest.json"
            participants = max(1, entries // entries_per)
            seeding = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.seed",
                    "--participants",
                    str(participants),
                    "--entries-per",
                    str(entries_per),
                    "--sample",
                    "20",
                    "--manifest",
                    str(manifest_path),
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if seeding.returncode != 0:
                raise RuntimeError(f"seeding failed:\n{seeding.stdout}\n{seeding.stderr}")
            print(seeding.stdout.strip().splitlines()[-2], flush=True)
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            participant = manifest["participants"][0]
            clinician = next(c for c in manifest["clinicians"] if c["shared_participant_ids"])
            shown = clinician["shared_participant_ids"][0]
            with running_server(env, port, directory / "server.log") as base:
                reader = signed_in(base, participant["username"], manifest["password"])
                carer = signed_in(base, clinician["username"], manifest["password"])
                try:
                    pages = {
                        "journal_api": (reader, "/api/v1/entries?limit=50"),
                        "journal_page": (reader, "/journal"),
                        "prepare_api": (carer, f"/api/v1/clinician/participants/{shown}/entries"),
                        "prepare_page": (carer, f"/clinician/participants/{shown}"),
                    }
                    timings = {}
                    for name, (client, path) in pages.items():
                        timings[name] = timed(client, path, warmup=warmup, requests=requests)
                        print(f"  {entries:>9} entries  {name:<13} {timings[name]}", flush=True)
                finally:
                    reader.close()
                    carer.close()
            return {"entries": entries, "seed": manifest["seed"], "pages": timings}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def markdown(report: dict[str, Any]) -> str:
    sizes = report["sizes"]
    lines = [
        f"# Scale curve, {report['database']}, {report['date']}",
        "",
        f"{report['requests']} sequential requests per page after {report['warmup']} warm-up requests; "
        f"{report['entries_per']} entries per participant; "
        "one server process (`stem serve`, production mode).",
        "",
        "| page | " + " | ".join(f"{s['entries']:,} p50 / p95 (ms)" for s in sizes) + " | p50 ratio |",
        "|---|" + "---|" * (len(sizes) + 1),
    ]
    for name, label in PAGES.items():
        cells = [f"{s['pages'][name]['p50_ms']} / {s['pages'][name]['p95_ms']}" for s in sizes]
        ratio = report["ratios"][name]
        mark = "" if ratio <= TARGET_RATIO else " (over target)"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio}×{mark} |")
    lines += ["", "Seeding (rows, seconds):", ""]
    for s in sizes:
        seed = s["seed"]
        lines.append(
            f"- {s['entries']:,} entries: {seed['rows']:,} rows in {seed['seconds']} s "
            f"({seed['rows_per_second']:,} rows/s)"
        )
    largest = sizes[-1]
    prepare_p95 = max(largest["pages"][name]["p95_ms"] for name in ("prepare_api", "prepare_page"))
    verdict = "met" if prepare_p95 <= PREPARE_P95_MS else "MISSED"
    lines += [
        "",
        f"Targets: p50 at the largest size at most {TARGET_RATIO}× p50 at the smallest; the preparation "
        f"view's p95 at most {PREPARE_P95_MS} ms at the largest size ({largest['entries']:,} entries): "
        f"{verdict} ({prepare_p95} ms).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="entries in the database, comma-separated"
    )
    parser.add_argument("--entries-per", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    measured = [
        measure_size(args.database, size, args.entries_per, warmup=args.warmup, requests=args.requests)
        for size in sizes
    ]
    ratios = {
        name: round(measured[-1]["pages"][name]["p50_ms"] / measured[0]["pages"][name]["p50_ms"], 2)
        for name in PAGES
    }
    date = dt.date.today().isoformat()
    report = {
        "database": args.database,
        "date": date,
        "requests": args.requests,
        "warmup": args.warmup,
        "entries_per": args.entries_per,
        "machine": {"cpus": os.cpu_count(), "load_average_at_end": list(os.getloadavg())},
        "sizes": measured,
        "ratios": ratios,
        "target_ratio": TARGET_RATIO,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    stem = args.output / f"scale-{args.database}-{date}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    text = markdown(report)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)
    # A benchmark reports; a missed target is in its report, not in its exit status.
    missed = [name for name, ratio in ratios.items() if ratio > TARGET_RATIO]
    if missed:
        print(f"p50 ratio over {TARGET_RATIO}x: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
