"""The check-in pages (issue 14, item 3): offered on the home page after an appointment; four of
Stem's own statements, labelled as not a validated questionnaire; a low answer brings a gentle
offer to write it down (a feeling about working with that person, nothing shared); private until
sent; my own trend per clinician as a line and a table."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.models import Appointment, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import make_team, make_user
from tests.web.page_client import Browser, hidden_id_of, text_of, textarea_of

WORDS = {
    "en": {
        "offer": "How did your appointment with Lisa go?",
        "statement": "Lisa listened to me and believed what I told them.",
        "label": "not a validated questionnaire",
        "write": "Would you like to write down what happened?",
        "saved": "Saved. Only you can see it until you send it.",
        "nothing": "Answer at least one question, or write a note.",
        "together": "Working together",
        "flag": "some answers were lower than usual: Said what I wanted.",
        "about": "About my appointment on",
        "not_yours": "This appointment does not exist, or it is not yours.",
    },
    "nl": {
        "offer": "Hoe ging je afspraak met Lisa?",
        "statement": "Lisa luisterde naar me en geloofde wat ik vertelde.",
        "label": "geen gevalideerde vragenlijst",
        "write": "Wil je opschrijven wat er gebeurde?",
        "saved": "Bewaard. Alleen jij ziet het, tot je het stuurt.",
        "nothing": "Beantwoord minstens één vraag, of schrijf iets op.",
        "together": "Samenwerking",
        "flag": "waren sommige antwoorden lager dan gewoonlijk: Gezegd wat ik wilde.",
        "about": "Over mijn afspraak op",
        "not_yours": "Deze afspraak bestaat niet, of de afspraak is niet van jou.",
    },
}


@pytest.fixture
def people(db):
    rehab = make_team(db, "Rehab")
    people = {
        "anna": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "lisa": make_user(
            db, Role.clinician, team=rehab, display_name="Lisa", discipline=Discipline.physiotherapist
        ),
    }
    return people


def _past_appointment(db, people, days_ago: float = 1) -> str:
    made = Appointment(
        participant_id=people["anna"].id,
        clinician_id=people["lisa"].id,
        starts_at=utcnow() - timedelta(days=days_ago),
    )
    db.add(made)
    db.commit()
    return str(made.id)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_offered_answered_low_offer_and_sent(client_factory, db, people, locale):
    db.execute(update(User).values(locale=locale))
    db.commit()
    words = WORDS[locale]
    earlier = _past_appointment(db, people, days_ago=20)
    appointment = _past_appointment(db, people)
    anna = Browser(client_factory(), people["anna"])
    home = text_of(anna.get("/").text)
    assert words["offer"] in home
    form = anna.get(f"/check-ins/new?appointment={appointment}")
    assert form.status_code == 200
    assert words["statement"] in text_of(form.text) and words["label"] in text_of(form.text)
    check_in_id = re.search(r'name="check_in_id" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    empty = anna.post("/check-ins", {"appointment_id": appointment, "check_in_id": check_in_id})
    assert empty.status_code == 422 and words["nothing"] in text_of(empty.text)
    saved = anna.post(
        "/check-ins",
        {
            "appointment_id": appointment,
            "check_in_id": check_in_id,
            "heard": "7",
            "voice": "3",
            "note": "Rushed",
        },
    )
    assert saved.status_code == 303
    page = text_of(anna.get(saved.headers["location"]).text)
    assert words["saved"] in page and words["write"] in page
    again = anna.post(
        "/check-ins",
        {
            "appointment_id": appointment,
            "check_in_id": check_in_id,
            "heard": "7",
            "voice": "3",
            "note": "Rushed",
        },
    )
    assert again.status_code == 303  # sent twice, kept once
    assert words["offer"] not in text_of(anna.get("/").text)

    # The offer opens the write page: a feeling about working with Lisa, the day in the words.
    write = anna.get(f"/write?check_in={check_in_id}")
    assert write.status_code == 200
    assert 'value="feeling" checked' in write.text
    assert f'value="clinician:{people["lisa"].id}" selected' in write.text
    assert "Lisa" in textarea_of(write.text)
    # Saved, the entry is linked to that appointment and says so on its page.
    assert f'name="appointment_id" value="{appointment}"' in write.text
    entry_id = hidden_id_of(write.text)
    fields = {"id": entry_id, "kind": "feeling", "body": textarea_of(write.text) + "Rushed"}
    assert anna.post("/write", {**fields, "appointment_id": appointment}).status_code == 303
    assert anna.get(f"/api/v1/entries/{entry_id}").json()["appointment_id"] == appointment
    entry_page = text_of(anna.get(f"/entries/{entry_id}").text)
    assert words["about"] in entry_page and "Lisa" in entry_page

    # Only Anna sees it until she sends it.
    lisa = Browser(client_factory(), people["lisa"])
    url = f"/api/v1/clinician/participants/{people['anna'].id}/check-ins"
    assert lisa.get(url).json() == []
    assert anna.post(f"/check-ins/{check_in_id}/send").status_code == 303
    assert [c["note"] for c in lisa.get(url).json()] == ["Rushed"]
    # On Lisa's preparation page, above the entries: the drop, in the participant's words.
    prep = text_of(lisa.get(f"/clinician/participants/{people['anna'].id}").text)
    assert words["together"] in prep and words["flag"] in prep and "Rushed" in prep
    # The print view holds the same, with the trend drawn (it prints).
    printed = lisa.get(f"/clinician/participants/{people['anna'].id}?print=1").text
    assert words["together"] in text_of(printed) and "Rushed" in printed and "line-chart" in printed
    assert anna.post(f"/check-ins/{check_in_id}/unsend").status_code == 303
    assert lisa.get(url).json() == []
    assert "Rushed" not in lisa.get(f"/clinician/participants/{people['anna'].id}").text
    assert "Rushed" not in lisa.get(f"/clinician/participants/{people['anna'].id}?print=1").text

    # The trend: one line per clinician, every number in the table.
    other = anna.get(f"/check-ins/new?appointment={earlier}")
    assert other.status_code == 404  # more than a week ago: not offered
    trend = anna.get("/check-ins")
    assert trend.status_code == 200 and "line-chart" in trend.text
    assert anna.post(f"/check-ins/{check_in_id}/delete").status_code == 303
    assert anna.get(f"/check-ins/{check_in_id}").status_code == 404


def test_nobody_else_reaches_a_check_in(client_factory, db, people):
    appointment = _past_appointment(db, people)
    anna = Browser(client_factory(), people["anna"])
    form = anna.get(f"/check-ins/new?appointment={appointment}")
    check_in_id = re.search(r'name="check_in_id" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    anna.post("/check-ins", {"appointment_id": appointment, "check_in_id": check_in_id, "heard": "5"})
    bram = Browser(client_factory(), make_user(db, Role.participant, display_name="Bram"))
    assert bram.get(f"/check-ins/{check_in_id}").status_code == 404
    assert bram.post(f"/check-ins/{check_in_id}/send").status_code == 404
    assert bram.get(f"/check-ins/new?appointment={appointment}").status_code == 404
    assert bram.get(f"/write?check_in={check_in_id}").status_code == 404
    lisa = Browser(client_factory(), people["lisa"])
    assert lisa.get(f"/check-ins/{check_in_id}").status_code == 403


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_an_entry_about_someone_elses_or_no_appointment_is_refused(client_factory, db, people, locale):
    db.execute(update(User).values(locale=locale))
    db.commit()
    rehab_two = make_team(db, "Elsewhere")
    bram = make_user(db, Role.participant, team=rehab_two, display_name="Bram")
    theirs = Appointment(participant_id=bram.id, clinician_id=people["lisa"].id, starts_at=utcnow())
    db.add(theirs)
    db.commit()
    anna = Browser(client_factory(), people["anna"])
    for appointment_id in (str(theirs.id), "00000000-0000-4000-8000-000000000000", "not-an-id"):
        write = anna.get("/write")
        entry_id = hidden_id_of(write.text)
        refused = anna.post(
            "/write", {"id": entry_id, "kind": "thought", "body": "Kept", "appointment_id": appointment_id}
        )
        assert refused.status_code == 422, appointment_id
        assert "Kept" in textarea_of(refused.text)
        if appointment_id != "not-an-id":
            assert WORDS[locale]["not_yours"] in text_of(refused.text)
        # The link is dropped from the form: saving again keeps the words, without it.
        assert 'name="appointment_id"' not in refused.text
        assert anna.get(f"/api/v1/entries/{entry_id}").status_code == 404


def test_an_appointment_that_goes_leaves_the_entry(client_factory, db, people):
    appointment = _past_appointment(db, people)
    anna = Browser(client_factory(), people["anna"])
    entry_id = anna.write("About it", appointment_id=appointment)
    assert anna.get(f"/api/v1/entries/{entry_id}").json()["appointment_id"] == appointment
    assert anna.post(f"/appointments/{appointment}/cancel").status_code == 303
    entry = anna.get(f"/api/v1/entries/{entry_id}").json()
    assert entry["appointment_id"] is None and entry["body"] == "About it"
    assert anna.get(f"/entries/{entry_id}").status_code == 200
