"""My story (issue 15) through the API: versions kept, private until shared as a whole, shared
and revoked under the one rule entries follow, reads recorded and changes marked."""

import pytest
from sqlalchemy import text
from sqlmodel import select

from app.models import AuditEvent, StoryVersion
from app.models.enums import Discipline, Role
from tests.factories import login, make_team, make_user

WORDS = "Five years of pain clinics, and nobody listened"


@pytest.fixture
def team(db, client_factory):
    rehab = make_team(db, "Rehab")
    people = {
        "anna": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "bram": make_user(db, Role.participant, team=rehab, display_name="Bram"),
        "lisa": make_user(
            db, Role.clinician, team=rehab, display_name="Lisa", discipline=Discipline.physiotherapist
        ),
        "omar": make_user(
            db, Role.clinician, team=rehab, display_name="Omar", discipline=Discipline.psychologist
        ),
        "olga": make_user(db, Role.clinician, team=make_team(db, "Elsewhere"), display_name="Olga"),
        "admin": make_user(db, Role.admin),
    }
    clients = {}
    for name, user in people.items():
        clients[name] = client_factory()
        login(clients[name], user)
    return people, clients


def save(client, base: int, **sections: str):
    return client.put("/api/v1/me/story", json={"base_version": base, "sections": sections})


def test_written_over_time_every_version_kept_and_encrypted(team, db):
    _, clients = team
    anna = clients["anna"]
    empty = anna.get("/api/v1/me/story").json()
    assert empty["version"] == 0 and empty["sections"] == {}
    first = save(anna, 0, before=WORDS, hope="  To walk my daughter to school  ")
    assert first.status_code == 200, first.text
    assert (
        first.json()["version"] == 1 and first.json()["sections"]["hope"] == "To walk my daughter to school"
    )
    assert (
        save(anna, 0, before=WORDS, hope="To walk my daughter to school").json()["version"] == 1
    )  # twice: one
    second = anna.put(
        "/api/v1/me/story",
        json={
            "base_version": 1,
            "sections": {"before": WORDS, "cause": "I think it is my back, not my head"},
            "treatments": [{"what": "Physiotherapy", "when": "2019", "effect": "no_help"}],
        },
    )
    assert second.json()["version"] == 2 and "hope" not in second.json()["sections"]
    stale = save(anna, 1, fear="Being in a wheelchair")
    assert stale.status_code == 409 and stale.json()["code"] == "story_changed"
    listed = anna.get("/api/v1/me/story/versions").json()
    assert [(v["version"], v["treatments"]) for v in listed] == [(2, 1), (1, 0)]
    assert (
        anna.get("/api/v1/me/story/versions/1").json()["sections"]["hope"] == "To walk my daughter to school"
    )
    assert anna.get("/api/v1/me/story/versions/7").status_code == 404
    # At rest the words are encrypted.
    db.rollback()
    raw = " ".join(row[0] for row in db.execute(text("SELECT content FROM story_versions")).all())
    assert "pain clinics" not in raw and "daughter" not in raw
    assert len(db.exec(select(StoryVersion)).all()) == 2


def test_private_until_shared_then_only_for_whom_and_revoked_at_once(team):
    people, clients = team
    anna, lisa, omar = clients["anna"], clients["lisa"], clients["omar"]
    url = f"/api/v1/clinician/participants/{people['anna'].id}/story"
    assert anna.post("/api/v1/me/story/shares", json={"audience": "team"}).json()["code"] == "no_story"
    save(anna, 0, before=WORDS, cause="My back")
    for who in ("lisa", "omar", "olga"):
        refused = clients[who].get(url)
        assert refused.status_code == 404 and WORDS not in refused.text
    shared = anna.post("/api/v1/me/story/shares", json={"clinician_ids": [str(people["lisa"].id)]})
    assert shared.status_code == 201, shared.text
    first = lisa.get(url).json()
    assert first["sections"]["before"] == WORDS and first["first_read"] is True and first["changed"] == []
    assert omar.get(url).status_code == 404 and clients["olga"].get(url).status_code == 404
    # An edit after sharing: Lisa sees what changed since she last read it.
    save(anna, 1, before=WORDS, cause="My back, and the stress at work")
    again = lisa.get(url).json()
    assert again["changed"] == ["cause"] and again["first_read"] is False
    assert lisa.get(url).json()["changed"] == []  # read now
    # Who read it, in the participant's log.
    readers = anna.get("/api/v1/me/story/readers").json()
    assert [r["clinician_name"] for r in readers] == ["Lisa", "Lisa", "Lisa"]
    # Revoked: hidden at once.
    share_id = shared.json()[0]["id"]
    assert anna.delete(f"/api/v1/me/story/shares/{share_id}").status_code == 200
    assert lisa.get(url).status_code == 404
    # With the whole team: both, not the other team.
    anna.post("/api/v1/me/story/shares", json={"audience": "team"})
    assert omar.get(url).status_code == 200 and clients["olga"].get(url).status_code == 404


def test_bad_input_and_who_may_not(team):
    people, clients = team
    anna = clients["anna"]
    assert anna.put("/api/v1/me/story", json={"sections": {"before": "x"}}).status_code == 422  # no base
    assert save(anna, 0, nonsense="x").status_code == 422
    too_long = save(anna, 0, before="x" * 8001)
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "sections.before"
    assert (
        anna.put("/api/v1/me/story", json={"base_version": 0, "sections": {"before": "a\x00b"}}).status_code
        == 422
    )
    assert anna.post(
        "/api/v1/me/story/shares", json={"clinician_ids": [str(people["olga"].id)]}
    ).status_code in {409, 422}
    save(anna, 0, before=WORDS)
    wrong = anna.post("/api/v1/me/story/shares", json={"clinician_ids": [str(people["olga"].id)]})
    assert wrong.status_code == 422
    for who in ("lisa", "admin"):
        assert clients[who].get("/api/v1/me/story").status_code == 403
        assert clients[who].put("/api/v1/me/story", json={"base_version": 0}).status_code == 403
    assert clients["anna"].get(f"/api/v1/clinician/participants/{people['bram'].id}/story").status_code == 403
    # Bram cannot revoke Anna's share, nor read her versions (he has his own, empty story).
    share_id = anna.post("/api/v1/me/story/shares", json={"audience": "team"}).json()[0]["id"]
    assert clients["bram"].delete(f"/api/v1/me/story/shares/{share_id}").status_code == 404
    assert clients["bram"].get("/api/v1/me/story").json()["version"] == 0
    assert clients["bram"].get("/api/v1/me/story/versions/1").status_code == 404


def test_export_and_erasure_take_the_story(team, db):
    from tests.factories import PASSWORD

    people, clients = team
    anna = clients["anna"]
    save(anna, 0, before=WORDS)
    anna.post("/api/v1/me/story/shares", json={"audience": "team"})
    clients["lisa"].get(f"/api/v1/clinician/participants/{people['anna'].id}/story")
    export = anna.get("/api/v1/me/export").json()
    assert export["story"]["sections"]["before"] == WORDS
    assert [v["version"] for v in export["story_versions"]] == [1]
    assert export["story_readers"][0]["clinician_name"] == "Lisa"
    assert (
        anna.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True}).status_code == 204
    )
    db.rollback()
    for table in ("stories", "story_versions", "story_reads"):
        assert db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
    assert db.execute(text("SELECT count(*) FROM shares WHERE story_id IS NOT NULL")).scalar_one() == 0
    assert db.exec(
        select(AuditEvent).where(AuditEvent.action == "story.read")
    ).all()  # pseudonymous trail stays
