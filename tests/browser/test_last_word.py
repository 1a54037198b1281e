"""In a real Chromium, in English and Dutch: the participant's last word keeps a disputed
"agreed" open on the clinician's page (and new on the dashboard); "raise at my next session"
shares with the chosen person only and puts it on that agenda; sharing with nobody ticked is
refused with a clear message."""

from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import AgendaItem, Share
from app.models.enums import Discipline, Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import PASSWORD, login, make_team, make_user
from tests.sharing.conftest import in_future

WORDS = {
    "en": {
        "word": "Ria sees it differently: I still don't feel believed",
        "nobody": "Choose with whom to share: your whole care team, or the people you tick.",
        "new": "1 new",
    },
    "nl": {
        "word": "Ria ziet het anders: I still don't feel believed",
        "nobody": "Kies met wie je deelt: je hele zorgteam, of de mensen die je aanvinkt.",
        "new": "1 nieuw",
    },
}


def _rows(db: Session, statement: Any) -> list[Any]:
    db.commit()
    db.expire_all()
    found = list(db.exec(statement).all())
    db.commit()
    return found


def _team(db: Session, locale: str, client_factory: Any) -> dict[str, Any]:
    team = make_team(db, f"Team {locale}")
    people = {
        "ria": make_user(db, Role.participant, team=team, display_name="Ria", locale=locale),
        "physio": make_user(
            db,
            Role.clinician,
            team=team,
            display_name="Phil",
            discipline=Discipline.physiotherapist,
            locale=locale,
        ),
        "psych": make_user(
            db,
            Role.clinician,
            team=team,
            display_name="Pat",
            discipline=Discipline.psychologist,
            locale=locale,
        ),
    }
    apis = {}
    for name, user in people.items():
        apis[name] = client_factory()
        login(apis[name], user)
    return {"users": people, "api": apis}


def _entry(api: Any, body: str) -> str:
    created = api.post("/api/v1/entries", json={"kind": "disagreement", "body": body, "topic": "diagnosis"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_disputed_agreed_stays_open_and_new_for_the_clinician(
    live_server, browser_context_factory, client_factory, db, locale
):
    team = _team(db, locale, client_factory)
    ria, physio = team["api"]["ria"], team["api"]["physio"]
    entry_id = _entry(ria, "Nobody believes my pain")
    assert ria.post(f"/api/v1/entries/{entry_id}/shares", json={"audience": "team"}).status_code == 201
    discussed = physio.post(
        f"/api/v1/entries/{entry_id}/responses", json={"kind": "discussed", "outcome": "agreed"}
    )
    assert discussed.status_code == 201
    physio.get(f"/api/v1/clinician/participants/{team['users']['ria'].id}/entries")  # read: nothing new

    phone = browser_context_factory(PHONE).new_page()
    sign_in(phone, live_server, team["users"]["ria"].username, PASSWORD)
    phone.goto(f"{live_server}/")
    phone.click("#your-view-title + p + ul a")
    response_id = discussed.json()["id"]
    phone.click(f"#response-{response_id} details.your-view-form summary")
    phone.click(f"label[for='view-{response_id}-differs']")
    phone.fill(f"#view-{response_id}-note", "I still don't feel believed")
    phone.click(f"#response-{response_id} form button[type=submit]")
    phone.wait_for_selector(".notice--done")

    desk = browser_context_factory(DESKTOP).new_page()
    sign_in(desk, live_server, team["users"]["physio"].username, PASSWORD)
    desk.goto(f"{live_server}/")
    assert WORDS[locale]["new"] in desk.locator("table.participants").inner_text()
    desk.goto(f"{live_server}/clinician/participants/{team['users']['ria'].id}")
    card = desk.locator(f"#disagreements #entry-{entry_id}")
    assert card.count() == 1
    word = " ".join(card.locator(".participant-word").inner_text().split())
    assert word == WORDS[locale]["word"]
    assert card.locator(".flag--new").count() == 1


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_raise_at_my_next_session_in_one_step(
    live_server, browser_context_factory, client_factory, db, locale
):
    team = _team(db, locale, client_factory)
    ria = team["api"]["ria"]
    psych = team["users"]["psych"]
    appointment = ria.post(
        "/api/v1/appointments", json={"clinician_id": str(psych.id), "starts_at": in_future()}
    )
    assert appointment.status_code == 201, appointment.text
    entry_id = _entry(ria, "The scan says nothing is wrong")

    phone = browser_context_factory(PHONE).new_page()
    sign_in(phone, live_server, team["users"]["ria"].username, PASSWORD)
    phone.goto(f"{live_server}/entries/{entry_id}")
    phone.click("details.raise-box summary")
    phone.click(f"label[for='raise-appointment-{appointment.json()['id']}']")
    phone.click("form[action$='/raise'] button[type=submit]")
    phone.wait_for_selector(".notice--done")

    shares = _rows(db, select(Share))
    assert [(str(share.entry_id), share.clinician_id) for share in shares] == [(entry_id, psych.id)]
    agenda = _rows(db, select(AgendaItem))
    assert [str(item.entry_id) for item in agenda] == [entry_id]


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_sharing_with_nobody_ticked_is_refused(
    live_server, browser_context_factory, client_factory, db, locale
):
    team = _team(db, locale, client_factory)
    entry_id = _entry(team["api"]["ria"], "Not sure whom to tell")
    phone = browser_context_factory(PHONE).new_page()
    sign_in(phone, live_server, team["users"]["ria"].username, PASSWORD)
    phone.goto(f"{live_server}/entries/{entry_id}")
    phone.click("details.share-box summary")
    assert not phone.is_checked("#share-audience-team")
    assert not phone.is_checked("#share-audience-people")
    phone.click(f"form[action='/entries/{entry_id}/share'] button[type=submit]")
    phone.wait_for_selector(".field-error")
    assert WORDS[locale]["nobody"] in phone.locator(".field-error").first.inner_text()
    assert _rows(db, select(Share)) == []
