"""How every page handles a form: the problems of a refused submission next to their fields, the
redirect after a successful one (POST → 303 → GET, so a reload never repeats an action), safe
"continue to" targets, and path ids that answer "not found" the same way for every role.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.errors import DomainError, NotFound, validation_errors
from app.i18n import request_locale, translate
from app.validation import is_storable

TRUE_WORDS = frozenset({"1", "true", "on", "yes"})


# What a form field may hold as typed, before a schema checks it: bounded, so that a runaway
# body is refused early, and generous, so that a too-long value comes back with a clear message.
# Text no database can store (a NUL, an unpaired surrogate) is refused here like in the API's
# schemas: on PostgreSQL a NUL in the login form's username used to reach the query and give a 500.
def _storable(value: str) -> str:
    if not is_storable(value):
        raise ValueError("text contains characters that cannot be stored")
    return value


Storable = AfterValidator(_storable)
Choice = Annotated[str, Field(max_length=100), Storable]
Text = Annotated[str, Field(max_length=200), Storable]
LongText = Annotated[str, Field(max_length=8000), Storable]
Secret = Annotated[str, Field(max_length=1024), Storable]
Target = Annotated[str, Field(max_length=2000), Storable]
Ids = Annotated[list[str], Field(max_length=200)]


@dataclass
class FormProblems:
    """What went wrong in one form of a page: per visible field, and for the form as a whole."""

    form: str
    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str, visible: frozenset[str]) -> None:
        if name is not None and name in visible:
            self.fields.setdefault(name, message)
        elif message not in self.general:
            self.general.append(message)


@dataclass(frozen=True)
class Refusal:
    """A refused form: what to show next to its fields, and the status the page answers with."""

    problems: FormProblems
    status: int


@dataclass(frozen=True)
class FormFields:
    """How a form shows its problems: `visible` fields show their own, next to them; the rest are
    listed above the form. `aliases` names the form field that stands for a schema field (one
    choice for two fields); `messages` gives a page's own words for one (field, error type)."""

    visible: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    messages: Mapping[tuple[str, str], str] = field(default_factory=dict)


NO_FIELDS = FormFields()


def refusal(
    request: Request, form: str, exc: DomainError | ValidationError, fields: FormFields = NO_FIELDS
) -> Refusal:
    """The problems of a refused form, in the reader's language, and the status to answer with."""
    locale = request_locale(request)
    problems = FormProblems(form=form)
    if isinstance(exc, DomainError):
        name = fields.aliases.get(exc.field or "", exc.field)
        problems.add(name, translate(locale, exc.message, **exc.params), fields.visible)
        return Refusal(problems, exc.status)
    raw_errors = exc.errors()
    for error, raw in zip(validation_errors(locale, raw_errors), raw_errors, strict=True):
        name = fields.aliases.get(error["field"], error["field"])
        own = fields.messages.get((name, str(raw.get("type", ""))))
        message = translate(locale, own) if own else error["message"]
        problems.add(name, message, fields.visible)
    return Refusal(problems, 422)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """A path on this site to continue to; anything that could lead elsewhere becomes "/"."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    # Browsers read a backslash as a slash ("/\\evil.example"), and strip tabs and newlines.
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def id_or_404(value: str, message: str) -> uuid.UUID:
    """A malformed id in a path answers exactly like someone else's or a missing one."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(message) from None


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def optional(value: str) -> str | None:
    """A text field left empty is "not given"."""
    value = value.strip()
    return value or None


def ticked(value: str) -> bool:
    """A checkbox or a flag in a link."""
    return value.strip().lower() in TRUE_WORDS
