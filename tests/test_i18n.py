"""Every message in the code and templates has a Dutch translation; locale negotiation works."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import negotiate_locale, translate

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for directory, method_map, options in (
        (ROOT / "app", [("**.py", "python")], {}),
        (
            ROOT / "web" / "templates",
            [("**.html", "jinja2")],
            {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true", "silent": "false"}},
        ),
    ):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            directory, method_map, options, keywords=KEYWORDS
        ):
            if isinstance(message, tuple):
                found.update(part for part in message if part)
            elif message:
                found.add(message)
    return found


def _dutch_catalog():
    with (ROOT / "web" / "locales" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="nl")


def test_every_message_has_a_dutch_translation():
    catalog = _dutch_catalog()
    missing = []
    for message in sorted(_source_messages()):
        entry = catalog.get(message)
        if entry is None:
            # plural entries are keyed by their singular
            entry = next((m for m in catalog if isinstance(m.id, tuple) and message in m.id), None)
        translated = entry is not None and (
            all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)
        )
        if not translated or (entry is not None and entry.fuzzy):
            missing.append(message)
    assert missing == [], f"{len(missing)} messages lack a Dutch translation: {missing[:10]}"


def test_the_catalog_check_sees_template_text():
    messages = _source_messages()
    assert len(messages) > 50
    assert "The username or password is not correct." in messages


def test_translate_to_dutch_and_back():
    assert translate("nl", "The username or password is not correct.") != translate(
        "en", "The username or password is not correct."
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,nl;q=0.5", "nl"),
        ("de-DE", None),
        ("", None),
        ("nl;q=0, en;q=0.5", "en"),
        ("garbage;;;q=x", None),
    ],
)
def test_accept_language_negotiation(header, expected):
    assert negotiate_locale(header) == expected


@pytest.mark.parametrize(("header", "expected"), [("nl-NL,nl;q=0.9", "nl"), ("en-GB", "en")])
def test_every_page_says_its_language_in_the_headers(client, header, expected):
    """The service worker reads it to keep its offline page in the reader's language."""
    for path in ("/login", "/offline", "/help"):
        response = client.get(path, headers={"Accept-Language": header})
        assert response.status_code == 200
        assert response.headers["content-language"] == expected
        assert f'<html lang="{expected}">' in response.text
