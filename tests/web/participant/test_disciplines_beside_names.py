"""Every clinician's name a participant reads carries their discipline (issue 12, item 3): on
"All my data" (shares, replies, who viewed) and in "raise this at my next session" (appointments
and people), in English and Dutch. A look-alike name cannot pass for a colleague of another
discipline."""

import pytest

from app.models import User
from tests.sharing.conftest import in_future
from tests.web.page_client import Browser, text_of


@pytest.mark.parametrize(("locale", "psychologist"), [("en", "psychologist"), ("nl", "psycholoog")])
def test_all_my_data_and_the_raise_choice_name_each_clinicians_discipline(
    world, db, client_factory, locale, psychologist
):
    owner = db.get(User, world.users["owner"].id)
    psych = db.get(User, world.users["psych"].id)
    physio = db.get(User, world.users["physio"].id)
    owner.locale = locale
    db.commit()
    psych_client = world.clients["psych"]
    entry = world.entry_id("psych_only")
    reply = psych_client.post(
        f"/api/v1/entries/{entry}/responses", json={"kind": "reply", "body": "Thank you."}
    )
    assert reply.status_code == 201, reply.text
    assert psych_client.get(f"/api/v1/clinician/participants/{owner.id}/entries").status_code == 200
    planned = psych_client.post(
        "/api/v1/appointments", json={"participant_id": str(owner.id), "starts_at": in_future()}
    )
    assert planned.status_code == 201, planned.text

    browser = Browser(client_factory(), owner)
    my_data = text_of(browser.get("/my-data").text)
    named = f"{psych.display_name} ({psychologist})"
    # The share to the psychologist, their reply, and their reading of it.
    assert my_data.count(named) >= 3, my_data

    page = text_of(browser.get(f"/entries/{world.entry_id('private')}").text)
    assert named in page  # the appointment with the psychologist
    physiotherapist = "physiotherapist" if locale == "en" else "fysiotherapeut"
    assert f"{physio.display_name} ({physiotherapist})" in page  # "the next time I see ..."
