""" "Who viewed what I shared" reads the hash-chained audit log, and nothing else.

The access-log page, `GET /api/v1/me/access-log`, the "seen by" marks on an entry and the
export all come from `audit_events`, joined to `audit_people` and `users` for the name.
"""

from sqlalchemy import delete
from sqlmodel import col

from app.audit import service as audit
from app.audit.service import verify
from app.db import open_session
from app.models import AuditPerson, User
from tests.journal.test_list_cost import counted_queries
from tests.web.page_client import text_of


def prep(world, who: str) -> None:
    response = world.clients[who].get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries")
    assert response.status_code == 200


def test_the_access_log_is_read_from_the_audit_log(world, db):
    """A read that exists only as an audit event shows up everywhere the participant looks."""
    team_entry = world.entry_id("team")
    with open_session() as session:
        psych = session.get(User, world.users["psych"].id)
        audit.record(
            session,
            action="clinician.read",
            actor=psych,
            subject_id=world.users["owner"].id,
            target=team_entry,
        )
        session.commit()
    owner = world.clients["owner"]
    log = owner.get("/api/v1/me/access-log").json()
    assert [(item["entry_id"], item["clinician_name"], item["via"]) for item in log] == [
        (team_entry, world.users["psych"].display_name, "preparation")
    ]
    assert "read 1 entry" in text_of(owner.get("/access-log").text)
    assert f"{world.users['psych'].display_name} (psychologist), last on" in text_of(
        owner.get(f"/entries/{team_entry}").text
    )
    assert [item["entry_id"] for item in owner.get("/api/v1/me/export").json()["access_log"]] == [team_entry]
    assert verify(db).ok


def test_only_reads_of_my_entries_are_listed(world):
    prep(world, "psych")
    world.clients["psych"].post(f"/api/v1/entries/{world.entry_id('team')}/responses", json={"kind": "seen"})
    world.clients["psych"].get(f"/api/v1/entries/{world.entry_id('team')}/responses")
    fellow_entry = world.clients["fellow"].post("/api/v1/entries", json={"kind": "thought", "body": "mine"})
    world.clients["fellow"].post(
        f"/api/v1/entries/{fellow_entry.json()['id']}/shares", json={"audience": "team"}
    )
    world.clients["physio"].get(f"/api/v1/clinician/participants/{world.users['fellow'].id}/entries")

    log = world.clients["owner"].get("/api/v1/me/access-log").json()
    assert sorted((item["entry_id"], item["via"]) for item in log) == sorted(
        [
            (world.entry_id("team"), "preparation"),
            (world.entry_id("psych_only"), "preparation"),
            (world.entry_id("team"), "responses"),
        ]
    )
    assert [item["entry_id"] for item in world.clients["fellow"].get("/api/v1/me/access-log").json()] == [
        fellow_entry.json()["id"]
    ]


def test_an_erased_clinician_shows_as_a_former_team_member(world, db):
    prep(world, "psych")
    prep(world, "physio")
    with open_session() as session:  # what erasing an account does to the audit log
        session.execute(delete(AuditPerson).where(col(AuditPerson.user_id) == world.users["psych"].id))
        session.commit()
    owner = world.clients["owner"]
    log = owner.get("/api/v1/me/access-log").json()
    assert {(item["entry_id"], item["clinician_name"]) for item in log} == {
        (world.entry_id("team"), None),
        (world.entry_id("psych_only"), None),
        (world.entry_id("team"), world.users["physio"].display_name),
    }
    access_page = text_of(owner.get("/access-log").text)
    assert world.users["psych"].display_name not in access_page
    assert "A former team member read 2 entries" in access_page
    assert "A former team member, last on" in text_of(
        owner.get(f"/entries/{world.entry_id('psych_only')}").text
    )
    assert "· a former team member" in text_of(owner.get("/my-data").text)
    assert owner.patch("/api/v1/me", json={"locale": "nl"}).status_code == 200
    dutch = text_of(owner.get(f"/entries/{world.entry_id('psych_only')}").text)
    assert "Iemand die niet meer in je zorgteam zit" in dutch
    assert "A former team member" not in dutch
    assert verify(db).ok  # the rows stay, intact: only the link to the person is gone


def test_the_access_log_costs_the_same_few_queries_however_long_it_is(world, db):
    owner = world.clients["owner"]
    prep(world, "psych")

    def cost(url: str) -> int:
        with counted_queries() as statements:
            assert owner.get(url).status_code == 200
        return len(statements)

    pages = ["/access-log", "/api/v1/me/access-log", f"/entries/{world.entry_id('team')}"]
    before = [cost(url) for url in pages]
    for who in ("physio", "physician", "psych", "physio"):
        prep(world, who)
        world.clients[who].get(f"/api/v1/entries/{world.entry_id('team')}/responses")
    after = [cost(url) for url in pages]
    assert after == before
    # Reads recorded: psych 2 + (physio 1+1, physician 1+1, psych 2+1, physio 1+1).
    assert len(owner.get("/api/v1/me/access-log").json()) == 11
