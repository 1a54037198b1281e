"""Static files travel compressed; pages and API answers never do (BREACH: a secret in a page,
such as the CSRF token, must not be guessable from the compressed size of answers that echo
something the attacker sent)."""

import pytest

from app.models.enums import Role
from tests.factories import login, make_team, make_user

GZIP = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize("path", ["/static/css/stem.css", "/static/js/outbox.js", "/static/js/capture.js"])
def test_static_text_is_sent_compressed(client, path):
    response = client.get(path, headers=GZIP)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    # httpx has undone the compression: the file arrives whole.
    assert len(response.content) > int(response.headers["content-length"])


def test_static_text_is_plain_for_a_client_that_does_not_ask(client):
    response = client.get("/static/css/stem.css", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    "path", ["/journal", "/write", "/account", "/api/v1/entries", "/api/v1/me", "/api/v1/me/export"]
)
def test_signed_in_pages_and_api_answers_are_never_compressed(client, db, path):
    login(client, make_user(db, Role.participant, team=make_team(db)))
    response = client.get(path, headers=GZIP)
    assert response.status_code == 200, path
    assert "content-encoding" not in response.headers, path


def test_public_pages_are_not_compressed_either(client):
    response = client.get("/login", headers=GZIP)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
