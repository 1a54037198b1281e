"""Domain errors, and the one place that turns any error into RFC 9457 JSON or a friendly page.

Messages are English msgids translated into the reader's language when the response is made.
No response ever carries a submitted value, a stack trace or SQL.
"""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match

from app.i18n import N_, request_locale, translate
from app.security_log import REFUSALS, note_refusal

logger = logging.getLogger("stem.errors")

PROBLEM_JSON = "application/problem+json"

# Renders the friendly error page of a browser request: (request, status, title, detail, headers).
# The pages floor gives it to `install_error_handlers`, so this module needs no templates.
ErrorPage = Callable[[Request, int, str, str, dict[str, str] | None], Response]


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        **params: object,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        if code:
            self.code = code
        if status:
            self.status = status
        self.field = field
        self.headers = headers or {}
        self.extra = extra or {}


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    status = 410
    code = "gone"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    """A change without the version it was based on (If-Match), which could overwrite another."""

    status = 428
    code = "precondition_required"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, **params: object) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.params = params
        self.retry_after = retry_after

    @classmethod
    def attempts(cls, wait: int) -> "TooManyRequests":
        """The one refusal for guessing too often: how many minutes to wait, rounded up."""
        return cls(
            N_("Too many attempts. Wait {minutes} minutes and try again."),
            retry_after=wait,
            minutes=max(1, (wait + 59) // 60),
        )


# Pydantic error types → plain-language messages. The submitted value is never included.
_VALIDATION_MESSAGES = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not allowed here."),
    "string_too_short": N_("This is too short (at least {min_length} characters)."),
    "string_too_long": N_("This is too long (at most {max_length} characters)."),
    "too_short": N_("This needs at least {min_length} items."),
    "too_long": N_("This can have at most {max_length} items."),
    "string_type": N_("This must be text."),
    "string_pattern_mismatch": N_("This contains characters that are not allowed."),
    "int_type": N_("This must be a whole number."),
    "int_parsing": N_("This must be a whole number."),
    "bool_type": N_("This must be true or false."),
    "bool_parsing": N_("This must be true or false."),
    "uuid_type": N_("This is not a valid identifier."),
    "uuid_parsing": N_("This is not a valid identifier."),
    "enum": N_("This is not one of the allowed choices."),
    "literal_error": N_("This is not one of the allowed choices."),
    "json_invalid": N_("The request body is not valid JSON."),
    "model_attributes_type": N_("The request body must be a JSON object."),
    "dict_type": N_("The request body must be a JSON object."),
    "model_type": N_("The request body must be a JSON object."),
    "list_type": N_("This must be a list."),
    "greater_than_equal": N_("This must be at least {ge}."),
    "less_than_equal": N_("This must be at most {le}."),
    "datetime_parsing": N_("This is not a valid date and time."),
    "datetime_type": N_("This is not a valid date and time."),
    "timezone_aware": N_("This date and time needs a time zone."),
    "time_parsing": N_("This is not a time of day; write it as 18:00."),
    "time_type": N_("This is not a time of day; write it as 18:00."),
    "value_error": N_("This value is not valid."),
}
_DEFAULT_VALIDATION_MESSAGE = N_("This value is not valid.")

_TITLES = {
    400: N_("Bad request"),
    401: N_("Not signed in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    408: N_("Too slow"),
    409: N_("Conflict"),
    410: N_("Gone"),
    412: N_("Changed in the meantime"),
    413: N_("Too large"),
    415: N_("Unsupported content type"),
    422: N_("Check your input"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}


def _title(locale: str, status: int) -> str:
    msgid = _TITLES.get(status)
    if msgid:
        return translate(locale, msgid)
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    locale = request_locale(request)
    error_page: ErrorPage | None = getattr(request.app.state, "error_page", None)
    if error_page is not None and not wants_json(request):
        return error_page(request, status, _title(locale, status), detail, headers)
    body: dict[str, Any] = {
        "type": f"urn:stem:problem:{code}",
        "title": _title(locale, status),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_errors(locale: str, raw_errors: Any) -> list[dict[str, str]]:
    errors = []
    for error in raw_errors:
        kind = error.get("type", "")
        if kind == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
            kind = "missing"
        msgid = _VALIDATION_MESSAGES.get(kind, _DEFAULT_VALIDATION_MESSAGE)
        context = {
            key: value
            for key, value in (error.get("ctx") or {}).items()
            if key in {"min_length", "max_length", "ge", "le"}
        }
        try:
            message = translate(locale, msgid, **context)
        except (KeyError, IndexError):
            message = translate(locale, _DEFAULT_VALIDATION_MESSAGE)
        errors.append({"field": _field_name(tuple(error.get("loc", ()))), "message": message})
    return errors


async def _domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if exc.status in REFUSALS:
        note_refusal(request, exc.status, exc.code)
    if exc.status == 401 and not wants_json(request):
        # Back to the page after signing in; a form's target cannot be revisited with GET.
        target = "/login"
        if request.method == "GET":
            target += "?" + urlencode({"next": request.url.path})
        return RedirectResponse(target, status_code=303)
    locale = request_locale(request)
    detail = translate(locale, exc.message, **exc.params)
    errors = None
    if exc.field:
        errors = [{"field": exc.field, "message": detail}]
    return problem_response(
        request,
        exc.status,
        exc.code,
        detail,
        errors=errors,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    note_refusal(request, 422, "invalid_request")
    locale = request_locale(request)
    errors = validation_errors(locale, exc.errors())
    detail = translate(locale, N_("Some fields need attention."))
    return problem_response(request, 422, "invalid", detail, errors=errors)


async def _http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in REFUSALS:
        note_refusal(request, exc.status_code, f"http_{exc.status_code}")
    locale = request_locale(request)
    detail = translate(locale, HTTP_MESSAGES.get(exc.status_code, N_("The request could not be handled.")))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(request, exc.status_code, f"http_{exc.status_code}", detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method this path answers to; Starlette names only the first matching route's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _child = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


HTTP_MESSAGES = {
    404: N_("There is nothing here."),
    405: N_("This action is not possible here."),
    408: N_("The request took too long to arrive. Please try again."),
    413: N_("This request is too large."),
}


def server_error_response(request: Request) -> Response:
    locale = request_locale(request)
    detail = translate(locale, N_("Something went wrong on our side. Please try again in a moment."))
    return problem_response(request, 500, "server_error", detail)


def install_error_handlers(app: FastAPI, *, error_page: ErrorPage) -> None:
    app.state.error_page = error_page
    app.add_exception_handler(DomainError, _domain_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
