"""The installable app: manifest, service worker (served from / so it controls every page),
and the offline page it shows instead of a browser error."""

import hashlib
import json
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.deps import OptionalAuthDep
from app.i18n import N_, request_locale, translate
from app.models.enums import EntryKind, GoalStatus, Importance, Topic
from app.paths import STATIC_DIR, WEB_DIR
from app.web.participant.journal import EntryForm
from app.web.rendering import page

router = APIRouter(include_in_schema=False)

THEME_COLOUR = "#0f5e5c"
BACKGROUND_COLOUR = "#f7f5f0"


@lru_cache
def _shell() -> tuple[str, list[str]]:
    """A version that changes with any static file, and the list of files to precache."""
    digest = hashlib.sha256()
    urls = []
    for path in sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()):
        relative = path.relative_to(STATIC_DIR).as_posix()
        digest.update(relative.encode())
        digest.update(path.read_bytes())
        urls.append(f"/static/{relative}")
    digest.update((WEB_DIR / "sw.js").read_bytes())
    return digest.hexdigest()[:16], urls


@router.get("/sw.js")
def service_worker() -> Response:
    version, precache = _shell()
    script = (
        f"const STEM_VERSION = {json.dumps(version)};\n"
        f"const STEM_PRECACHE = {json.dumps(precache)};\n" + (WEB_DIR / "sw.js").read_text(encoding="utf-8")
    )
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    locale = request_locale(request)
    body = {
        "name": "Stem",
        "short_name": "Stem",
        "description": translate(
            locale, N_("A private place to write down what you want to say to your care team.")
        ),
        "lang": locale,
        "start_url": "/",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": "/static/icons/maskable-192.png",
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": "/static/icons/maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/offline")
def offline_page(request: Request, auth: OptionalAuthDep) -> Response:
    """Static in content: it is cached on the device, so it must hold nothing personal."""
    request.state.user = None
    request.state.csrf_token = ""
    # A blank form (no id: the device makes one per save), without the team's names.
    context = {
        "form": EntryForm(id="", kind=EntryKind.thought.value),
        "topics": list(Topic),
        "importances": list(Importance),
        "goal_statuses": list(GoalStatus),
    }
    response = page(request, "offline.html", context)
    response.headers["Cache-Control"] = "no-cache"
    return response
