"""Manifest, service worker and offline page: what makes Stem installable and calm offline."""

import json

from app.models.enums import Role
from tests.factories import login, make_team, make_user


def test_manifest_has_what_an_installable_app_needs(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert {"name", "short_name", "description", "theme_color", "background_color"} <= set(manifest)
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "maskable"), ("512x512", "maskable"), ("192x192", "any"), ("512x512", "any")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200
        assert image.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_manifest_speaks_the_users_language(client):
    english = client.get("/manifest.webmanifest").json()["description"]
    dutch = client.get("/manifest.webmanifest", headers={"Accept-Language": "nl"}).json()["description"]
    assert english != dutch


def test_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert "content-security-policy" in response.headers
    script = response.text
    precache = json.loads(script.split("const STEM_PRECACHE = ")[1].split(";\n")[0])
    assert "/static/css/stem.css" in precache
    assert "/static/js/app.js" in precache
    assert all(url.startswith("/static/") for url in precache)
    # Never caches pages or API answers: only /static/ and the offline page are stored.
    assert "caches.match(OFFLINE_URL)" in script
    assert "/api/" not in script


def test_service_worker_version_follows_static_files(client):
    from app.web import pwa

    version = client.get("/sw.js").text.split('const STEM_VERSION = "')[1][:16]
    assert version == pwa._shell()[0]
    assert len(version) == 16


def test_offline_page_is_public_and_holds_nothing_personal(client_factory, db):
    user = make_user(db, Role.participant, team=make_team(db), display_name="Zoë Personal")
    client = client_factory()
    login(client, user)
    response = client.get("/offline")
    assert response.status_code == 200
    assert "Zoë Personal" not in response.text
    assert 'name="csrf_token" value=""' in response.text or "csrf_token" not in response.text
    anonymous = client_factory().get("/offline")
    assert anonymous.status_code == 200


def test_pages_link_the_manifest_and_register_the_worker(client):
    page = client.get("/login").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<script type="module" src="/static/js/app.js"></script>' in page


def test_service_worker_shows_reminders_and_opens_their_page(client):
    """A push shows its generic words; a click opens (or focuses) the page it names, on this site only."""
    worker = client.get("/sw.js").text
    assert 'addEventListener("push"' in worker and "showNotification" in worker
    assert 'addEventListener("notificationclick"' in worker and "openWindow" in worker
    assert 'data.url.startsWith("/") && !data.url.startsWith("//")' in worker
