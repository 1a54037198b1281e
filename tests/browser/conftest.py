"""Real browser tests: Debian's Chromium driven by Playwright against a real uvicorn server.

Where Chromium is missing the tests are skipped with the reason, unless
STEM_REQUIRE_ALL_BACKENDS=1 (CI), which makes that a failure.
"""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("STEM_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def chromium_problem() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def _chromium_available() -> None:
    problem = chromium_problem()
    if problem:
        if os.environ.get("STEM_REQUIRE_ALL_BACKENDS") == "1":
            pytest.fail(problem + " and STEM_REQUIRE_ALL_BACKENDS=1")
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(app: Any, _chromium_available: None) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1, on the suite's test database."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_driver(_chromium_available: None) -> Iterator[Any]:
    """One Playwright driver for the whole run (its sync API cannot be started twice at once)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_driver: Any) -> Iterator[Any]:
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_context_factory(chromium: Any) -> Iterator[Any]:
    """New, isolated browser profiles (a phone by default); closed after the test."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = chromium.new_context(viewport=viewport or PHONE, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(browser_context_factory: Any) -> Any:
    """A Playwright page on a 390×844 phone viewport."""
    return browser_context_factory().new_page()


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Through the real login form, as a person would."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def outbox_records(page: Any, owner_id: str) -> list[dict[str, Any]]:
    """What waits in this device's IndexedDB outbox for this person, read directly: works on any
    page (the cached offline page knows nobody), and fails loudly instead of reading as empty."""
    return list(
        page.evaluate(
            """(owner) => new Promise((resolve, reject) => {
                const open = indexedDB.open(`stem-outbox-${owner}`);
                open.onerror = () => reject(open.error);
                open.onsuccess = () => {
                  const db = open.result;
                  if (!db.objectStoreNames.contains("requests")) { db.close(); resolve([]); return; }
                  const get = db.transaction("requests").objectStore("requests").getAll();
                  get.onsuccess = () => {
                    db.close();
                    resolve(get.result.map((r) => ({ id: r.id, kind: r.kind, body: r.body.body })));
                  };
                  get.onerror = () => reject(get.error);
                };
              })""",
            owner_id,
        )
    )


def until_controlled(page: Any, timeout: float = 30) -> None:
    """Until the service worker controls this page (its shell is then cached), reloading the page
    while it does not: a worker can only take a page that loads after it is active, and one
    registration can fail (for example just after a sign-out cleared the site's storage). Bounded:
    a promise awaited with page.evaluate has no timeout, and a hung test would hang the run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout
    while True:
        try:
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=3000)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise AssertionError("no service worker took control of the page") from None
            page.reload()


def evaluate_when_settled(page: Any, expression: str, timeout: float = 10) -> Any:
    """page.evaluate, again on the new page when the page loads itself meanwhile (home and the
    journal do so once what waited has arrived, to show it)."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while True:
        try:
            return page.evaluate(expression)
        except PlaywrightError as error:
            if "context was destroyed" not in str(error) or time.monotonic() > deadline:
                raise
            page.wait_for_load_state()


def wait_until_outbox_empty(page: Any, owner_id: str, timeout: float = 10) -> None:
    """Until every save waiting on this device has been answered by the server. (Polled from
    here: page.wait_for_function does not wait for a promise, it takes it as a truthy value.)"""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while True:
        try:
            left = outbox_records(page, owner_id)
        except PlaywrightError as error:
            # The page may load itself again meanwhile (the offline page going back to the real
            # one, the journal showing what arrived): read again on the new page.
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            left = ["(the page was loading)"]
        if not left:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting in the outbox: {left}")
        page.wait_for_timeout(100)
