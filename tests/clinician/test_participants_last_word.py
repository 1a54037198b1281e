"""The participant's view decides what is open: a disagreement the clinician marked "agreed"
stays open, new and prominent while the participant says it does not match their view."""

from typing import Any

import pytest

from tests.sharing import conftest as sharing
from tests.sharing.conftest import World
from tests.web.clinician.test_preparation import section_of, text_of

world = sharing.world


def _disputed(world: World, outcome: str, view: str | None, note: str | None = None) -> dict[str, Any]:
    """A disagreement shared with the team, discussed with this outcome, and the participant's view."""
    owner, physio = world.clients["owner"], world.clients["physio"]
    entry = owner.post(
        "/api/v1/entries",
        json={
            "kind": "disagreement",
            "body": "Nobody believes my pain.",
            "topic": "working_with_professional",
        },
    ).json()
    assert owner.post(f"/api/v1/entries/{entry['id']}/shares", json={"audience": "team"}).status_code == 201
    discussed = physio.post(
        f"/api/v1/entries/{entry['id']}/responses", json={"kind": "discussed", "outcome": outcome}
    ).json()
    physio.get(_prep(world))  # the physio has now read everything
    if view is not None:
        answer = owner.post(
            f"/api/v1/entries/{entry['id']}/responses/{discussed['id']}/view",
            json={"view": view, "note": note},
        )
        assert answer.status_code == 200, answer.text
    return entry


def _prep(world: World) -> str:
    return f"/api/v1/clinician/participants/{world.users['owner'].id}/entries"


def _unread(world: World, clinician: str = "physio") -> int:
    rows = world.clients[clinician].get("/api/v1/clinician/participants").json()
    return next(row["unread_count"] for row in rows if row["id"] == str(world.users["owner"].id))


@pytest.mark.parametrize("view", ["partly", "differs"])
def test_agreed_but_disputed_stays_open_and_counts_as_new(world, view):
    entry = _disputed(world, "agreed", view, note="I still don't feel believed")
    assert _unread(world) == 1
    prep = world.clients["physio"].get(_prep(world)).json()
    item = next(i for i in prep["disagreements"] if i["id"] == entry["id"])
    assert item["agreement"] == "agreed"
    assert item["participant_view"] == view
    assert item["is_open"] is True
    assert item["is_new"] is True
    assert _unread(world) == 0  # read now
    # Another clinician of the team, who never opened it, also sees it open.
    psych = world.clients["psych"].get(_prep(world)).json()
    assert entry["id"] in [i["id"] for i in psych["disagreements"]]


def test_agreed_and_matching_is_closed(world):
    entry = _disputed(world, "agreed", "matches")
    prep = world.clients["physio"].get(_prep(world)).json()
    assert entry["id"] not in [i["id"] for i in prep["disagreements"]]


def test_agreed_without_a_view_yet_is_closed(world):
    entry = _disputed(world, "agreed", None)
    prep = world.clients["physio"].get(_prep(world)).json()
    assert entry["id"] not in [i["id"] for i in prep["disagreements"]]
    assert _unread(world) == 0


def test_a_view_that_changes_counts_as_new_again(world):
    entry = _disputed(world, "still_differ", "differs")
    world.clients["physio"].get(_prep(world))
    assert _unread(world) == 0
    responses = world.clients["owner"].get(f"/api/v1/entries/{entry['id']}/responses").json()
    world.clients["owner"].post(
        f"/api/v1/entries/{entry['id']}/responses/{responses[-1]['id']}/view", json={"view": "partly"}
    )
    assert _unread(world) == 1


def test_the_card_and_the_print_view_say_so_prominently(world):
    _disputed(world, "agreed", "differs", note="I still don't feel believed")
    physio = world.clients["physio"]
    url = f"/clinician/participants/{world.users['owner'].id}"
    for page in (physio.get(url).text, physio.get(url, params={"print": "1"}).text):
        text = text_of(page).replace(" :", ":")
        assert "Unresolved disagreements (1)" in text
        assert "Anna sees it differently: I still don't feel believed" in text
        assert 'class="participant-word' in page


def test_the_card_in_dutch(world):
    _disputed(world, "agreed", "partly", note="Ik voel me nog niet geloofd")
    physio = world.clients["physio"]
    assert physio.patch("/api/v1/me", json={"locale": "nl"}).status_code == 200
    text = text_of(physio.get(f"/clinician/participants/{world.users['owner'].id}").text).replace(" :", ":")
    assert "Anna is het er deels mee eens: Ik voel me nog niet geloofd" in text


def _home_asks(page: str) -> int:
    return text_of(page).count("Does this match your view?")


def test_home_asks_once_while_an_outcome_waits_for_the_participants_view(world):
    owner = world.clients["owner"]
    assert _home_asks(owner.get("/").text) == 0
    entries = [_disputed(world, "agreed", None), _disputed(world, "partly_agreed", None)]
    home = owner.get("/").text
    assert _home_asks(home) == 1
    assert home.count('href="/entries/') >= 2 and all(
        f"/entries/{e['id']}#response-" in home for e in entries
    )
    # Once the participant has given their view on both, home asks no more.
    for entry in entries:
        discussed = owner.get(f"/api/v1/entries/{entry['id']}/responses").json()[-1]
        url = f"/api/v1/entries/{entry['id']}/responses/{discussed['id']}/view"
        assert owner.post(url, json={"view": "matches"}).status_code == 200
    assert _home_asks(owner.get("/").text) == 0


def test_home_asks_in_dutch(world):
    owner = world.clients["owner"]
    _disputed(world, "agreed", None)
    assert owner.patch("/api/v1/me", json={"locale": "nl"}).status_code == 200
    assert text_of(owner.get("/").text).count("Zie jij het ook zo?") == 1


def test_counts_match_what_is_on_the_page(world):
    """An open disagreement on the agenda counts in its section; "Matters most" has no "Normal" beside it."""
    owner, physio = world.clients["owner"], world.clients["physio"]
    entry = _disputed(world, "agreed", "differs")
    appointment = physio.post(
        "/api/v1/appointments",
        json={"participant_id": str(world.users["owner"].id), "starts_at": sharing.in_future()},
    ).json()
    agenda = owner.put(
        f"/api/v1/appointments/{appointment['id']}/agenda",
        json={"entry_ids": [entry["id"]], "important_ids": [entry["id"]]},
    )
    assert agenda.status_code == 200, agenda.text
    page = physio.get(f"/clinician/participants/{world.users['owner'].id}").text
    text = text_of(page)
    assert "Unresolved disagreements (1)" in text
    assert "1 of them is on the agenda above." in text
    assert "No unresolved disagreements." not in text
    on_agenda = text_of(section_of(page, "agenda")).replace(" :", ":")
    assert "Matters most" in on_agenda
    assert "Importance:" not in on_agenda


def test_the_discussed_note_says_the_participant_reads_it(world):
    _disputed(world, "agreed", None)
    page = world.clients["physio"].get(f"/clinician/participants/{world.users['owner'].id}").text
    discussed = page.split("Mark discussed", 1)[1].split("</form>", 1)[0]
    assert "The participant reads this." in discussed
