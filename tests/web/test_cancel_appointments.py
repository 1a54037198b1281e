"""Either side cancels an appointment from their page (issue 12, item 2): the participant on
"Your appointments", the clinician on the preparation page. Nobody else can, and a cancel
changes nothing of what was shared."""

import pytest

from app.models import User
from tests.sharing.conftest import CANARY, in_future
from tests.web.page_client import Browser, text_of


def plan(world, clinician: str = "psych", participant: str = "owner") -> str:
    response = world.clients[clinician].post(
        "/api/v1/appointments",
        json={"participant_id": str(world.users[participant].id), "starts_at": in_future()},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def appointment_ids(world, who: str) -> set[str]:
    response = world.clients[who].get("/api/v1/appointments")
    assert response.status_code == 200
    return {item["id"] for item in response.json()}


def browser_of(world, db, client_factory, who: str) -> Browser:
    return Browser(client_factory(), db.get(User, world.users[who].id))


@pytest.mark.parametrize(
    ("locale", "confirm", "done"),
    [
        ("en", "Cancel this appointment", "The appointment is cancelled."),
        ("nl", "Deze afspraak afzeggen", "De afspraak is afgezegd."),
    ],
)
def test_the_participant_cancels_on_their_appointments_page(world, db, client_factory, locale, confirm, done):
    owner = db.get(User, world.users["owner"].id)
    owner.locale = locale
    db.commit()
    appointment = plan(world)
    browser = browser_of(world, db, client_factory, "owner")
    page = browser.get("/appointments").text
    assert confirm in text_of(page)
    assert f'action="/appointments/{appointment}/cancel"' in page
    response = browser.post(f"/appointments/{appointment}/cancel")
    assert response.status_code == 303
    assert response.headers["location"] == "/appointments?done=cancelled"
    assert done in text_of(browser.get(response.headers["location"]).text)
    assert appointment not in appointment_ids(world, "owner")
    assert appointment not in appointment_ids(world, "psych")
    # What was shared stays shared.
    assert (
        world.entry_id("team")
        in world.clients["psych"].get(f"/api/v1/clinician/participants/{owner.id}/entries").text
    )


def test_the_clinician_cancels_on_the_preparation_page(world, db, client_factory):
    owner_id = world.users["owner"].id
    appointment = plan(world)
    browser = browser_of(world, db, client_factory, "psych")
    page = browser.get(f"/clinician/participants/{owner_id}").text
    action = f"/clinician/participants/{owner_id}/appointments/{appointment}/cancel"
    assert f'action="{action}"' in page
    response = browser.post(action)
    assert response.status_code == 303
    assert "done=cancelled_clinician" in response.headers["location"]
    assert "The appointment is cancelled." in text_of(browser.get(response.headers["location"]).text)
    assert appointment not in appointment_ids(world, "owner")


def test_nobody_else_cancels_and_a_bad_id_is_a_clear_404(world, db, client_factory):
    owner_id = world.users["owner"].id
    appointment = plan(world)
    fellow = browser_of(world, db, client_factory, "fellow")
    physio = browser_of(world, db, client_factory, "physio")
    outsider = browser_of(world, db, client_factory, "outsider")
    attempts = [
        (fellow.post(f"/appointments/{appointment}/cancel"), 404),
        (physio.post(f"/appointments/{appointment}/cancel"), 403),
        (physio.post(f"/clinician/participants/{owner_id}/appointments/{appointment}/cancel"), 404),
        (outsider.post(f"/clinician/participants/{owner_id}/appointments/{appointment}/cancel"), 404),
        (fellow.post(f"/clinician/participants/{owner_id}/appointments/{appointment}/cancel"), 403),
    ]
    for response, status in attempts:
        assert response.status_code == status, response.text
        assert CANARY not in response.text
    # The psychologist's appointment, but under another participant's page: not found there.
    psych = browser_of(world, db, client_factory, "psych")
    fellow_id = world.users["fellow"].id
    wrong_page = psych.post(f"/clinician/participants/{fellow_id}/appointments/{appointment}/cancel")
    assert wrong_page.status_code == 404
    owner = browser_of(world, db, client_factory, "owner")
    for bad in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        response = owner.post(f"/appointments/{bad}/cancel")
        assert response.status_code == 404
        assert "This appointment does not exist, or it is not yours." in text_of(response.text)
    # Without the page's token nothing happens.
    assert owner.post(f"/appointments/{appointment}/cancel", csrf=False).status_code == 403
    assert appointment in appointment_ids(world, "owner")
