"""The goal pages (issue 14, item 1): my goals in my order, rated in one tap (kept once when sent
twice), reworded with every earlier wording kept, reached or let go with a why; the preparation
page of a clinician it is shared with shows the wordings and the line of ratings."""

import re

import pytest
from sqlalchemy import update

from app.models import User
from app.models.enums import Discipline, Role
from tests.factories import make_team, make_user
from tests.web.page_client import Browser, text_of

FIRST = "Walk my daughter to school"
SECOND = "Walk my daughter to school, with a rest on the bench"


@pytest.fixture
def people(db):
    rehab = make_team(db, "Rehab")
    return {
        "anna": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "bram": make_user(db, Role.participant, team=rehab, display_name="Bram"),
        "lisa": make_user(
            db, Role.clinician, team=rehab, display_name="Lisa", discipline=Discipline.physiotherapist
        ),
        "omar": make_user(
            db, Role.clinician, team=rehab, display_name="Omar", discipline=Discipline.psychologist
        ),
    }


def _rating_id(page: str, goal_id: str) -> str:
    form = page.split(f'action="/goals/{goal_id}/ratings"', 1)[1]
    found = re.search(r'name="rating_id" value="([^"]+)"', form)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("locale", "heading", "rated", "question"),
    [
        ("en", "My goals", "Your rating is saved.", "How well can you do this now?"),
        ("nl", "Mijn doelen", "Je cijfer is bewaard.", "Hoe goed lukt dit je nu?"),
    ],
)
def test_rate_reorder_reword_and_let_go(client_factory, db, people, locale, heading, rated, question):
    db.execute(update(User).values(locale=locale))
    db.commit()
    anna = Browser(client_factory(), people["anna"])
    empty = anna.get("/goals")
    assert empty.status_code == 200 and heading in text_of(empty.text)
    walk = anna.write(FIRST, kind="goal")
    cook = anna.write("Cook a meal for friends", kind="goal")
    page = anna.get("/goals")
    assert question in text_of(page.text)
    assert text_of(page.text).index(FIRST) < text_of(page.text).index("Cook a meal")
    rating_id = _rating_id(page.text, walk)
    done = anna.post(f"/goals/{walk}/ratings", {"value": "3", "rating_id": rating_id, "back": "goals"})
    assert done.status_code == 303 and done.headers["location"] == f"/goals?done=rated#goal-{walk}"
    # A double tap: the same form again is kept once.
    anna.post(f"/goals/{walk}/ratings", {"value": "3", "rating_id": rating_id, "back": "goals"})
    after = anna.get("/goals?done=rated")
    assert rated in text_of(after.text)
    assert (
        after.text.count('<svg class="line-chart"') == 1
        and "3, " not in after.text.split("aria-label=")[1][:80]
    )
    # Nothing chosen: the page says what to do, next to the scale.
    refused = anna.post(f"/goals/{cook}/ratings", {"value": "", "rating_id": _rating_id(after.text, cook)})
    assert refused.status_code == 422 and f'id="rate-{cook}-value-error"' in refused.text
    # Cooking matters more now.
    moved = anna.post(f"/goals/{cook}/move", {"direction": "up"})
    assert moved.status_code == 303
    order = text_of(anna.get("/goals").text)
    assert order.index("Cook a meal") < order.index(FIRST)

    # Reworded: the first words stay on the goal's page, with the line of two ratings.
    edit = anna.get(f"/entries/{walk}/edit").text
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    saved = anna.post(
        f"/entries/{walk}/edit", {"kind": "goal", "body": SECOND, "goal_status": "active", "version": version}
    )
    assert saved.status_code == 303, saved.text
    entry = anna.get(f"/entries/{walk}")
    anna.post(
        f"/goals/{walk}/ratings", {"value": "6", "rating_id": _rating_id(entry.text, walk), "back": "entry"}
    )
    entry = anna.get(f"/entries/{walk}").text
    words = text_of(entry)
    assert FIRST in words and SECOND in words
    assert words.index(SECOND) < words.rindex(FIRST)
    assert 'aria-label="' in entry and ': 3, 6"' in entry

    # Let go, with a why: it moves to "reached or let go" with the why.
    edit = anna.get(f"/entries/{cook}/edit").text
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    anna.post(
        f"/entries/{cook}/edit",
        {
            "kind": "goal",
            "body": "Cook a meal for friends",
            "goal_status": "let_go",
            "goal_note": "Standing hurts too long",
            "version": version,
        },
    )
    listed = text_of(anna.get("/goals").text)
    assert "Standing hurts too long" in listed


def test_another_participants_goal_is_not_found(client_factory, people):
    anna = Browser(client_factory(), people["anna"])
    bram = Browser(client_factory(), people["bram"])
    walk = anna.write(FIRST, kind="goal")
    page = anna.get("/goals").text
    rating_id = _rating_id(page, walk)
    for url, data in (
        (f"/goals/{walk}/ratings", {"value": "5", "rating_id": rating_id}),
        (f"/goals/{walk}/move", {"direction": "up"}),
        (f"/goals/{walk}/ratings/{rating_id}/delete", {}),
        ("/goals/not-an-id/move", {"direction": "up"}),
    ):
        response = bram.post(url, data)
        assert response.status_code == 404, url
    assert FIRST not in bram.get("/goals").text


def test_the_physiotherapist_it_is_shared_with_sees_the_wordings_and_the_line(client_factory, people):
    anna = Browser(client_factory(), people["anna"])
    walk = anna.write(FIRST, kind="goal")
    for value in ("2", "4"):
        anna.post(
            f"/goals/{walk}/ratings", {"value": value, "rating_id": _rating_id(anna.get("/goals").text, walk)}
        )
    anna.post(f"/entries/{walk}/share", {"clinician_ids": str(people["lisa"].id)})
    lisa = Browser(client_factory(), people["lisa"])
    prep = lisa.get(f"/clinician/participants/{people['anna'].id}").text
    assert FIRST in prep and 'class="line-chart"' in prep and ': 2, 4"' in prep
    omar = Browser(client_factory(), people["omar"])
    assert FIRST not in omar.get(f"/clinician/participants/{people['anna'].id}").text
