"""The private calendar link's feed: what a calendar app fetches, with no session (it cannot
sign in). The secret in the path is the only key, so:

- an unknown, replaced or stopped link answers a bare 404, the same for each, with no detail;
- nothing is cached by anyone between (`Cache-Control: private, no-store`);
- the path is never logged as sent: Stem's request and refusal logs write the route's template
  (`/calendar/{token}.ics`), never the secret;
- failed tries are counted per address and refused for a while (as sign-ins are).

The file itself: app.sharing.calendar; only the words are chosen here, in the owner's language.
"""

from collections.abc import Sequence

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.config import get_settings
from app.deps import SessionDep, client_address
from app.errors import NotFound, TooManyRequests
from app.i18n import translate
from app.models.enums import Discipline
from app.models.types import utcnow
from app.sharing import calendar
from app.sharing.calendar import CalendarEvent
from app.web.labels import DISCIPLINE_LABELS

router = APIRouter(include_in_schema=False)

FEED_PATH = "/calendar/{token}.ics"
ICS_TYPE = "text/calendar; charset=utf-8"
NOT_STORED = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def calendar_body(events: Sequence[CalendarEvent], locale: str) -> bytes:
    """The file in this language: the title, and the discipline of each event's clinician."""

    def discipline_label(discipline: Discipline) -> str:
        return translate(locale, DISCIPLINE_LABELS[discipline])

    return calendar.calendar_file(
        events,
        title=translate(locale, calendar.EVENT_TITLE),
        discipline_label=discipline_label,
        now=utcnow(),
    )


def ics_response(body: bytes, *, filename: str | None = None) -> Response:
    headers = dict(NOT_STORED)
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=ICS_TYPE, headers=headers)


def feed_urls(token: str) -> dict[str, str]:
    """The link in both forms: webcal:// opens the phone's calendar app to subscribe, https://
    is for calendar apps that ask for an address."""
    https = get_settings().public_base_url.rstrip("/") + FEED_PATH.replace("{token}", token)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@router.get(FEED_PATH)
def calendar_feed(token: str, request: Request, session: SessionDep) -> Response:
    try:
        owner, events = calendar.feed_events(session, token=token, client_address=client_address(request))
    except NotFound:
        return Response("Not found.", status_code=404, media_type="text/plain", headers=NOT_STORED)
    except TooManyRequests as exc:
        headers = NOT_STORED | {"Retry-After": str(exc.retry_after)}
        return Response("Too many requests.", status_code=429, media_type="text/plain", headers=headers)
    return ics_response(calendar_body(events, owner.locale))
