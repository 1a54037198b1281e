"""Server-rendered pages: the Jinja2 environment, per-request translation and the error page."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.i18n import request_locale, translations_for
from app.paths import TEMPLATES_DIR

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
def _local_time(context: Context, value: datetime, style: str = "medium") -> str:
    zone = ZoneInfo(context.get("time_zone") or "Europe/Amsterdam")
    return format_datetime(value.astimezone(zone), format=style, locale=context["locale"])


templates.env.globals.update(gettext=_gettext, ngettext=_ngettext, _=_gettext)
templates.env.filters["local_time"] = _local_time


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    values: dict[str, Any] = {
        "locale": request_locale(request),
        "time_zone": getattr(request.state, "time_zone", None),
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }
    values.update(context or {})
    response: HTMLResponse = templates.TemplateResponse(
        request, name, values, status_code=status_code, headers=headers
    )
    return response


def render_error_page(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
        headers=headers,
    )
