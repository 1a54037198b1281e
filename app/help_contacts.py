"""Who to call when it is urgent: the contacts of the "Help now" page.

They come from settings (`STEM_HELP_CONTACTS`: JSON, or `@path/to/file.json`), so a centre
outside the Netherlands sets its own; without it, the Dutch defaults below. They are checked
when the app starts (`check_help_contacts`), so a typo is a clear error at start and never a
500 on the page someone opens in a crisis.

The format, a list of contacts:

    [{"name": {"en": "Emergencies", "nl": "Spoed"},
      "description": {"en": "...", "nl": "..."},
      "phones": ["112"],
      "url": "https://..."}]

`name` and `description` need English; another language falls back to English. A phone is
shown as written and dialled as its digits (`0800-0113` → `tel:08000113`, `+31 20 …` → `tel:+3120…`).
"""

import json
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.config import SUPPORTED_LOCALES, Settings, get_settings

# Digits, spaces, dashes, dots, brackets, an optional leading +: what people write on a card.
_PHONE = re.compile(r"^\+?[0-9][0-9 .()\-]{0,30}$")


class HelpContactsError(ValueError):
    """STEM_HELP_CONTACTS cannot be used; the message says what is wrong and where."""


class Phone(BaseModel):
    shown: str
    tel: str


class LocalText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    en: str = Field(min_length=1, max_length=400)
    nl: str | None = Field(default=None, min_length=1, max_length=400)

    def in_language(self, locale: str) -> str:
        value = getattr(self, locale, None) if locale in SUPPORTED_LOCALES else None
        return value or self.en


class HelpContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LocalText
    description: LocalText
    phones: list[str] = Field(default_factory=list, max_length=5)
    url: str | None = Field(default=None, max_length=300)

    @field_validator("phones")
    @classmethod
    def _dialable(cls, values: list[str]) -> list[str]:
        for value in values:
            if not is_phone_number(value):
                raise ValueError(f"{value!r} is not a phone number (digits, spaces, dashes, a leading +)")
        return [value.strip() for value in values]

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
            raise ValueError(f"{value!r} is not a web address (https://...)")
        return value

    def dial(self) -> list[Phone]:
        return [Phone(shown=phone, tel=tel_form(phone)) for phone in self.phones]

    def url_shown(self) -> str | None:
        """The address without its scheme, as people say it: www.113.nl."""
        return re.sub(r"^https?://", "", self.url).rstrip("/") if self.url else None


def is_phone_number(value: str) -> bool:
    return bool(_PHONE.match(value.strip())) and sum(char.isdigit() for char in value) >= 2


def tel_form(phone: str) -> str:
    """What a `tel:` link dials: the digits, with the leading + of an international number."""
    digits = "".join(char for char in phone if char.isdigit())
    return f"+{digits}" if phone.strip().startswith("+") else digits


# The Netherlands: 112, the GP and the out-of-hours GP service, 113 Zelfmoordpreventie.
DUTCH_DEFAULTS: list[dict[str, object]] = [
    {
        "name": {"en": "Emergencies: 112", "nl": "Spoed: 112"},
        "description": {
            "en": "When a life is in danger, right now: ambulance, police, fire brigade.",
            "nl": "Als iemands leven nu in gevaar is: ambulance, politie, brandweer.",
        },
        "phones": ["112"],
    },
    {
        "name": {"en": "Your GP (huisarts)", "nl": "Je huisarts"},
        "description": {
            "en": "For urgent care that cannot wait, call your own GP. In the evening, at night "
            "and at the weekend: the out-of-hours GP service (huisartsenpost) in your area.",
            "nl": "Voor zorg die niet kan wachten, bel je eigen huisarts. 's Avonds, 's nachts en "
            "in het weekend: de huisartsenpost bij jou in de buurt.",
        },
    },
    {
        "name": {"en": "113 Suicide Prevention", "nl": "113 Zelfmoordpreventie"},
        "description": {
            "en": "If you think about ending your life, or worry about someone else. Day and "
            "night, anonymous. Call 113 or 0800-0113 (free), or chat at 113.nl.",
            "nl": "Als je aan zelfdoding denkt, of je zorgen maakt om iemand anders. Dag en "
            "nacht, anoniem. Bel 113 of gratis 0800-0113, of chat via 113.nl.",
        },
        "phones": ["113", "0800-0113"],
        "url": "https://www.113.nl",
    },
]


def parse_help_contacts(setting: str) -> tuple[HelpContact, ...]:
    """The contacts of a STEM_HELP_CONTACTS value ("" = the Dutch defaults)."""
    source = "STEM_HELP_CONTACTS"
    if not setting.strip():
        raw: object = DUTCH_DEFAULTS
    else:
        text = setting.strip()
        if text.startswith("@"):
            path = Path(text[1:]).expanduser()
            source = f"STEM_HELP_CONTACTS file {path}"
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise HelpContactsError(f"{source} cannot be read: {exc.strerror or exc}") from None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise HelpContactsError(
                f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    if not isinstance(raw, list) or not raw:
        raise HelpContactsError(f"{source} must be a non-empty JSON list of contacts")
    contacts = []
    for number, item in enumerate(raw, start=1):
        try:
            contacts.append(HelpContact.model_validate(item))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'contact'}: {error['msg']}"
                for error in exc.errors()
            )
            raise HelpContactsError(f"{source}, contact {number}: {problems}") from None
    return tuple(contacts)


@lru_cache
def _parsed(setting: str) -> tuple[HelpContact, ...]:
    return parse_help_contacts(setting)


def help_contacts(settings: Settings | None = None) -> tuple[HelpContact, ...]:
    return _parsed((settings or get_settings()).help_contacts)


def check_help_contacts(settings: Settings | None = None) -> None:
    """Raise HelpContactsError at start when the setting cannot be used."""
    help_contacts(settings)
