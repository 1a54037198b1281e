"""The short thread on a shared entry: the participant answers the team's reply. Seen only by
those the entry is shared with (a revoke hides it at once), new for them, exported and erased
with the participant's data."""

import re
import uuid

from sqlmodel import select

from app.models import EntryResponse
from tests.factories import PASSWORD
from tests.web.clinician.test_preparation import form_post, text_of

ANSWER = "thread-answer-5d1c: I still don't feel believed"


def _prep(world, clinician="physio"):
    url = f"/api/v1/clinician/participants/{world.users['owner'].id}/entries"
    return world.clients[clinician].get(url)


def _reply_and_answer(world, name="team", clinician="physio"):
    entry_id = world.entry_id(name)
    reply = world.clients[clinician].post(
        f"/api/v1/entries/{entry_id}/responses", json={"kind": "reply", "body": "Swimming is fine."}
    )
    assert reply.status_code == 201, reply.text
    _prep(world, clinician)  # read: nothing new for this clinician now
    answer = world.clients["owner"].post(f"/api/v1/entries/{entry_id}/messages", json={"body": ANSWER})
    assert answer.status_code == 201, answer.text
    return entry_id, answer.json()


def _unread(world, clinician="physio"):
    rows = world.clients[clinician].get("/api/v1/clinician/participants").json()
    return next(row["unread_count"] for row in rows if row["id"] == str(world.users["owner"].id))


def test_the_participant_answers_and_those_it_is_shared_with_read_it(world):
    entry_id, answer = _reply_and_answer(world)
    assert answer["from_participant"] is True
    assert answer["clinician_id"] is None
    assert _unread(world) == 1  # new for the physio, who had read everything
    question = _prep(world).json()["questions"][0]
    assert question["is_new"] is True
    assert [(r["body"], r["from_participant"]) for r in question["responses"]][-1] == (ANSWER, True)
    # the psychologist of the team reads the thread too; the outsider does not
    assert ANSWER in _prep(world, "psych").text
    assert world.clients["outsider"].get(f"/api/v1/entries/{entry_id}/responses").status_code == 404
    # the participant's own answer is not a reply "from the team"
    said = world.clients["owner"].get("/team-said").text
    assert ANSWER not in said


def test_a_message_on_an_entry_shared_with_one_person_stays_with_them(world):
    _entry_id, _answer = _reply_and_answer(world, "psych_only", clinician="psych")
    assert ANSWER in _prep(world, "psych").text
    assert ANSWER not in _prep(world, "physio").text
    assert ANSWER not in _prep(world, "physician").text


def test_revoking_hides_the_thread_at_once(world):
    entry_id, _answer = _reply_and_answer(world)
    owner = world.clients["owner"]
    share = owner.get(f"/api/v1/entries/{entry_id}/shares").json()[0]
    assert owner.delete(f"/api/v1/entries/{entry_id}/shares/{share['id']}").status_code == 200
    for clinician in ("physio", "psych", "physician"):
        assert ANSWER not in _prep(world, clinician).text
        assert world.clients[clinician].get(f"/api/v1/entries/{entry_id}/responses").status_code == 404
    assert _unread(world) == 0
    # with nobody left to read it, a new answer is refused, clearly
    refused = owner.post(f"/api/v1/entries/{entry_id}/messages", json={"body": "more"})
    assert refused.status_code == 409
    assert "Share it first" in refused.json()["detail"]


def test_bad_answers_are_refused_and_change_nothing(world, db):
    owner = world.clients["owner"]
    entry_id = world.entry_id("team")
    before = len(db.exec(select(EntryResponse)).all())
    db.commit()
    for body, status in ((" \n ", 422), ("x" * 4001, 422)):
        refused = owner.post(f"/api/v1/entries/{entry_id}/messages", json={"body": body})
        assert refused.status_code == status, refused.text
    assert owner.post(f"/api/v1/entries/{entry_id}/messages", json={}).status_code == 422
    assert (
        owner.post(f"/api/v1/entries/{world.entry_id('private')}/messages", json={"body": "a"}).status_code
        == 409
    )
    assert (
        owner.post(f"/api/v1/entries/{world.entry_id('deleted')}/messages", json={"body": "a"}).status_code
        == 409
    )
    assert (
        world.clients["fellow"].post(f"/api/v1/entries/{entry_id}/messages", json={"body": "a"}).status_code
        == 404
    )
    assert (
        world.clients["physio"].post(f"/api/v1/entries/{entry_id}/messages", json={"body": "a"}).status_code
        == 403
    )
    assert len(db.exec(select(EntryResponse)).all()) == before
    db.commit()


def test_the_answer_is_in_the_export_and_goes_with_erasure(world, db):
    _entry_id, answer = _reply_and_answer(world)
    owner = world.clients["owner"]
    exported = owner.get("/api/v1/me/export").json()
    assert [r["body"] for r in exported["responses"] if r["from_participant"]] == [ANSWER]
    erased = owner.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert erased.status_code == 204
    db.rollback()
    assert db.get(EntryResponse, uuid.UUID(answer["id"])) is None


def test_the_thread_on_the_pages_in_english_and_dutch(world):
    owner, physio = world.clients["owner"], world.clients["physio"]
    entry_id = world.entry_id("team")
    physio.post(f"/api/v1/entries/{entry_id}/responses", json={"kind": "reply", "body": "Swimming is fine."})
    page = owner.get(f"/entries/{entry_id}").text
    assert 'action="/entries/' + entry_id + '/messages"' in page
    empty = form_post(owner, f"/entries/{entry_id}/messages", {"body": "  "})
    assert empty.status_code == 422
    assert "Write your answer first." in text_of(empty.text)
    sent = form_post(owner, f"/entries/{entry_id}/messages", {"body": ANSWER})
    assert sent.status_code == 303
    shown = text_of(owner.get(sent.headers["location"]).text)
    assert "The people you shared this with can read your answer." in shown
    mine = re.search(
        r'<li class="[^"]*response--mine[^"]*".*?</li>', owner.get(f"/entries/{entry_id}").text, re.S
    )
    assert mine and text_of(mine.group(0)).startswith("You ") and ANSWER in text_of(mine.group(0))
    card = text_of(physio.get(f"/clinician/participants/{world.users['owner'].id}").text)
    assert "Answer · Anna" in card
    assert physio.patch("/api/v1/me", json={"locale": "nl"}).status_code == 200
    assert owner.patch("/api/v1/me", json={"locale": "nl"}).status_code == 200
    assert "Antwoord · Anna" in text_of(physio.get(f"/clinician/participants/{world.users['owner'].id}").text)
    dutch = form_post(owner, f"/entries/{entry_id}/messages", {"body": ""})
    assert "Schrijf eerst je antwoord." in text_of(dutch.text)
