"""The "My story" pages (issue 15): write, save over several sittings, earlier versions, share
and stop sharing; the clinician's preparation page shows it only when shared, with what changed."""

import re

import pytest
from sqlalchemy import update

from app.models import User
from app.models.enums import Discipline, Role
from tests.factories import make_team, make_user
from tests.web.page_client import Browser, text_of

BEFORE = "Three pain clinics. Nobody asked what I could still do."


@pytest.fixture
def people(db):
    rehab = make_team(db, "Rehab")
    return {
        "anna": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "lisa": make_user(
            db, Role.clinician, team=rehab, display_name="Lisa", discipline=Discipline.physiotherapist
        ),
        "omar": make_user(
            db, Role.clinician, team=rehab, display_name="Omar", discipline=Discipline.psychologist
        ),
    }


def _save(browser, version: int, **fields: str):
    return browser.post("/story", {"version": str(version), **fields})


@pytest.mark.parametrize(
    ("locale", "heading", "saved", "changed"),
    [
        ("en", "My story", "Your story is saved.", "updated since you last read it"),
        ("nl", "Mijn verhaal", "Je verhaal is bewaard.", "bijgewerkt sinds je het las"),
    ],
)
def test_write_share_edit_and_the_team_sees_what_changed(
    client_factory, db, people, locale, heading, saved, changed
):
    db.execute(update(User).values(locale=locale))
    db.commit()
    anna = Browser(client_factory(), people["anna"])
    page = anna.get("/story")
    assert page.status_code == 200 and heading in text_of(page.text)
    assert 'data-draft-key="story"' in page.text
    done = _save(
        anna,
        0,
        before=BEFORE,
        cause="My back",
        **{"treatment-0-what": "Physiotherapy", "treatment-0-when": "2019", "treatment-0-effect": "no_help"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/story?done=story_saved"
    after = anna.get("/story?done=story_saved")
    assert saved in text_of(after.text) and 'data-saved-draft="story"' in after.text
    assert BEFORE in after.text and 'value="Physiotherapy"' in after.text

    lisa = Browser(client_factory(), people["lisa"])
    omar = Browser(client_factory(), people["omar"])
    prep_url = f"/clinician/participants/{people['anna'].id}"
    assert BEFORE not in lisa.get(prep_url).text  # private until shared
    shared = anna.post("/story/share", {"audience": "people", "clinician_ids": [str(people["lisa"].id)]})
    assert shared.status_code == 303
    first = lisa.get(prep_url).text
    assert BEFORE in first and changed not in text_of(first)
    assert "My back" in first  # the belief next to the disagreements
    assert BEFORE not in omar.get(prep_url).text

    _save(anna, 1, before=BEFORE, cause="My back, and the stress")
    second = lisa.get(prep_url).text
    marked = re.findall(r'id="story-(\w+)">[^<]*<span class="badge badge--changed">', second)
    assert marked == ["cause"]
    assert changed in text_of(second)
    assert changed not in text_of(lisa.get(prep_url).text)  # read now

    versions = anna.get("/story/versions").text
    assert 'href="/story/versions/1"' in versions and 'href="/story/versions/2"' in versions
    assert "My back" in anna.get("/story/versions/1").text
    assert anna.get("/story/versions/3").status_code == 404
    assert "Lisa" in text_of(anna.get("/story").text)  # who read it

    share_id = re.search(r'action="/story/shares/([0-9a-f-]+)/revoke"', anna.get("/story").text).group(1)
    assert anna.post(f"/story/shares/{share_id}/revoke").status_code == 303
    assert BEFORE not in lisa.get(prep_url).text  # hidden at once


def test_refusals_keep_what_was_typed(client_factory, people):
    anna = Browser(client_factory(), people["anna"])
    too_long = _save(anna, 0, before="x" * 8001, hope="keep me")
    assert too_long.status_code == 422 and "keep me" in too_long.text
    assert 'aria-invalid="true"' in too_long.text
    _save(anna, 0, hope="first")
    stale = _save(anna, 0, hope="written on another phone")
    assert stale.status_code == 409 and "written on another phone" in stale.text
    assert 'name="version" value="1"' in stale.text  # the newest is the base now: saving again works
    assert _save(anna, 1, hope="written on another phone").status_code == 303
    nobody = anna.post("/story/share", {})
    assert nobody.status_code == 422 and "Choose with whom to share" in text_of(nobody.text)
    assert anna.post("/story/shares/not-an-id/revoke").status_code == 404
    assert anna.get("/story/versions/abc").status_code == 404
