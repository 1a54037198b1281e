"""The "Help now" page: who to call when it is urgent. Public (someone in crisis may be signed out), in
the reader's language, and precached by the service worker so it opens offline too.

The contacts come from settings (app.help_contacts); a signed-in participant also sees their
own care team's phone and opening hours. The cached copy is fetched without credentials, so it
holds only the public contacts.
"""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.accounts import service
from app.accounts.deps import OptionalAuthDep
from app.deps import SessionDep
from app.help_contacts import help_contacts
from app.i18n import request_locale
from app.web.rendering import page

router = APIRouter(include_in_schema=False)


@router.get("/help")
def help_now(request: Request, auth: OptionalAuthDep, session: SessionDep) -> Response:
    locale = request_locale(request)
    team = service.team_help(session, actor=auth.user) if auth else None
    contacts = [
        {
            "name": contact.name.in_language(locale),
            "description": contact.description.in_language(locale),
            "phones": contact.dial(),
            "url": contact.url,
            "url_shown": contact.url_shown(),
        }
        for contact in help_contacts()
    ]
    response = page(request, "help.html", {"nav": "help", "contacts": contacts, "team": team})
    if auth is None:
        # The same for everyone signed out: the copy the service worker keeps for offline.
        response.headers["Cache-Control"] = "no-cache"
    return response
