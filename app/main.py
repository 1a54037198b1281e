"""create_app(): routers, static files, middleware and error handlers. No rules live here."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from app import web as pages
from app.accounts import api as accounts_api
from app.accounts import passkeys_api
from app.audit.service import ClientAddressMiddleware
from app.checkins import api as checkins_api
from app.clinician import api as clinician_api
from app.config import get_settings
from app.errors import install_error_handlers
from app.fhir import api as fhir_api
from app.goals import api as goals_api
from app.health import router as health_router
from app.help_contacts import check_help_contacts
from app.http_security import BodyGuardMiddleware, CrossSiteGuardMiddleware, SecurityHeadersMiddleware
from app.journal import api as journal_api
from app.maintenance import lifespan
from app.observability import ObservabilityMiddleware, configure_logging
from app.openapi import install_openapi
from app.paths import STATIC_DIR
from app.privacy import api as privacy_api
from app.reminders import api as reminders_api
from app.security_log import RefusalLogMiddleware
from app.sharing import api as sharing_api
from app.story import api as story_api
from app.tasks import api as tasks_api
from app.web.rendering import error_page

# Every router of the app, in order: the JSON API, then the pages. The route-policy test walks these.
ROUTERS = [
    health_router,
    accounts_api.router,
    passkeys_api.router,
    journal_api.router,
    sharing_api.router,
    clinician_api.router,
    story_api.router,
    goals_api.router,
    tasks_api.router,
    checkins_api.router,
    reminders_api.router,
    privacy_api.router,
    fhir_api.router,
    *pages.ROUTERS,
]


def create_app() -> FastAPI:
    settings = get_settings()
    # A centre's own contacts are checked now: a clear error at start, never a 500 on /help.
    check_help_contacts(settings)
    configure_logging(settings)
    app = FastAPI(
        title="Stem",
        version=__version__,
        summary="A private journal for pain rehabilitation, shared item by item with the care team.",
        docs_url=None if settings.is_production else "/docs",
        redoc_url=None if settings.is_production else "/redoc",
        lifespan=lifespan,
    )
    install_error_handlers(app, error_page=error_page)
    install_openapi(app)
    for router in ROUTERS:
        app.include_router(router)
    # Static files (the same for everyone) go compressed; pages and API answers do not, so a
    # secret in a page (the CSRF token) can never be guessed from compressed sizes (BREACH).
    app.mount("/static", GZipMiddleware(StaticFiles(directory=STATIC_DIR), minimum_size=512), name="static")
    # Added last = outermost: its headers reach every response, its 500 replaces Starlette's.
    app.add_middleware(ClientAddressMiddleware)
    app.add_middleware(CrossSiteGuardMiddleware, trusted_origins=[settings.public_base_url])
    app.add_middleware(
        BodyGuardMiddleware,
        max_bytes=settings.max_request_body_bytes,
        read_seconds=settings.body_read_seconds,
    )
    app.add_middleware(RefusalLogMiddleware)  # outside the guard, so its refusals are logged too
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost of all: it times the whole request and counts the 500 that the guard inside makes.
    app.add_middleware(ObservabilityMiddleware)
    return app
