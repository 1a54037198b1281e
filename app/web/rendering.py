"""Rendering a page: the Jinja2 environment, the reader's language and clock, the label maps of
their role, the note after a redirect, and the friendly error page.

Every page of every role is rendered by `page()`; error pages by `error_page()`, which
`app.main` hands to the error handlers.
"""

from datetime import datetime
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.i18n import N_, request_locale, translate, translations_for
from app.models.enums import Role
from app.models.types import utcnow
from app.paths import TEMPLATES_DIR
from app.web.charts import line_chart
from app.web.dates import LocalFormat
from app.web.forms import Refusal
from app.web.labels import DONE_MESSAGES, labels_for

EXCERPT_LENGTH = 240

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True),
    extensions=["jinja2.ext.i18n"],
    auto_reload=False,
)
# Must match babel.cfg: extracted msgids are the trimmed text.
_environment.policies["ext.i18n.trimmed"] = True
templates = Jinja2Templates(env=_environment)


@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> str:
    text = translations_for(context["locale"]).gettext(message)
    return text % variables if variables else text


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations_for(context["locale"]).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


@pass_context
def _local_time(context: Context, value: datetime, pattern: str | None = None) -> str:
    """A moment in the reader's zone: in the page's pattern, or else as `LocalFormat.stamp`."""
    fmt: LocalFormat = context["fmt"]
    return fmt.pattern(value, pattern) if pattern else fmt.stamp(value)


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of a text, cut at a word, for lists; the full text is on the entry page."""
    text = " ".join(body.split())
    if len(text) <= length:
        return text
    cut = text[:length]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


templates.env.globals.update(
    gettext=_gettext, ngettext=_ngettext, _=_gettext, excerpt=excerpt, line_chart=line_chart
)
templates.env.filters["local_time"] = _local_time


_HOME_SECTION = {Role.participant: "journal", Role.clinician: "clinician"}


def local_format(request: Request) -> LocalFormat:
    """The reader's clock: their time zone (once signed in) and language."""
    locale = request_locale(request)
    return LocalFormat.for_reader(
        getattr(request.state, "time_zone", None),
        locale,
        utcnow(),
        translate(locale, N_("Today")),
        translate(locale, N_("Yesterday")),
    )


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    refused: Refusal | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page in the reader's language and time zone, with the labels of their role and the
    note of a redirect (`?done=` names one of DONE_MESSAGES; nothing else is shown). A page
    shown again for a refused form carries its problems and answers with its status."""
    locale = request_locale(request)
    user = getattr(request.state, "user", None)
    done_key = request.query_params.get("done", "") if request.method == "GET" else ""
    done = DONE_MESSAGES.get(done_key)
    values: dict[str, Any] = {
        **labels_for(user.role if user else None),
        "locale": locale,
        "time_zone": getattr(request.state, "time_zone", None),
        "user": user,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "fmt": local_format(request),
        # The menu item a page belongs to, unless it says otherwise.
        "nav": _HOME_SECTION.get(user.role) if user else None,
        "problems": refused.problems if refused else None,
        "done": translate(locale, done) if done else None,
        "done_key": done_key if done else None,
    }
    values.update(context or {})
    response: HTMLResponse = templates.TemplateResponse(
        request, name, values, status_code=refused.status if refused else status_code, headers=headers
    )
    # Said in the headers too: the service worker keeps its offline page in the reader's language.
    response.headers["Content-Language"] = locale
    return response


def error_page(
    request: Request, status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    return page(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail, "nav": None},
        status_code=status,
        headers=headers,
    )
