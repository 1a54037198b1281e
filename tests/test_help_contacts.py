"""Who to call when it is urgent comes from settings: the Dutch defaults, a centre's own JSON or
file, and a clear error at start (never a 500 on the help page) when the setting is wrong."""

import json

import pytest

from app.config import Settings, get_settings
from app.help_contacts import HelpContactsError, help_contacts, parse_help_contacts, tel_form

OWN = [
    {
        "name": {"en": "Crisis line", "nl": "Crisislijn"},
        "description": {"en": "Day and night."},
        "phones": ["+32 2 648 40 14"],
        "url": "https://example.org/chat",
    }
]


def test_the_dutch_defaults_are_112_the_gp_and_113():
    contacts = parse_help_contacts("")
    names = [contact.name.in_language("nl") for contact in contacts]
    assert names == ["Spoed: 112", "Je huisarts", "113 Zelfmoordpreventie"]
    dialled = [phone.tel for contact in contacts for phone in contact.dial()]
    assert dialled == ["112", "113", "08000113"]
    assert contacts[2].url == "https://www.113.nl"
    assert "huisartsenpost" in contacts[1].description.in_language("en")
    assert "huisartsenpost" in contacts[1].description.in_language("nl")


@pytest.mark.parametrize(
    ("shown", "tel"),
    [("112", "112"), ("0800-0113", "08000113"), ("+31 (0)20 123 45 67", "+310201234567"), (" 113 ", "113")],
)
def test_a_phone_is_dialled_as_its_digits(shown, tel):
    assert tel_form(shown) == tel


def test_a_centre_sets_its_own_contacts_as_json():
    (contact,) = parse_help_contacts(json.dumps(OWN))
    assert contact.name.in_language("nl") == "Crisislijn"
    # no Dutch description: English rather than nothing
    assert contact.description.in_language("nl") == "Day and night."
    assert [phone.tel for phone in contact.dial()] == ["+3226484014"]
    assert contact.url_shown() == "example.org/chat"


def test_a_centre_sets_its_own_contacts_in_a_file(tmp_path):
    path = tmp_path / "help.json"
    path.write_text(json.dumps(OWN), encoding="utf-8")
    (contact,) = parse_help_contacts(f"@{path}")
    assert contact.name.en == "Crisis line"


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("[{", "not valid JSON (line 1, column 3"),
        ("{}", "non-empty JSON list"),
        ("[]", "non-empty JSON list"),
        (
            json.dumps([{**OWN[0], "phones": ["call me"]}]),
            "contact 1: phones: Value error, 'call me' is not a phone",
        ),
        (json.dumps([{**OWN[0], "phones": ["+"]}]), "is not a phone number"),
        (json.dumps([{**OWN[0], "url": "javascript:alert(1)"}]), "is not a web address"),
        (json.dumps([{"description": {"en": "x"}}]), "contact 1: name: Field required"),
        (json.dumps([{**OWN[0], "name": {"nl": "Alleen Nederlands"}}]), "contact 1: name.en: Field required"),
        (json.dumps([{**OWN[0], "colour": "red"}]), "contact 1: colour: Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(setting, says):
    with pytest.raises(HelpContactsError) as raised:
        parse_help_contacts(setting)
    assert "STEM_HELP_CONTACTS" in str(raised.value)
    assert says in str(raised.value)


def test_a_missing_file_is_refused_with_its_path(tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(HelpContactsError) as raised:
        parse_help_contacts(f"@{missing}")
    assert str(missing) in str(raised.value)
    assert "cannot be read" in str(raised.value)


def test_the_app_does_not_start_with_a_bad_setting(monkeypatch, tmp_path):
    """The error comes when the app is built (`stem serve`, the ASGI entry), not on the page."""
    from app.main import create_app

    monkeypatch.setenv("STEM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STEM_HELP_CONTACTS", "@/no/such/help.json")
    get_settings.cache_clear()
    try:
        with pytest.raises(HelpContactsError, match="cannot be read"):
            create_app()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_settings_choose_the_contacts(tmp_path):
    settings = Settings(data_dir=tmp_path, help_contacts=json.dumps(OWN))
    assert [contact.name.en for contact in help_contacts(settings)] == ["Crisis line"]
