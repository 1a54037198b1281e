"""`make audit-web`: Lighthouse and axe on the pages a phone uses most.

Builds a throw-away Stem (SQLite in a temporary folder, `stem migrate`, `stem demo`), gives the
demo participant Tom a few entries (most shared with the care team, so that the clinician's
preparation page has something to show), serves it with `stem serve` on a free 127.0.0.1 port,
and then audits, signed in through the real login API:

- the journal (/journal) and quick capture (/write) as Tom, and
- the session preparation page for Tom (/clinician/participants/<id>) as the psychologist Mark,

with Lighthouse (mobile form factor, default simulated throttling; the median of several runs, as
Lighthouse advises for its variable performance score) and with axe-core (WCAG 2.2 A/AA, the tags
of tests/browser/test_accessibility.py) in Playwright on a phone viewport, light and dark.

Writes docs/audit-web.json and docs/audit-web.md and exits 1 when a page misses a threshold:
performance < 95, accessibility < 100, best practices < 100, or any axe violation.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
AXE = Path(str(resources.files("axe_playwright_python") / "axe.min.js"))  # the tests' axe-core
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Debian's Chromium as root in a container: no sandbox; the rest keeps it from phoning home.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CATEGORIES = ("performance", "accessibility", "best-practices")
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 100}
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)
# Runs that Lighthouse could not finish (no scores) that are repeated before giving up.
MAX_LIGHTHOUSE_FAILURES = 3
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
SESSION_COOKIE = "stem_session"  # the plain (http) name; __Host-stem_session is for https only
DEMO_PASSWORD = "stem demo 2026"  # noqa: S105  (app/demo.py prints it for anyone who runs the demo)
PARTICIPANT = "tom"
CLINICIAN = "mark"

# Tom's journal: every kind of entry, most shared with his care team, one kept to himself.
ENTRIES: list[tuple[dict[str, Any], bool]] = [
    (
        {
            "kind": "feeling",
            "body": "Walked to the bakery and back without stopping. Knee sore afterwards, but less "
            "than last week.",
            "intensity": 4,
            "topic": "daily_life",
        },
        True,
    ),
    (
        {
            "kind": "question",
            "body": "Can I do the stretching exercises on days when the pain is worse, or should I "
            "rest then?",
            "topic": "exercises",
            "raise_next_session": True,
            "importance": "high",
        },
        True,
    ),
    (
        {
            "kind": "disagreement",
            "body": "The plan says three sessions a week. With my work hours two is what I can "
            "really manage.",
            "topic": "treatment_plan",
            "about_discipline": "physiotherapist",
            "raise_next_session": True,
        },
        True,
    ),
    (
        {
            "kind": "goal",
            "body": "Cycle to work once a week by the summer.",
            "topic": "goals",
            "goal_status": "active",
        },
        True,
    ),
    (
        {
            "kind": "thought",
            "body": "I notice I avoid stairs even on good days. Maybe that is habit more than pain.",
            "topic": "cause_of_pain",
        },
        True,
    ),
    (
        {
            "kind": "thought",
            "body": "Not ready to talk about this one yet.",
            "topic": "other",
        },
        False,
    ),
]


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    cookie: str
    # As written to the report: no database ids.
    shown_path: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


@contextmanager
def stem_server(data_dir: Path) -> Iterator[str]:
    """A real Stem on a fresh SQLite database with the demo data; yields its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "STEM_MODE": "development",
        "STEM_DATA_DIR": str(data_dir),
        "STEM_DATABASE_URL": "",
        "STEM_PUBLIC_BASE_URL": base_url,
    }
    run([str(BIN / "stem"), "migrate"], env)
    run([str(BIN / "stem"), "demo"], env)
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "stem"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise SystemExit(f"stem serve exited with {server.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("stem serve did not answer /healthz within 30 s")
            time.sleep(0.2)
        yield base_url
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def sign_in(client: httpx.Client, username: str) -> dict[str, Any]:
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    answer.raise_for_status()
    me: dict[str, Any] = answer.json()
    return me


def prepare_pages(base_url: str) -> list[Page]:
    """Tom writes and shares his entries; returns the pages to audit with each viewer's cookie."""
    with httpx.Client(base_url=base_url, timeout=30) as participant:
        tom = sign_in(participant, PARTICIPANT)
        csrf = {"X-CSRF-Token": tom["csrf_token"]}
        shared = []
        for body, share in ENTRIES:
            answer = participant.post("/api/v1/entries", json=body, headers=csrf)
            answer.raise_for_status()
            if share:
                shared.append(answer.json()["id"])
        answer = participant.post(
            "/api/v1/shares", json={"entry_ids": shared, "audience": "team"}, headers=csrf
        )
        answer.raise_for_status()
        tom_cookie = participant.cookies[SESSION_COOKIE]
    preparation = f"/clinician/participants/{tom['id']}"
    with httpx.Client(base_url=base_url, timeout=30) as clinician:
        sign_in(clinician, CLINICIAN)
        mark_cookie = clinician.cookies[SESSION_COOKIE]
        # Audit the page as it is in use: with Tom's shared entries on it (and his private one not).
        html = clinician.get(preparation).raise_for_status().text
        for body, share in ENTRIES:
            if (body["body"] in html) != share:
                raise SystemExit(f"the preparation page {'lacks' if share else 'shows'} {body['body']!r}")
    return [
        Page("Journal", "/journal", tom_cookie, "/journal"),
        Page("Quick capture", "/write", tom_cookie, "/write"),
        Page("Clinician preparation", preparation, mark_cookie, "/clinician/participants/<Tom's id>"),
    ]


class LighthouseFailed(Exception):
    """Lighthouse itself failed (e.g. NO_NAVSTART, a trace Chromium did not finish): no scores."""


def lighthouse_once(url: str, cookie: str, out: Path) -> dict[str, Any]:
    out.unlink(missing_ok=True)
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        f"--extra-headers={json.dumps({'Cookie': f'{SESSION_COOKIE}={cookie}'})}",
    ]
    # Not check=True: the command line holds the session cookie, which an error would print.
    finished = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env={**os.environ, "CHROME_PATH": CHROME}, check=False, timeout=300
    )
    if not out.exists():
        raise LighthouseFailed(f"exit status {finished.returncode}, no report")
    report: dict[str, Any] = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise LighthouseFailed(report["runtimeError"].get("code", "runtime error"))
    final = report.get("finalDisplayedUrl", url)
    if final != url:  # e.g. sent to /login: the scores would be of another page
        raise SystemExit(f"Lighthouse was sent from {url} to {final}")
    return report


def score(report: dict[str, Any], category: str) -> int | None:
    value = report["categories"][category]["score"]
    return None if value is None else round(value * 100)


def below_full_marks(report: dict[str, Any], category: str, *, counted: bool) -> list[dict[str, Any]]:
    """The audits of a category that did not get full marks: those that count towards its score
    (`counted`), or those that are advice only (weight 0, e.g. performance opportunities)."""
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit["scoreDisplayMode"] not in {"binary", "numeric", "metricSavings"}:
            continue
        if audit["score"] is None or audit["score"] >= 1 or (ref.get("weight", 0) > 0) != counted:
            continue
        found.append(
            {
                "id": audit["id"],
                "title": audit["title"],
                "score": audit["score"],
                "weight": ref.get("weight", 0),
                "display_value": readable(audit.get("displayValue")),
            }
        )
    return found


def readable(value: str | None) -> str | None:
    return None if value is None else value.replace("\xa0", " ")


def lighthouse(page: Page, base_url: str, runs: int, work: Path) -> dict[str, Any]:
    url = base_url + page.path
    reports: list[dict[str, Any]] = []
    failures: list[str] = []
    while len(reports) < runs:
        print(f"  Lighthouse run {len(reports) + 1}/{runs}", flush=True)
        try:
            reports.append(lighthouse_once(url, page.cookie, work / "lighthouse.json"))
        except LighthouseFailed as error:
            # A failed run has no scores at all (it is not a low score): run it again, a few times.
            failures.append(str(error))
            if len(failures) > MAX_LIGHTHOUSE_FAILURES:
                raise SystemExit(f"Lighthouse failed on {page.shown_path}: {failures}") from error
    performance = [score(report, "performance") or 0 for report in reports]
    median = statistics.median_low(performance)
    chosen = reports[performance.index(median)]
    return {
        "lighthouse_version": chosen["lighthouseVersion"],
        "user_agent": chosen["environment"]["hostUserAgent"],
        "benchmark_index": chosen["environment"].get("benchmarkIndex"),
        "form_factor": chosen["configSettings"]["formFactor"],
        "throttling_method": chosen["configSettings"]["throttlingMethod"],
        "performance_per_run": performance,
        "failed_runs_repeated": failures,
        "scores": {category: score(chosen, category) for category in CATEGORIES},
        "metrics": {
            metric: readable(chosen["audits"][metric].get("displayValue"))
            for metric in METRICS
            if metric in chosen["audits"]
        },
        "failing_audits": {
            category: below_full_marks(chosen, category, counted=True) for category in CATEGORIES
        },
        "advice": {category: below_full_marks(chosen, category, counted=False) for category in CATEGORIES},
    }


def axe(playwright: Any, pages: list[Page], base_url: str) -> dict[str, Any]:
    """Every page in light and dark, as the accessibility test does."""
    browser = playwright.chromium.launch(executable_path=CHROME, args=CHROME_FLAGS[1:])
    results: dict[str, Any] = {}
    try:
        for page in pages:
            violations: list[dict[str, Any]] = []
            for scheme in ("light", "dark"):
                context = browser.new_context(
                    viewport=PHONE,
                    color_scheme=scheme,
                    bypass_csp=True,  # to inject axe itself; the app's own pages carry no inline code
                )
                try:
                    context.add_cookies([{"name": SESSION_COOKIE, "value": page.cookie, "url": base_url}])
                    tab = context.new_page()
                    tab.goto(base_url + page.path)
                    if not tab.url.startswith(base_url + page.path):
                        raise SystemExit(f"axe: {page.path} sent the browser to {tab.url}")
                    tab.add_script_tag(path=str(AXE))
                    result = tab.evaluate("(tags) => axe.run(document, {runOnly: tags})", WCAG)
                    version = result["testEngine"]["version"]
                    for violation in result["violations"]:
                        violations.append(
                            {
                                "scheme": scheme,
                                "id": violation["id"],
                                "impact": violation["impact"],
                                "targets": [node["target"] for node in violation["nodes"][:5]],
                            }
                        )
                finally:
                    context.close()
            results[page.name] = {"axe_version": version, "violations": violations}
    finally:
        browser.close()
    return results


def misses(entry: dict[str, Any]) -> list[str]:
    found = [
        f"{category} {entry['lighthouse']['scores'][category]} < {minimum}"
        for category, minimum in THRESHOLDS.items()
        if (entry["lighthouse"]["scores"][category] or 0) < minimum
    ]
    if entry["axe"]["violations"]:
        found.append(f"{len(entry['axe']['violations'])} axe violation(s)")
    return found


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Web audit",
        "",
        f"Measured {report['date']} by `make audit-web` (scripts/audit_web.py) with Lighthouse "
        f"{report['lighthouse_version']} ({report['form_factor']}, {report['throttling_method']} "
        f"throttling, median of {report['runs']} runs), axe-core {report['axe_version']} "
        f"(WCAG 2.2 A/AA, light and dark) and {report['browser']}.",
        "",
        "Thresholds: performance ≥ 95, accessibility 100, best practices 100, no axe violations.",
        "",
        "| page | path | performance | accessibility | best practices | axe violations | LCP | TBT | CLS |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, entry in report["pages"].items():
        scores = entry["lighthouse"]["scores"]
        metrics = entry["lighthouse"]["metrics"]
        lines.append(
            f"| {name} | `{entry['path']}` | {scores['performance']} | {scores['accessibility']} | "
            f"{scores['best-practices']} | {len(entry['axe']['violations'])} | "
            f"{metrics.get('largest-contentful-paint', '')} | {metrics.get('total-blocking-time', '')} | "
            f"{metrics.get('cumulative-layout-shift', '')} |"
        )
    lines.append("")
    failed = {name: entry["misses"] for name, entry in report["pages"].items() if entry["misses"]}
    if failed:
        lines.append("**Thresholds missed:**")
        lines.extend(f"- {name}: {', '.join(found)}" for name, found in failed.items())
    else:
        lines.append("All pages meet every threshold.")
    scored = [
        f"- {name}, {category}: {audit['title']} ({audit['display_value'] or audit['score']})"
        for name, entry in report["pages"].items()
        for category, audits in entry["lighthouse"]["failing_audits"].items()
        for audit in audits
    ]
    if scored:
        lines += ["", "Scored audits below full marks:", *scored]
    repeated = [
        f"- {name}: {', '.join(entry['lighthouse']['failed_runs_repeated'])}"
        for name, entry in report["pages"].items()
        if entry["lighthouse"]["failed_runs_repeated"]
    ]
    if repeated:
        lines += ["", "Lighthouse runs that failed without scores and were run again:", *repeated]
    lines += [
        "",
        "Lighthouse's advice that does not count towards a score (e.g. text compression, cache "
        "lifetimes) is listed per page under `advice` in audit-web.json.",
        "",
    ]
    return "\n".join(lines)


def chromium_version() -> str:
    answer = subprocess.run([CHROME, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    return answer.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median kept)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for audit-web.json/.md")
    args = parser.parse_args()
    for needed, how in (
        (LIGHTHOUSE, "npm install"),
        (AXE, "make install"),
        (Path(CHROME), "apt-get install chromium"),
    ):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing ({how})")
    if shutil.which("node") is None:
        raise SystemExit("node is missing (apt-get install nodejs)")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="stem-audit-") as temporary:
        work = Path(temporary)
        with stem_server(work / "data") as base_url:
            pages = prepare_pages(base_url)
            with sync_playwright() as playwright:
                print("axe-core on", ", ".join(page.path for page in pages), flush=True)
                axe_results = axe(playwright, pages, base_url)
            lighthouse_results = {}
            for page in pages:
                print(f"Lighthouse on {page.path}", flush=True)
                lighthouse_results[page.name] = lighthouse(page, base_url, args.runs, work)

    first = next(iter(lighthouse_results.values()))
    report: dict[str, Any] = {
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "lighthouse_version": first["lighthouse_version"],
        "axe_version": next(iter(axe_results.values()))["axe_version"],
        "browser": chromium_version(),
        "form_factor": first["form_factor"],
        "throttling_method": first["throttling_method"],
        "runs": args.runs,
        "thresholds": THRESHOLDS,
        "pages": {},
    }
    for page in pages:
        entry = {
            "path": page.shown_path,
            "lighthouse": lighthouse_results[page.name],
            "axe": axe_results[page.name],
        }
        entry["misses"] = misses(entry)
        report["pages"][page.name] = entry
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "audit-web.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (args.out / "audit-web.md").write_text(markdown(report))
    print(markdown(report))
    return 1 if any(entry["misses"] for entry in report["pages"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
