"""/metrics (Prometheus text format, only for configured addresses or a token, no personal data)
and the request log lines (JSON with STEM_LOG_FORMAT=json; never a body, query string or token)."""

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from app.config import Settings, get_settings
from app.models.enums import Role
from app.observability import JsonLineFormatter
from tests.conftest import BACKEND
from tests.factories import login, make_team, make_user

TOKEN = "metrics-token-0123456789-abcdefghijklmnop"


@pytest.fixture
def from_address(app):
    clients = []

    def make(host: str) -> TestClient:
        client = TestClient(
            app, base_url="http://testserver", client=(host, 50000), raise_server_exceptions=False
        )
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_metrics_served_to_loopback_in_the_prometheus_format(from_address, client):
    client.get("/api/v1/entries/" + str(uuid.uuid4()))
    response = from_address("127.0.0.1").get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    for name in (
        "stem_http_requests",
        "stem_http_request_duration_seconds",
        "stem_db_pool_connections_in_use",
        "stem_sqlite_write_turn_waits",
        "stem_sqlite_write_turn_wait_seconds",
        "stem_audit_chain_length",
    ):
        assert name in families, name
    routes = {sample.labels.get("route") for sample in families["stem_http_requests"].samples}
    assert "/api/v1/entries/{entry_id}" in routes  # the template, never the id


@pytest.mark.parametrize("host", ["203.0.113.9", "10.0.0.5", "testclient"])
def test_metrics_refused_from_another_address(from_address, host):
    response = from_address(host).get("/metrics")
    assert response.status_code == 403
    assert "stem_" not in response.text


def test_metrics_with_the_token_from_anywhere_and_not_with_a_wrong_one(from_address, monkeypatch):
    monkeypatch.setattr(get_settings(), "metrics_token", TOKEN)
    outsider = from_address("203.0.113.9")
    assert outsider.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert (
        outsider.get("/metrics", headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"}).status_code == 403
    )
    assert outsider.get("/metrics", headers={"Authorization": TOKEN}).status_code == 403


def test_configured_network_may_read_metrics(from_address, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "metrics_allowed_addresses", "10.0.0.0/8")
    assert from_address("10.1.2.3").get("/metrics").status_code == 200
    assert from_address("127.0.0.1").get("/metrics").status_code == 403


def test_metrics_settings_are_validated():
    with pytest.raises(ValueError, match="not an address or network"):
        Settings(metrics_allowed_addresses="127.0.0.1,intranet")
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(metrics_token="secret")


def test_metrics_hold_no_personal_data(db, client_factory, from_address):
    canary = f"cny{uuid.uuid4().hex[:12]}"
    team = make_team(db, name=f"{canary}team")
    author = make_user(
        db, Role.participant, team=team, username=f"{canary}user", display_name=f"{canary} Name"
    )
    clinician = make_user(db, Role.clinician, team=team)
    phone = client_factory()
    login(phone, author)
    entry_id = uuid.uuid4()
    created = phone.post(
        "/api/v1/entries", json={"id": str(entry_id), "kind": "thought", "body": f"{canary} body"}
    )
    assert created.status_code == 201
    phone.get(f"/api/v1/entries/{entry_id}?q={canary}")
    phone.get(f"/{canary}/nowhere")
    text = from_address("127.0.0.1").get("/metrics").text
    for secret in (canary, str(author.id), author.username, str(entry_id), str(clinician.id), str(team.id)):
        assert secret not in text
    assert 'route="(unmatched)"' in text  # the unknown path counted without its text


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")
    second = client.get("/healthz")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc12345-proxy"}).headers["x-request-id"]
        == "abc12345-proxy"
    )
    injected = client.get("/healthz", headers={"X-Request-ID": "bad id\\n{json}"}).headers["x-request-id"]
    assert injected != "bad id\\n{json}" and len(injected) == 32


def test_json_log_lines_hold_the_route_and_request_id_but_no_body_query_or_token(db, client_factory, caplog):
    canary = f"cny{uuid.uuid4().hex[:12]}"
    author = make_user(db, Role.participant, team=make_team(db))
    phone = client_factory()
    token = login(phone, author)
    entry_id = uuid.uuid4()
    with caplog.at_level(logging.INFO, logger="stem"):
        created = phone.post(
            f"/api/v1/entries?note={canary}",
            json={"id": str(entry_id), "kind": "thought", "body": f"{canary} body"},
        )
        missing = phone.get(f"/api/v1/entries/{uuid.uuid4()}?search={canary}")
    formatter = JsonLineFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    requests = [json.loads(line) for line in lines if json.loads(line)["logger"] == "stem.requests"]
    assert [(r["method"], r["route"], r["status"]) for r in requests] == [
        ("POST", "/api/v1/entries", 201),
        ("GET", "/api/v1/entries/{entry_id}", 404),
    ]
    assert requests[0]["request_id"] == created.headers["x-request-id"]
    assert requests[1]["request_id"] == missing.headers["x-request-id"]
    for line in requests:
        assert {"time", "level", "logger", "message", "route", "request_id", "status", "duration_ms"} <= set(
            line
        )
    everything = "\n".join(lines)
    for secret in (canary, token, str(entry_id), phone.cookies.get("stem_session") or "no-cookie-name"):
        assert secret not in everything


def test_json_logging_is_switched_on_by_the_setting(monkeypatch):
    from app.observability import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging(Settings(log_format="json"))
        assert isinstance(root.handlers[0].formatter, JsonLineFormatter)
        assert logging.getLogger("uvicorn.access").propagate is False
    finally:
        root.handlers, _ = saved
        root.setLevel(saved[1])
    with pytest.raises(ValueError, match="log_format"):
        Settings(log_format="yaml")


def test_a_forced_500_is_counted_and_has_a_request_id(caplog):
    from app.main import create_app

    app = create_app()

    @app.get("/api/v1/explode-for-metrics")
    def explode() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.INFO, logger="stem.requests"):
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/api/v1/explode-for-metrics")
        with TestClient(app, client=("127.0.0.1", 50000)) as local:
            text = local.get("/metrics").text
    assert response.status_code == 500
    assert len(response.headers["x-request-id"]) == 32
    assert 'route="/api/v1/explode-for-metrics",status="500"' in text
    lines = [r for r in caplog.records if r.name == "stem.requests"]
    assert [(r.__dict__["route"], r.__dict__["status"]) for r in lines] == [
        ("/api/v1/explode-for-metrics", 500)
    ]


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's write turn")
def test_waits_for_sqlite_write_turn_are_measured(db, client_factory, from_address):
    from app.db import write_gate

    def metric(text: str, name: str) -> float:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name:
                    return float(sample.value)
        raise AssertionError(name)

    before = from_address("127.0.0.1").get("/metrics").text
    author = make_user(db, Role.participant, team=make_team(db))
    phone = client_factory()
    login(phone, author)
    gate = write_gate()
    assert gate is not None
    gate.acquire()
    results: list[int] = []
    saving = threading.Thread(
        target=lambda: results.append(
            phone.post("/api/v1/entries", json={"kind": "thought", "body": "x"}).status_code
        )
    )
    saving.start()
    time.sleep(0.3)
    gate.release()
    saving.join()
    assert results == [201]
    after = from_address("127.0.0.1").get("/metrics").text
    assert (
        metric(after, "stem_sqlite_write_turn_waits_total")
        >= metric(before, "stem_sqlite_write_turn_waits_total") + 1
    )
    waited = metric(after, "stem_sqlite_write_turn_wait_seconds_total") - metric(
        before, "stem_sqlite_write_turn_wait_seconds_total"
    )
    assert waited >= 0.2


def test_stem_serve_writes_json_lines_without_query_strings(database_url, tmp_path):
    canary = f"cny{uuid.uuid4().hex[:12]}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "STEM_LOG_FORMAT": "json"}
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        response = httpx.get(
            f"{base}/api/v1/entries/{uuid.uuid4()}?token={canary}", headers={"Cookie": f"x={canary}"}
        )
        assert response.status_code == 401
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # every line is JSON
    requests = [line for line in lines if line["logger"] == "stem.requests"]
    assert {"route": "/api/v1/entries/{entry_id}", "status": 401, "method": "GET"}.items() <= requests[
        -1
    ].items()
    assert requests[-1]["request_id"] == response.headers["x-request-id"]
    assert canary not in err


@pytest.mark.parametrize("role", [Role.admin, Role.clinician, Role.participant])
def test_a_signed_in_account_gives_no_access_to_metrics(db, from_address, role):
    """Metrics are for the people who run the server, not for any account, however privileged."""
    team = make_team(db)
    person = make_user(db, role, team=None if role == Role.admin else team)
    browser = from_address("203.0.113.9")
    login(browser, person)
    assert browser.get("/metrics").status_code == 403
