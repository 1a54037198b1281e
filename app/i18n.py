"""Locale selection and gettext for messages and templates (English source strings, Dutch catalog)."""

import io
from collections.abc import Callable
from functools import lru_cache
from gettext import NullTranslations

from babel import Locale as BabelLocale
from babel.core import UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

from app.config import SUPPORTED_LOCALES, get_settings
from app.paths import LOCALES_DIR

# Chosen on the sign-in page before anyone is signed in; a signed-in user's setting wins.
LOCALE_COOKIE = "stem_locale"
# Over https, like the session cookie: `__Host-` means Secure, this host only, path /, so no
# other site or subdomain can set it (ASVS 3.3.1).
SECURE_LOCALE_COOKIE = "__Host-stem_locale"


def locale_cookie_name(request: Request) -> str:
    return SECURE_LOCALE_COOKIE if request.url.scheme == "https" else LOCALE_COOKIE


def N_(message: str) -> str:  # noqa: N802  (the conventional name the extractor looks for)
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


@lru_cache
def translations_for(locale: str) -> NullTranslations:
    """The compiled catalog for a locale; English is the source language."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


def gettext_for(locale: str) -> Callable[[str], str]:
    return translations_for(locale).gettext


def translate(locale: str, message: str, **params: object) -> str:
    text = translations_for(locale).gettext(message)
    return text.format(**params) if params else text


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    value = value.replace("-", "_").split("_")[0].lower()
    return value if value in SUPPORTED_LOCALES else None


def negotiate_locale(accept_language: str | None) -> str | None:
    """The best supported locale for an Accept-Language header, or None."""
    if not accept_language:
        return None
    preferred: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        quality = 1.0
        for piece in pieces[1:]:
            name, _, number = piece.strip().partition("=")
            if name == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            preferred.append((quality, tag))
    preferred.sort(key=lambda item: -item[0])
    for _quality, tag in preferred:
        try:
            language = BabelLocale.parse(tag, sep="-").language
        except (ValueError, UnknownLocaleError):
            continue
        if language in SUPPORTED_LOCALES:
            return language
    return None


def request_locale(request: Request) -> str:
    """The signed-in user's language, else the browser's, else the site default."""
    chosen = getattr(request.state, "locale", None)
    if chosen:
        return str(chosen)
    cookie_choice = normalise_locale(request.cookies.get(locale_cookie_name(request)))
    if cookie_choice:
        return cookie_choice
    return negotiate_locale(request.headers.get("accept-language")) or get_settings().default_locale
