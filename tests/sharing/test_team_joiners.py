"""The team is who the participant thinks it is: a share with the whole team is a share with the
team as it was, on both databases.

- A clinician who joins the team later (an admin's own new account among them) sees what was
  shared with the whole team before only after the participant says yes; what is shared from then
  on, they see. A no after a yes hides those shares again at once.
- A participant moved to another team takes no team shares along: the old team's shares end
  (and show as ended), the new team reads none of them.
"""

import uuid

import pytest

from app.models.enums import Discipline, Role
from tests.factories import login, make_invitation, make_team, make_user
from tests.sharing.conftest import CANARY
from tests.web.page_client import Browser, text_of


def visible(client, participant_id) -> set[str]:
    response = client.get(f"/api/v1/clinician/participants/{participant_id}/entries")
    if response.status_code == 404:
        return set()
    assert response.status_code == 200, response.text
    body = response.json()
    sections = ("agenda", "disagreements", "questions", "goals", "thoughts_and_feelings")
    return {item["id"] for section in sections for item in body[section]}


def write_and_share(client, words: str) -> str:
    response = client.post("/api/v1/entries", json={"kind": "thought", "body": words})
    assert response.status_code == 201, response.text
    entry_id = str(response.json()["id"])
    shared = client.post(f"/api/v1/entries/{entry_id}/shares", json={"audience": "team"})
    assert shared.status_code == 201, shared.text
    return entry_id


def signed_in(client_factory, user):
    client = client_factory()
    login(client, user)
    return client


def test_a_later_joiner_sees_earlier_team_shares_only_after_a_yes(world, db, client_factory):
    owner = world.clients["owner"]
    owner_id = world.users["owner"].id
    earlier = world.entry_id("team")
    lisa_user = make_user(
        db, Role.clinician, team=world.team, display_name="Lisa Bakker", discipline=Discipline.physiotherapist
    )
    lisa = signed_in(client_factory, lisa_user)
    assert visible(lisa, owner_id) == set()  # in the team, but the team share is from before her
    assert earlier in visible(world.clients["physio"], owner_id)  # there when it was shared

    # The participant is asked, with her name and discipline.
    joiners = owner.get("/api/v1/me/team-joiners")
    assert joiners.status_code == 200
    assert [
        (j["clinician_name"], j["clinician_discipline"], j["earlier_team_shares"]) for j in joiners.json()
    ] == [("Lisa Bakker", "physiotherapist", 1)]

    # What is shared with the team from now on, she sees.
    later = write_and_share(owner, "Shared after Lisa joined")
    assert visible(lisa, owner_id) == {later}

    # Yes: the earlier share too, and the question is answered.
    answer = owner.put(f"/api/v1/me/team-joiners/{lisa_user.id}", json={"allowed": True})
    assert answer.status_code == 200, answer.text
    assert answer.json()["allowed"] is True
    assert visible(lisa, owner_id) == {earlier, later}
    assert lisa.get(f"/api/v1/entries/{earlier}/responses").status_code == 200
    assert owner.get("/api/v1/me/team-joiners").json() == []

    # No, after all: hidden again at once, and not readable by id either.
    assert owner.put(f"/api/v1/me/team-joiners/{lisa_user.id}", json={"allowed": False}).status_code == 200
    assert visible(lisa, owner_id) == {later}
    assert lisa.get(f"/api/v1/entries/{earlier}/responses").status_code == 404
    # Nobody else's view changed.
    assert earlier in visible(world.clients["physio"], owner_id)


def test_an_admin_who_invites_themselves_reads_nothing_shared_before(world, db, client_factory):
    """The admin makes a clinician account for themselves, under a copy of a real name: the
    account is a later joiner like any other, and the participant is asked first."""
    admin = world.clients["admin"]
    created = admin.post(
        "/api/v1/invitations",
        json={"team_id": str(world.team.id), "role": "clinician", "discipline": "psychologist"},
    )
    if created.status_code == 201:
        code = created.json()["code"]
    else:  # however the admin gets a code, the rule holds
        _invitation, code = make_invitation(
            db, world.team, Role.clinician, discipline=Discipline.psychologist
        )
    me = client_factory()
    registered = me.post(
        "/api/v1/auth/register",
        json={
            "invitation_code": code,
            "username": "not-really-psych",
            "display_name": "Psych Two",
            "password": "a long enough passphrase 42",
        },
    )
    assert registered.status_code == 201, registered.text
    assert (
        me.post(
            "/api/v1/auth/login",
            json={"username": "not-really-psych", "password": "a long enough passphrase 42"},
        ).status_code
        == 200
    )
    owner_id = world.users["owner"].id
    assert visible(me, owner_id) == set()
    assert me.get(f"/api/v1/entries/{world.entry_id('team')}/responses").status_code == 404
    names = [j["clinician_name"] for j in world.clients["owner"].get("/api/v1/me/team-joiners").json()]
    assert names == ["Psych Two"]


def test_a_participant_moved_to_another_team_takes_no_team_shares_along(world, db, client_factory):
    owner_id = world.users["owner"].id
    admin = world.clients["admin"]
    new_team = make_team(db, "New team")
    newcomer = signed_in(client_factory, make_user(db, Role.clinician, team=new_team))
    team_entry = world.entry_id("team")

    assert admin.delete(f"/api/v1/teams/{world.team.id}/members/{owner_id}").status_code == 204
    added = admin.post(f"/api/v1/teams/{new_team.id}/members", json={"user_id": str(owner_id)})
    assert added.status_code == 201, added.text

    assert visible(newcomer, owner_id) == set()
    assert newcomer.get(f"/api/v1/entries/{team_entry}/responses").status_code == 404
    assert visible(world.clients["physio"], owner_id) == set()
    # The participant sees that the share ended.
    shares = world.clients["owner"].get(f"/api/v1/entries/{team_entry}/shares").json()
    assert [share["revoked_at"] is not None for share in shares] == [True]
    # Shared again, it is a share with the new team.
    again = world.clients["owner"].post(f"/api/v1/entries/{team_entry}/shares", json={"audience": "team"})
    assert again.status_code == 201
    assert visible(newcomer, owner_id) == {team_entry}
    assert world.clients["owner"].get("/api/v1/me/team-joiners").json() == []


@pytest.mark.parametrize(
    "body",
    [{"allowed": "maybe"}, {}, {"allowed": True, "extra": 1}, [], {"allowed": None}],
    ids=["not-a-yes-or-no", "empty", "unknown-field", "a-list", "null"],
)
def test_a_bad_answer_is_refused_with_a_message(world, db, body):
    joiner = make_user(db, Role.clinician, team=world.team)
    response = world.clients["owner"].put(f"/api/v1/me/team-joiners/{joiner.id}", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_only_the_participant_answers_and_only_about_later_joiners_of_their_own_team(
    world, db, client_factory
):
    joiner = make_user(db, Role.clinician, team=world.team)
    elsewhere = make_user(db, Role.clinician, team=make_team(db))
    owner = world.clients["owner"]
    # Someone of another team, a participant, a made-up id.
    for someone in (elsewhere.id, world.users["fellow"].id, uuid.uuid4()):
        response = owner.put(f"/api/v1/me/team-joiners/{someone}", json={"allowed": True})
        assert response.status_code == 404, response.text
        assert response.json()["detail"]
    # A clinician who was in the team before the participant joined it.
    team = make_team(db)
    before = make_user(db, Role.clinician, team=team)
    newcomer = signed_in(client_factory, make_user(db, Role.participant, team=team))
    response = newcomer.put(f"/api/v1/me/team-joiners/{before.id}", json={"allowed": True})
    assert response.status_code == 404
    for other in ("physio", "psych", "outsider", "admin"):
        assert world.clients[other].get("/api/v1/me/team-joiners").status_code == 403
        response = world.clients[other].put(f"/api/v1/me/team-joiners/{joiner.id}", json={"allowed": True})
        assert response.status_code == 403
        assert CANARY not in response.text
    # The joiner cannot let themselves in.
    assert world.clients["fellow"].get("/api/v1/me/team-joiners").json() == []


# --- the question on the participant's home page ---------------------------------------------


@pytest.mark.parametrize(
    ("locale", "heading", "yes"),
    [
        ("en", "Lisa Bakker (physiotherapist) joined your care team", "Done. They can now also read"),
        (
            "nl",
            "Lisa Bakker (fysiotherapeut) is bij je zorgteam gekomen",
            "Klaar. Die persoon kan nu ook lezen",
        ),
    ],
)
def test_the_home_page_asks_and_a_yes_lets_them_read(world, db, client_factory, locale, heading, yes):
    from app.models import User

    owner_user = db.get(User, world.users["owner"].id)
    owner_user.locale = locale
    db.commit()
    lisa_user = make_user(
        db, Role.clinician, team=world.team, display_name="Lisa Bakker", discipline=Discipline.physiotherapist
    )
    lisa = signed_in(client_factory, lisa_user)
    browser = Browser(client_factory(), owner_user)
    home = text_of(browser.get("/").text)
    assert heading in home
    assert CANARY not in home

    answered = browser.post(f"/team-joiners/{lisa_user.id}", {"allowed": "yes"})
    assert answered.status_code == 303
    assert answered.headers["location"] == "/?done=joiner_allowed"
    after = text_of(browser.get(answered.headers["location"]).text)
    assert yes in after
    assert heading not in after  # asked once
    assert world.entry_id("team") in visible(lisa, owner_user.id)


def test_a_no_from_the_home_page_keeps_earlier_shares_from_them(world, db, client_factory):
    from app.models import User

    joiner = make_user(db, Role.clinician, team=world.team)
    reader = signed_in(client_factory, joiner)
    browser = Browser(client_factory(), db.get(User, world.users["owner"].id))
    answered = browser.post(f"/team-joiners/{joiner.id}", {"allowed": "no"})
    assert answered.headers["location"] == "/?done=joiner_kept_out"
    assert visible(reader, world.users["owner"].id) == set()


@pytest.mark.parametrize(
    ("clinician_id", "form", "status", "message"),
    [
        ("joiner", {"allowed": "maybe"}, 422, "Choose yes or no."),
        ("joiner", {}, 422, "Choose yes or no."),
        ("not-an-id", {"allowed": "yes"}, 404, "did not join your care team after you"),
        ("elsewhere", {"allowed": "yes"}, 404, "did not join your care team after you"),
    ],
)
def test_the_home_page_answer_refuses_bad_input_clearly(
    world, db, client_factory, clinician_id, form, status, message
):
    from app.models import User

    people = {
        "joiner": make_user(db, Role.clinician, team=world.team).id,
        "elsewhere": make_user(db, Role.clinician, team=make_team(db)).id,
    }
    browser = Browser(client_factory(), db.get(User, world.users["owner"].id))
    response = browser.post(f"/team-joiners/{people.get(clinician_id, clinician_id)}", form)
    assert response.status_code == status
    assert message in text_of(response.text)
    assert CANARY not in response.text


def test_nobody_but_the_participant_answers_on_a_page(world, db, client_factory):
    from app.models import User

    joiner = make_user(db, Role.clinician, team=world.team)
    for name in ("physio", "admin"):
        browser = Browser(client_factory(), db.get(User, world.users[name].id))
        assert browser.post(f"/team-joiners/{joiner.id}", {"allowed": "yes"}).status_code == 403
    joiner_browser = Browser(client_factory(), joiner)
    assert joiner_browser.post(f"/team-joiners/{joiner.id}", {"allowed": "yes"}).status_code == 403
    anonymous = client_factory()
    anonymous.follow_redirects = False
    assert anonymous.post(f"/team-joiners/{joiner.id}", data={"allowed": "yes"}).status_code in (
        303,
        401,
        403,
    )
    assert visible(signed_in(client_factory, joiner), world.users["owner"].id) == set()
