"""Headers on every response, errors that leak nothing, and the 500 that still has its headers."""

import logging

import pytest
from starlette.testclient import TestClient

from app.main import create_app

REQUIRED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def assert_security_headers(response):
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    for name, value in REQUIRED.items():
        assert response.headers[name] == value
    assert "camera=()" in response.headers["permissions-policy"]
    assert "server" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/no/such/page", 404),
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api/v1/me", 401),
        ("POST", "/api/v1/auth/login", 422),
        ("DELETE", "/healthz", 405),
        ("GET", "/openapi.json", 200),
    ],
)
def test_headers_on_every_kind_of_response(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


def test_api_404_is_problem_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_forced_500_has_headers_and_leaks_nothing(caplog):
    app = create_app()

    private_text = "my private " + "words"

    @app.get("/api/v1/explode")
    def explode() -> None:
        raise RuntimeError(f"SELECT body FROM entries WHERE secret='{private_text}'")

    with caplog.at_level(logging.DEBUG), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode")
    assert response.status_code == 500
    assert_security_headers(response)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "my private words" not in response.text and "SELECT" not in response.text
    assert "Traceback" not in response.text
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged
    assert "my private words" not in logged
    assert all(record.exc_info is None for record in caplog.records)


def test_https_responses_carry_hsts(client_factory):
    response = client_factory(base_url="https://testserver").get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in client_factory().get("/healthz").headers


def test_docs_are_off_in_production(monkeypatch):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "mode", "production")
    with TestClient(create_app()) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
