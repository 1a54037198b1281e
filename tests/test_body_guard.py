"""A client that sends half a body holds nothing another person needs, and no body is too big or
too slow: issue 12, item 1.

SQLite has one writer at a time. The request session used to take that write turn for every
unsafe method before the body was read (routes without body parameters read the form only for
its CSRF token, after the session): an anonymous client sending the headers of a form POST and
one byte of its body held the turn, and everyone's saves waited 30 s for it."""

import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from app.main import ROUTERS
from app.models.enums import Role
from tests.factories import PASSWORD, make_team, make_user

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _serve(app: Any) -> Iterator[str]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    server.force_exit = True
    thread.join(timeout=10)


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    yield from _serve(app)


@pytest.fixture
def served_with(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """A server for an app built with other settings (e.g. a short body deadline)."""
    from app.config import get_settings
    from app.main import create_app

    servers: list[Iterator[str]] = []

    def start(**env: str) -> str:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        try:
            server = _serve(create_app())
            url = next(server)
        finally:
            for name in env:
                monkeypatch.delenv(name)
            get_settings.cache_clear()
        servers.append(server)
        return url

    yield start
    for server in servers:
        next(server, None)


def _unsafe_routes() -> list[tuple[str, str]]:
    routes = []
    for route in (route for router in ROUTERS for route in router.routes):
        assert isinstance(route, APIRoute)
        for method in sorted(route.methods & UNSAFE):
            path = re.sub(r"\{[^}]+\}", lambda _m: str(uuid.uuid4()), route.path)
            routes.append((method, path))
    return routes


def _half_sent(url: str, method: str, path: str, *, cookie: str = "") -> socket.socket:
    """The headers of a form submission announcing 100,000 bytes, then one byte, then nothing."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\nc"
    )
    sock.sendall(head.encode())
    return sock


def _login(url: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=20)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return client, response.json()["csrf_token"]


def _timed_save(client: httpx.Client, csrf: str) -> float:
    started = time.monotonic()
    response = client.post(
        "/api/v1/entries",
        json={"id": str(uuid.uuid4()), "kind": "thought", "body": "still saved"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    return time.monotonic() - started


def test_half_sent_bodies_on_every_writing_route_do_not_delay_a_save(served, db):
    team = make_team(db)
    saver = make_user(db, Role.participant, team=team)
    stalling = make_user(db, Role.participant, team=team)
    client, csrf = _login(served, saver.username)
    stalling_client, _ = _login(served, stalling.username)
    cookie = "; ".join(f"{name}={value}" for name, value in stalling_client.cookies.items())
    baseline = min(_timed_save(client, csrf) for _ in range(3))
    routes = _unsafe_routes()
    assert ("POST", "/api/v1/auth/logout") in routes and ("POST", "/logout") in routes
    sockets = []
    try:
        # Each route twice: from an anonymous client and from a signed-in one.
        for method, path in routes:
            sockets.append(_half_sent(served, method, path))
            sockets.append(_half_sent(served, method, path, cookie=cookie))
        time.sleep(1.0)  # every stalled request is in the app by now, waiting for its body
        try:
            took = _timed_save(client, csrf)
        except httpx.TimeoutException:
            pytest.fail("a save waited 20 s behind clients that sent half a body")
    finally:
        for sock in sockets:
            sock.close()
        client.close()
        stalling_client.close()
    assert took < baseline + 1.0, f"a save took {took:.2f} s (alone: {baseline:.2f} s)"


def _read_answer(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        pass
    return data


def test_a_body_that_does_not_arrive_in_time_gets_408(served_with):
    url = served_with(STEM_BODY_READ_SECONDS="1")
    started = time.monotonic()
    sock = _half_sent(url, "POST", "/login")
    try:
        answer = _read_answer(sock, timeout=10)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert time.monotonic() - started < 5


def test_an_announced_body_over_the_cap_is_refused_before_it_is_read(client):
    response = client.post(
        "/api/v1/auth/login",
        content=b"{" + b" " * (256 * 1024) + b"}",
        headers={"Content-Type": "application/json", "Accept-Language": "nl"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Dit verzoek is te groot."

    page = client.post("/login", data={"username": "x" * (300 * 1024), "password": "y"})
    assert page.status_code == 413
    assert "text/html" in page.headers["content-type"]


def test_a_streamed_body_over_the_cap_is_refused(served):
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "'
        for _ in range(40):
            yield b"x" * 8192
        yield b'", "password": "y"}'

    response = httpx.post(
        served + "/api/v1/auth/login",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=20,
    )
    assert response.status_code == 413
    assert response.json()["code"] == "http_413"


def test_a_body_within_the_cap_is_read_whole(client):
    """A long entry (10,000 characters, the longest allowed) passes the guard."""
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "nobody", "password": "p" * 100_000},
    )
    assert response.status_code in {401, 422}
