""" "I want to raise this at my next session" in one step: shared with the chosen person only and
put on the agenda of our next appointment; refused clearly when nobody (or a wrong one) is chosen."""

import uuid

from app.models import Entry
from tests.sharing.conftest import in_future
from tests.web.clinician.test_preparation import form_post, text_of


def _write(world, body="The exercises hurt my back"):
    created = world.clients["owner"].post("/api/v1/entries", json={"kind": "disagreement", "body": body})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _appointment(world, clinician="psych", client="owner", hours=24):
    made = world.clients[client].post(
        "/api/v1/appointments",
        json={"clinician_id": str(world.users[clinician].id), "starts_at": in_future(hours)},
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _prep(world, clinician):
    url = f"/api/v1/clinician/participants/{world.users['owner'].id}/entries"
    return world.clients[clinician].get(url).json()


def _seen_by(world, clinician, entry_id):
    prep = _prep(world, clinician)
    sections = ("agenda", "disagreements", "questions", "goals", "thoughts_and_feelings")
    return any(item["id"] == entry_id for section in sections for item in prep[section])


def test_raise_with_an_appointment_shares_with_that_person_only_and_puts_it_on_the_agenda(world, db):
    entry_id = _write(world)
    appointment_id = _appointment(world, "psych")
    _appointment(world, "physio", hours=48)
    raised = world.clients["owner"].post(
        f"/api/v1/entries/{entry_id}/raise", json={"appointment_id": appointment_id}
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["clinician_name"] == world.users["psych"].display_name
    assert [item["entry_id"] for item in raised.json()["appointment"]["agenda"]] == [entry_id]
    prep = _prep(world, "psych")
    assert [item["id"] for item in prep["agenda"]] == [entry_id]
    assert prep["agenda"][0]["raise_next_session"] is True
    assert not _seen_by(world, "physio", entry_id)
    assert not _seen_by(world, "physician", entry_id)
    # Once is enough: doing it again adds no second share or agenda item.
    again = world.clients["owner"].post(
        f"/api/v1/entries/{entry_id}/raise", json={"appointment_id": appointment_id}
    )
    assert [item["entry_id"] for item in again.json()["appointment"]["agenda"]] == [entry_id]
    assert len(world.clients["owner"].get(f"/api/v1/entries/{entry_id}/shares").json()) == 1
    db.expire_all()
    assert db.get(Entry, uuid.UUID(entry_id)).raise_next_session is True
    db.commit()


def test_raise_with_someone_i_have_no_appointment_with_shares_with_them(world):
    entry_id = _write(world)
    raised = world.clients["owner"].post(
        f"/api/v1/entries/{entry_id}/raise", json={"clinician_id": str(world.users["physio"].id)}
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["appointment"] is None
    assert _seen_by(world, "physio", entry_id)
    assert not _seen_by(world, "psych", entry_id)
    # Their next appointment, planned later, finds it marked for the session.
    assert _prep(world, "physio")["disagreements"][0]["raise_next_session"] is True


def test_raise_bad_input_is_refused_and_shares_nothing(world):
    owner = world.clients["owner"]
    entry_id = _write(world)
    fellows = _appointment(world, "physio", client="fellow")
    url = f"/api/v1/entries/{entry_id}/raise"
    for body in ({}, {"appointment_id": fellows, "clinician_id": str(world.users["psych"].id)}):
        refused = owner.post(url, json=body)
        assert refused.status_code == 422, refused.text
        assert "Choose whom you want to raise this with." in refused.text
    assert owner.post(url, json={"appointment_id": fellows}).status_code == 422
    assert owner.post(url, json={"clinician_id": str(world.users["outsider"].id)}).status_code == 422
    assert owner.post(url, json={"appointment_id": "nope"}).status_code == 422
    assert owner.get(f"/api/v1/entries/{entry_id}/shares").json() == []
    other = {"clinician_id": str(world.users["psych"].id)}
    assert world.clients["fellow"].post(url, json=other).status_code == 404
    assert world.clients["psych"].post(url, json=other).status_code == 403
    deleted = world.entry_id("deleted")
    assert owner.post(f"/api/v1/entries/{deleted}/raise", json=other).status_code == 409


def test_raise_on_the_entry_page_in_english_and_dutch(world):
    owner = world.clients["owner"]
    entry_id = _write(world)
    _appointment(world, "psych")
    page = owner.get(f"/entries/{entry_id}").text
    text = text_of(page)
    assert f"The next time I see {world.users['physio'].display_name}" in text
    assert 'name="with" value="appointment:' in page
    assert "checked" not in page.split('action="/entries/' + entry_id + '/raise"')[1].split("</form>")[0]
    nobody = form_post(owner, f"/entries/{entry_id}/raise", {})
    assert nobody.status_code == 422
    assert "Choose whom you want to raise this with." in text_of(nobody.text)
    assert owner.patch("/api/v1/me", json={"locale": "nl"}).status_code == 200
    dutch = form_post(owner, f"/entries/{entry_id}/raise", {"with": ""})
    assert dutch.status_code == 422
    assert "Kies met wie je dit wilt bespreken." in text_of(dutch.text)
    assert "De volgende keer dat ik " in text_of(owner.get(f"/entries/{entry_id}").text)
    physio = f"clinician:{world.users['physio'].id}"
    done = form_post(owner, f"/entries/{entry_id}/raise", {"with": physio})
    assert done.status_code == 303
    assert _seen_by(world, "physio", entry_id)
    assert not _seen_by(world, "psych", entry_id)


def test_a_single_agenda_item_has_no_order_box(world):
    owner = world.clients["owner"]
    appointment_id = _appointment(world, "psych")
    first = _write(world, "First thing")
    owner.post(f"/api/v1/entries/{first}/raise", json={"appointment_id": appointment_id})
    page = owner.get("/appointments").text
    assert page.count('name="candidate"') == 3  # the raised entry, the team's and the psych_only one
    assert page.count('name="position"') == 3
    for name in ("psych_only", "team"):
        assert owner.delete(f"/api/v1/entries/{world.entry_id(name)}").status_code == 200
    alone = owner.get("/appointments").text
    assert alone.count('name="candidate"') == 1
    assert 'name="position"' not in alone
    assert "Put the numbers in the order" not in alone


def test_the_bulk_page_names_the_next_appointment_and_can_fill_its_agenda(world):
    owner = world.clients["owner"]
    appointment_id = _appointment(world, "psych")
    first, second = _write(world, "First for the agenda"), _write(world, "Second for the agenda")
    page = text_of(owner.get("/share").text)
    assert f"Your next appointment: with {world.users['psych'].display_name}, on" in page
    psych = str(world.users["psych"].id)
    # Shared with someone else than the appointment's clinician: refused, nothing shared.
    physio = str(world.users["physio"].id)
    wrong = form_post(
        owner, "/share", {"entry_ids": first, "clinician_ids": physio, "agenda": appointment_id}
    )
    assert wrong.status_code == 422
    assert f"Share them with {world.users['psych'].display_name} to put them" in text_of(wrong.text)
    assert owner.get(f"/api/v1/entries/{first}/shares").json() == []
    done = form_post(
        owner, "/share", {"entry_ids": [first, second], "clinician_ids": psych, "agenda": appointment_id}
    )
    assert done.status_code == 303, done.text
    agenda = owner.get(f"/api/v1/appointments/{appointment_id}").json()["agenda"]
    assert [item["entry_id"] for item in agenda] == [first, second]
    assert not _seen_by(world, "physio", first)
