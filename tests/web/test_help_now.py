"""The "Help now" page: public, in both languages, with `tel:` links from settings and, for a signed-in
participant, their own team's contacts; linked from the menu and the footer of every
participant page. And the honest words where people write and share."""

import json
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from app.config import get_settings
from app.models.enums import Discipline, Role
from app.web.participant import appointments, journal, my_data, sharing
from tests.factories import login, make_team, make_user
from tests.web.page_client import Browser, text_of

NOBODY_READS = {
    "en": "Nobody reads your private entries. If something is urgent, call.",
    "nl": "Niemand leest je privé-notities. Is het dringend? Bel dan.",
}
TEAM_READS = {
    "en": "Your team reads this at or before your next appointment, not straight away.",
    "nl": "Je team leest dit bij of vóór je volgende afspraak, niet meteen.",
}


def tel_links(page: str) -> list[str]:
    return re.findall(r'href="tel:([^"]+)"', page)


@pytest.fixture
def team(db):
    team = make_team(db, "Rehab team")
    team.help_phone = "020 123 4567"
    team.help_hours = "Monday to Friday, 8:30 to 17:00"
    db.add(team)
    db.commit()
    return team


@pytest.fixture
def anna(db, team):
    return make_user(db, Role.participant, team=team, display_name="Anna")


# --- the page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Help now", "Emergencies: 112", "113 Suicide Prevention", "out-of-hours GP service"]),
        ("nl", ["Hulp nu", "Spoed: 112", "113 Zelfmoordpreventie", "huisartsenpost"]),
    ],
)
def test_anyone_signed_out_gets_the_help_page_in_their_language(client, language, words):
    response = client.get("/help", headers={"Accept-Language": language})
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    for word in words:
        assert word in text_of(response.text)
    assert tel_links(response.text) == ["112", "113", "08000113"]
    assert 'href="https://www.113.nl"' in response.text
    # the copy the service worker keeps: nothing personal, revalidated when online
    assert response.headers["cache-control"] == "no-cache"


def test_the_numbers_come_from_settings(client, monkeypatch):
    own = [{"name": {"en": "Samaritans"}, "description": {"en": "Any time."}, "phones": ["116 123"]}]
    monkeypatch.setattr(get_settings(), "help_contacts", json.dumps(own))
    page = client.get("/help").text
    assert "Samaritans" in page
    assert tel_links(page) == ["116123"]
    assert "113" not in text_of(page)


def test_a_participant_also_sees_their_own_team(client_factory, anna):
    client = client_factory()
    login(client, anna)
    response = client.get("/help")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Your care team: Rehab team" in text
    assert "Open: Monday to Friday, 8:30 to 17:00" in text
    assert tel_links(response.text)[-1] == "0201234567"
    # a signed-in page is personal: never stored
    assert response.headers["cache-control"] == "no-store"


def test_the_team_contacts_reach_only_that_team(client, client_factory, db, team, anna):
    other = make_user(db, Role.participant, team=make_team(db, "Elsewhere"))
    clinician = make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    admin = make_user(db, Role.admin)
    for user in (other, clinician, admin):
        signed_in = client_factory()
        login(signed_in, user)
        page = signed_in.get("/help").text
        assert "020 123 4567" not in page and "Rehab team" not in page, user.role
    page = client.get("/help").text  # signed out
    assert "020 123 4567" not in page


def test_call_buttons_are_big_tap_targets(client):
    """Each call link is a button with the large-target class (at least 48 px, see stem.css)."""
    page = client.get("/help").text
    calls = re.findall(r'<a class="([^"]+)" href="tel:', page)
    assert calls and all("help-call" in classes.split() for classes in calls)
    css = client.get("/static/css/stem.css").text
    rule = css[css.index(".help-call {") :]
    rule = rule[: rule.index("}")]
    assert "min-height: 3.25rem" in rule  # 52 px at the default size


# --- one tap from every participant page -------------------------------------------------

PARTICIPANT_ROUTERS = [journal.router, sharing.router, appointments.router, my_data.router]


def _participant_pages() -> set[str]:
    return {
        route.path
        for router in PARTICIPANT_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        and "GET" in (route.methods or set())
        # calendar files (.ics) are downloads, not pages: they have no menu
        and not route.path.endswith(".ics")
    }


def test_every_participant_page_links_help_now_in_the_menu_and_the_footer(client_factory, anna):
    client = client_factory()
    login(client, anna)
    created = client.post("/api/v1/entries", json={"kind": "thought", "body": "Tired today"})
    assert created.status_code == 201
    entry_id = created.json()["id"]
    walked = _participant_pages() | {"/", "/account", "/help"}
    # a new participant page joins this walk by itself; its path ids are filled in here
    assert {path for path in walked if "{" in path} <= {
        "/entries/{entry_id}",
        "/entries/{entry_id}/edit",
        "/entries/{entry_id}/delete",
    }
    assert len(walked) >= 13
    for path in sorted(walked):
        response = client.get(path.format(entry_id=entry_id))
        assert response.status_code == 200, path
        menu = response.text[response.text.index('<nav class="site-nav"') :]
        menu = menu[: menu.index("</nav>")]
        footer = response.text[response.text.index('<footer class="site-footer"') :]
        assert 'href="/help"' in menu, f"{path}: no Help now in the menu"
        assert 'href="/help"' in footer, f"{path}: no Help now in the footer"


def test_signed_out_pages_link_help_now_too(client):
    for path in ["/login", "/join", "/offline", "/help"]:
        footer = client.get(path).text.split('<footer class="site-footer"')[1]
        assert 'href="/help"' in footer, path


# --- honest words ---------------------------------------------------------------------------


def _as(client_factory: Any, user: Any, language: str) -> Browser:
    browser = Browser(client_factory(), user)
    browser.client.cookies.set("stem_locale", language)
    user_locale = browser.client.patch(
        "/api/v1/me", json={"locale": language}, headers={"X-CSRF-Token": browser.csrf}
    )
    assert user_locale.status_code == 200
    return browser


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_write_page_and_the_first_journal_say_nobody_reads_along(client_factory, anna, language):
    browser = _as(client_factory, anna, language)
    for path in ["/write", "/journal"]:
        page = browser.get(path).text
        assert NOBODY_READS[language] in text_of(page), path
        sentence = page[page.index('class="nobody-reads"') :]
        assert 'href="/help"' in sentence[: sentence.index("</p>")], path


def test_the_journal_with_entries_does_not_repeat_it(client_factory, anna):
    browser = _as(client_factory, anna, "en")
    browser.client.post(
        "/api/v1/entries", json={"kind": "thought", "body": "Words"}, headers={"X-CSRF-Token": browser.csrf}
    )
    assert NOBODY_READS["en"] not in text_of(browser.get("/journal").text)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_sharing_says_when_the_team_reads(client_factory, db, team, anna, language):
    make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    browser = _as(client_factory, anna, language)
    created = browser.client.post(
        "/api/v1/entries", json={"kind": "question", "body": "Why?"}, headers={"X-CSRF-Token": browser.csrf}
    )
    entry_page = f"/entries/{created.json()['id']}"
    for path in ["/share", entry_page]:
        assert TEAM_READS[language] in text_of(browser.get(path).text), path

    team.reading_habit = "We read shared entries every Tuesday and Friday."
    db.add(team)
    db.commit()
    for path in ["/share", entry_page]:
        text = text_of(browser.get(path).text)
        assert "We read shared entries every Tuesday and Friday." in text, path
        assert TEAM_READS[language] not in text, path
