"""The task pages (issue 14, item 2): a clinician suggests a task on the preparation page; the
participant finds it under "What my team suggests", answers it, logs a try, sends both in one
step and takes them back; a task that does not fit goes on the agenda in one step. What was not
sent never reaches the clinician's page, and another clinician sees none of it."""

import re

import pytest
from sqlalchemy import update

from app.models import User
from app.models.enums import Discipline, Role
from tests.factories import make_team, make_user
from tests.web.page_client import Browser, text_of

TASK = "Walk for ten minutes after lunch."
WHY = "My knee hurts on the stairs."
WORDS = {
    "en": {
        "plan": "What my team suggests",
        "answered": "Your answer is saved. Only you can see it until you send it.",
        "send": "Let Lisa see my answer",
        "sent": "Sent. They can see your answer and tries now.",
        "doubts": "Has doubts",
        "required": "Choose one of the options.",
    },
    "nl": {
        "plan": "Wat mijn team voorstelt",
        "answered": "Je antwoord is bewaard. Alleen jij ziet het, tot je het stuurt.",
        "send": "Laat Lisa mijn antwoord zien",
        "sent": "Verstuurd. Ze zien je antwoord en pogingen nu.",
        "doubts": "Twijfelt",
        "required": "Kies een van de mogelijkheden.",
    },
}


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


def _field(page: str, action: str, name: str) -> str:
    form = page.split(f'action="{action}"', 1)[1]
    found = re.search(rf'name="{name}" value="([^"]+)"', form)
    assert found, name
    return found.group(1)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_suggest_answer_try_send_and_take_back(client_factory, db, people, locale):
    db.execute(update(User).values(locale=locale))
    db.commit()
    words = WORDS[locale]
    lisa, anna = Browser(client_factory(), people["lisa"]), Browser(client_factory(), people["anna"])
    prep_url = f"/clinician/participants/{people['anna'].id}"
    prep = lisa.get(prep_url)
    assert prep.status_code == 200
    task_id = _field(prep.text, f"{prep_url}/tasks", "task_id")
    # A date that cannot be read is refused next to its field; what was typed stays.
    refused = lisa.post(f"{prep_url}/tasks", {"task_id": task_id, "body": TASK, "until": "someday"})
    assert refused.status_code == 422 and TASK in refused.text and 'id="task-until-error"' in refused.text
    made = lisa.post(f"{prep_url}/tasks", {"task_id": task_id, "body": TASK, "how_often": "Every day"})
    assert made.status_code == 303
    again = lisa.post(f"{prep_url}/tasks", {"task_id": task_id, "body": TASK, "how_often": "Every day"})
    assert again.status_code == 303  # a double submit is kept once

    plan = anna.get("/plan")
    assert plan.status_code == 200 and words["plan"] in text_of(plan.text)
    assert text_of(plan.text).count(TASK) == 1 and "Lisa" in text_of(plan.text)
    page = anna.get(f"/plan/{task_id}")
    assert page.status_code == 200 and "Every day" in text_of(page.text)
    missing = anna.post(f"/plan/{task_id}/answer", {"note": WHY})
    assert missing.status_code == 422 and words["required"] in text_of(missing.text)
    answered = anna.post(f"/plan/{task_id}/answer", {"answer": "doubts", "note": WHY})
    assert answered.status_code == 303
    assert words["answered"] in text_of(anna.get(answered.headers["location"]).text)
    page = anna.get(f"/plan/{task_id}")
    try_id = _field(page.text, f"/plan/{task_id}/tries", "try_id")
    assert (
        anna.post(
            f"/plan/{task_id}/tries", {"outcome": "too_painful", "note": "Stairs", "try_id": try_id}
        ).status_code
        == 303
    )
    assert (
        anna.post(
            f"/plan/{task_id}/tries", {"outcome": "too_painful", "note": "Stairs", "try_id": try_id}
        ).status_code
        == 303
    )
    page = anna.get(f"/plan/{task_id}")
    assert text_of(page.text).count("Stairs") == 1
    assert words["send"] in text_of(page.text)

    # Not sent: Lisa sees the task, not the answer or the try.
    prep = text_of(lisa.get(prep_url).text)
    assert TASK in prep and WHY not in prep and "Stairs" not in prep
    sent = anna.post(f"/plan/{task_id}/send")
    assert sent.status_code == 303
    assert words["sent"] in text_of(anna.get(sent.headers["location"]).text)
    prep = text_of(lisa.get(prep_url).text)
    assert WHY in prep and "Stairs" in prep and words["doubts"] in prep
    # Omar, in the same team, sees none of Lisa's tasks.
    omar = text_of(Browser(client_factory(), people["omar"]).get(prep_url).text)
    assert TASK not in omar and WHY not in omar

    assert anna.post(f"/plan/{task_id}/unsend").status_code == 303
    prep = text_of(lisa.get(prep_url).text)
    assert WHY not in prep and "Stairs" not in prep

    # Does not fit: on the agenda in one step, in the participant's words.
    raised = anna.post(f"/plan/{task_id}/raise", {"body": f"About the walking: {WHY}"})
    assert raised.status_code == 303 and raised.headers["location"].startswith("/entries/")
    assert WHY in text_of(lisa.get(prep_url).text)

    # Lisa changes the task, then withdraws it; Anna keeps it, marked.
    prep = lisa.get(prep_url)
    version = _field(prep.text, f"/clinician/tasks/{task_id}/edit", "version")
    edited = lisa.post(
        f"/clinician/tasks/{task_id}/edit", {"body": "Walk for five minutes.", "version": version}
    )
    assert edited.status_code == 303
    assert lisa.post(f"/clinician/tasks/{task_id}/withdraw").status_code == 303
    kept = text_of(anna.get("/plan").text)
    assert "Walk for five minutes." in kept


def test_nobody_else_reaches_the_task_pages(client_factory, db, people):
    lisa = Browser(client_factory(), people["lisa"])
    prep_url = f"/clinician/participants/{people['anna'].id}"
    task_id = _field(lisa.get(prep_url).text, f"{prep_url}/tasks", "task_id")
    assert lisa.post(f"{prep_url}/tasks", {"task_id": task_id, "body": TASK}).status_code == 303
    omar = Browser(client_factory(), people["omar"])
    assert omar.post(f"/clinician/tasks/{task_id}/withdraw").status_code == 404
    assert omar.post(f"/clinician/tasks/{task_id}/edit", {"body": "x", "version": "1"}).status_code == 404
    assert lisa.get(f"/plan/{task_id}").status_code == 403
    assert lisa.get("/plan/not-an-id").status_code in {403, 404}
