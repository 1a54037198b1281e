"""The participant's sharing pages through the real app: share and take back on the entry page,
share several at once, what the team said, who viewed what, appointments and their agenda."""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from app.models import AgendaItem, Appointment, EntryResponse, Share, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import login, make_team, make_user
from tests.web.page_client import SCRIPT, Browser, text_of


@dataclass
class Team:
    anna: Browser
    bram: Browser
    physio: Any  # an API client signed in as the physiotherapist
    psych: Any
    users: dict[str, User]


def _api(client_factory, user: User) -> Any:
    client = client_factory()
    login(client, user)
    return client


@pytest.fixture
def team(db, client_factory) -> Team:
    care_team = make_team(db, "Rehab team")
    users = {
        "anna": make_user(db, Role.participant, team=care_team, display_name="Anna"),
        "bram": make_user(db, Role.participant, team=care_team, display_name="Bram"),
        "physio": make_user(
            db,
            Role.clinician,
            team=care_team,
            display_name="Dr. Jansen",
            discipline=Discipline.physiotherapist,
        ),
        "psych": make_user(
            db, Role.clinician, team=care_team, display_name="Dr. Visser", discipline=Discipline.psychologist
        ),
    }
    return Team(
        anna=Browser(client_factory(), users["anna"]),
        bram=Browser(client_factory(), users["bram"]),
        physio=_api(client_factory, users["physio"]),
        psych=_api(client_factory, users["psych"]),
        users=users,
    )


def visible_to(clinician: Any, participant: User) -> set[str]:
    """The entry ids a clinician's preparation view of this participant holds."""
    response = clinician.get(f"/api/v1/clinician/participants/{participant.id}/entries")
    assert response.status_code == 200, response.text
    found = set()
    for section in ("agenda", "disagreements", "questions", "goals", "thoughts_and_feelings"):
        found.update(entry["id"] for entry in response.json()[section])
    return found


def shares_of(db: Session, entry_id: str) -> list[Share]:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    found = list(db.exec(select(Share).where(Share.entry_id == uuid.UUID(entry_id))).all())
    db.commit()
    return found


def share_ids_on(page: str, entry_id: str) -> list[str]:
    return re.findall(rf'action="/entries/{entry_id}/shares/([0-9a-f-]+)/revoke"', page)


# --- who may see the pages ----------------------------------------------------------------

PAGES = ["/share", "/team-said", "/access-log", "/appointments"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_go_to_the_login_page(client, path):
    client.follow_redirects = False
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?" + urlencode({"next": path})


@pytest.mark.parametrize("role", [Role.clinician, Role.admin])
@pytest.mark.parametrize("path", PAGES)
def test_clinicians_and_admins_are_not_allowed(client_factory, db, role, path):
    staff = Browser(
        client_factory(), make_user(db, role, team=make_team(db) if role == Role.clinician else None)
    )
    assert staff.get(path).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/entries/{entry}/share",
        "/entries/{entry}/shares/{share}/revoke",
        "/entries/{entry}/responses/{response}/view",
    ],
)
def test_another_participant_cannot_act_on_my_entry(team, db, path):
    entry_id = team.anna.write("Anna's own words")
    team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    (share,) = shares_of(db, entry_id)
    response_id = team.physio.post(
        f"/api/v1/entries/{entry_id}/responses", json={"kind": "discussed"}
    ).json()["id"]
    url = path.format(entry=entry_id, share=share.id, response=response_id)
    answer = team.bram.post(url, {"audience": "team", "view": "differs"})
    assert answer.status_code == 404
    assert "Anna's own words" not in answer.text
    (share,) = shares_of(db, entry_id)
    assert share.revoked_at is None
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    response = db.get(EntryResponse, uuid.UUID(response_id))
    db.commit()
    assert response is not None and response.participant_view is None


def test_malformed_ids_answer_not_found(team):
    entry_id = team.anna.write("x")
    assert team.anna.post("/entries/nope/share", {"audience": "team"}).status_code == 404
    assert team.anna.post(f"/entries/{entry_id}/shares/nope/revoke").status_code == 404
    assert team.anna.post(f"/entries/{entry_id}/responses/nope/view", {"view": "matches"}).status_code == 404
    assert team.anna.post("/appointments/nope/agenda").status_code == 404


# --- sharing on the entry page ------------------------------------------------------------


def test_share_with_the_team_then_stop_sharing_hides_it_from_the_clinician_at_once(team, db):
    anna = team.users["anna"]
    entry_id = team.anna.write("May I swim?", kind="question")
    page = team.anna.get(f"/entries/{entry_id}").text
    assert "Only you can see this entry." in page
    assert entry_id not in visible_to(team.physio, anna)

    response = team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/entries/{entry_id}?done=shared#sharing"
    assert entry_id in visible_to(team.physio, anna)
    page = team.anna.get(f"/entries/{entry_id}?done=shared").text
    assert "Shared. The people you chose can read it now." in page
    assert "Your whole care team" in page
    (share_id,) = share_ids_on(page, entry_id)

    revoked = team.anna.post(f"/entries/{entry_id}/shares/{share_id}/revoke")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"/entries/{entry_id}?done=unshared#sharing"
    assert entry_id not in visible_to(team.physio, anna)
    assert team.physio.get(f"/api/v1/entries/{entry_id}/responses").status_code == 404
    page = team.anna.get(f"/entries/{entry_id}").text
    assert share_ids_on(page, entry_id) == []
    assert "Sharing history" in page


def test_share_with_chosen_clinicians_only(team):
    anna = team.users["anna"]
    entry_id = team.anna.write("Only for the psychologist", kind="feeling")
    form = team.anna.get(f"/entries/{entry_id}").text
    assert f'name="clinician_ids" value="{team.users["psych"].id}"' in form
    response = team.anna.post(
        f"/entries/{entry_id}/share", {"audience": "people", "clinician_ids": str(team.users["psych"].id)}
    )
    assert response.status_code == 303
    assert entry_id in visible_to(team.psych, anna)
    assert entry_id not in visible_to(team.physio, anna)
    assert "Dr. Visser" in team.anna.get(f"/entries/{entry_id}").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"audience": "people"}, "Choose at least one person to share with."),
        ({"audience": "people", "clinician_ids": "not-an-id"}, "This is not a valid identifier."),
    ],
)
def test_sharing_needs_someone_to_share_with(team, db, fields, message):
    entry_id = team.anna.write("Not yet")
    response = team.anna.post(f"/entries/{entry_id}/share", fields)
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert '<details class="share-box" open>' in response.text
    assert shares_of(db, entry_id) == []


def test_sharing_with_someone_outside_the_team_is_refused(team, db):
    stranger = make_user(db, Role.clinician, team=make_team(db))
    entry_id = team.anna.write("Not for strangers")
    response = team.anna.post(
        f"/entries/{entry_id}/share", {"audience": "people", "clinician_ids": str(stranger.id)}
    )
    assert response.status_code == 422
    assert "You can share only with clinicians of your own care team." in response.text
    assert f'value="{stranger.id}"' not in response.text
    assert shares_of(db, entry_id) == []


def test_an_entry_in_the_trash_cannot_be_shared(team, db):
    entry_id = team.anna.write("Gone")
    team.anna.post(f"/entries/{entry_id}/delete")
    response = team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    assert response.status_code == 409
    assert "This entry is in the trash. Restore it before sharing." in response.text
    assert shares_of(db, entry_id) == []


# --- responses and the participant's view -------------------------------------------------


def test_replies_show_inert_on_the_entry_the_journal_and_what_my_team_said(team):
    entry_id = team.anna.write("My own " + SCRIPT, kind="question")
    team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    reply = team.psych.post(
        f"/api/v1/entries/{entry_id}/responses", json={"kind": "reply", "body": "Yes. " + SCRIPT}
    )
    assert reply.status_code == 201

    journal = team.anna.get("/journal").text
    assert "1 reply from your team" in journal
    assert "<script>alert" not in journal

    entry_page = team.anna.get(f"/entries/{entry_id}").text
    assert "<script>alert" not in entry_page
    assert '<div class="response__text">Yes. &lt;script&gt;' in entry_page
    assert "Dr. Visser" in entry_page

    said = team.anna.get("/team-said")
    assert said.status_code == 200
    assert "<script>alert" not in said.text
    assert "<img src=x" not in said.text
    assert "Yes. " + SCRIPT in text_of(said.text)
    assert "My own " in text_of(said.text)
    assert f'href="/entries/{entry_id}#response-{reply.json()["id"]}"' in said.text


def test_what_my_team_said_is_newest_first_and_leaves_out_the_trash(team):
    first = team.anna.write("First question", kind="question")
    second = team.anna.write("Second question", kind="question")
    gone = team.anna.write("Deleted question", kind="question")
    for entry_id in (first, second, gone):
        team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    team.physio.post(f"/api/v1/entries/{first}/responses", json={"kind": "reply", "body": "Older answer"})
    team.physio.post(f"/api/v1/entries/{second}/responses", json={"kind": "reply", "body": "Newer answer"})
    team.physio.post(f"/api/v1/entries/{gone}/responses", json={"kind": "reply", "body": "Answer to deleted"})
    team.anna.post(f"/entries/{gone}/delete")
    text = text_of(team.anna.get("/team-said").text)
    assert text.index("Newer answer") < text.index("Older answer")
    assert "Answer to deleted" not in text


def test_empty_team_said_page(team):
    assert "Nothing yet." in team.anna.get("/team-said").text


def test_the_participant_has_the_last_word_on_a_discussed_outcome(team, db):
    entry_id = team.anna.write("The scan says nothing about my pain", kind="disagreement", topic="diagnosis")
    team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    discussed = team.physio.post(
        f"/api/v1/entries/{entry_id}/responses",
        json={"kind": "discussed", "outcome": "agreed", "body": "We agreed to look again."},
    ).json()
    page = team.anna.get(f"/entries/{entry_id}").text
    assert "Outcome noted by your team: We agreed" in text_of(page)
    action = f"/entries/{entry_id}/responses/{discussed['id']}/view"
    assert f'action="{action}"' in page

    bad = team.anna.post(action, {"view": "whatever"})
    assert bad.status_code == 422
    assert "This is not one of the allowed choices." in bad.text

    response = team.anna.post(action, {"view": "differs", "note": "We did not agree. <b>I</b> still hurt."})
    assert response.status_code == 303
    assert response.headers["location"] == f"/entries/{entry_id}?done=view#response-{discussed['id']}"
    page = team.anna.get(f"/entries/{entry_id}").text
    assert "You said you see it differently." in page
    assert "We did not agree. &lt;b&gt;I&lt;/b&gt; still hurt." in page
    # The clinician sees the participant's word next to the outcome.
    responses = team.physio.get(f"/api/v1/entries/{entry_id}/responses").json()
    assert responses[0]["participant_view"] == "differs"
    assert responses[0]["participant_note"] == "We did not agree. <b>I</b> still hurt."


def test_a_view_on_a_reply_is_refused(team):
    entry_id = team.anna.write("Question", kind="question")
    team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    reply = team.physio.post(
        f"/api/v1/entries/{entry_id}/responses", json={"kind": "reply", "body": "Hi"}
    ).json()
    response = team.anna.post(f"/entries/{entry_id}/responses/{reply['id']}/view", {"view": "matches"})
    assert response.status_code == 422
    assert "You can give your view on a discussion outcome only." in response.text


# --- share several at once ----------------------------------------------------------------


def test_share_several_entries_for_the_next_appointment(team, db):
    anna = team.users["anna"]
    first = team.anna.write("About my exercises", kind="question", raise_next_session="true")
    second = team.anna.write("About my plan", kind="disagreement")
    private = team.anna.write("Stays private", kind="thought")
    page = team.anna.get("/share").text
    for entry_id in (first, second, private):
        assert f'name="entry_ids" value="{entry_id}"' in page
    # What was marked for the next session comes first.
    assert page.index(first) < page.index(private)

    response = team.anna.post(
        "/share",
        {"entry_ids": [first, second], "audience": "people", "clinician_ids": str(team.users["psych"].id)},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/share?done=shared"
    assert visible_to(team.psych, anna) == {first, second}
    assert visible_to(team.physio, anna) == set()
    assert "Shared with Dr. Visser" in text_of(team.anna.get("/share").text)


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"audience": "team"}, 422, "Choose at least one entry to share."),
        ({"entry_ids": "{entry}", "audience": "people"}, 422, "Choose at least one person to share with."),
        (
            {"entry_ids": "not-an-id", "audience": "team"},
            404,
            "This entry does not exist, or it is not yours.",
        ),
        (
            {"entry_ids": "{foreign}", "audience": "team"},
            404,
            "This entry does not exist, or it is not yours.",
        ),
    ],
    ids=["no-entries", "no-people", "malformed", "foreign"],
)
def test_share_several_with_bad_input_changes_nothing(team, db, fields, status, message):
    mine = team.anna.write("Mine")
    foreign = team.bram.write("Bram's")
    data = {key: value.format(entry=mine, foreign=foreign) for key, value in fields.items()}
    response = team.anna.post("/share", data)
    assert response.status_code == status
    assert message in text_of(response.text)
    assert "Bram&#39;s" not in response.text and "Bram's" not in response.text
    assert shares_of(db, mine) == [] and shares_of(db, foreign) == []
    if status == 422:
        assert 'role="alert"' in response.text


# --- who viewed what I shared -------------------------------------------------------------


def test_access_log_and_seen_by(team):
    anna = team.users["anna"]
    entry_id = team.anna.write("Please read this", kind="question")
    team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    assert "Nobody has opened anything you shared yet." in team.anna.get("/access-log").text
    assert "Nobody has opened it yet." in team.anna.get(f"/entries/{entry_id}").text
    visible_to(team.psych, anna)  # opening the preparation records the read

    log = team.anna.get("/access-log").text
    text = text_of(log)
    assert "Today" in text
    assert "Dr. Visser (psychologist) read 1 entry" in text
    assert f'href="/entries/{entry_id}"' in log
    entry_page = text_of(team.anna.get(f"/entries/{entry_id}").text)
    assert "Seen by" in entry_page
    assert "Dr. Visser (psychologist), last on" in entry_page


# --- appointments and the agenda ----------------------------------------------------------


def appointments_of(db: Session, user: User) -> list[Appointment]:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    found = list(db.exec(select(Appointment).where(Appointment.participant_id == user.id)).all())
    db.commit()
    return found


def test_plan_an_appointment_in_my_own_time_zone(team, db):
    anna = team.users["anna"]
    day = (utcnow() + timedelta(days=10)).date()
    response = team.anna.post(
        "/appointments",
        {"clinician_id": str(team.users["psych"].id), "date": day.isoformat(), "time": "14:30"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/appointments?done=appointment"
    (appointment,) = appointments_of(db, anna)
    expected = datetime(day.year, day.month, day.day, 14, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert appointment.starts_at == expected.astimezone(UTC)
    assert appointment.clinician_id == team.users["psych"].id
    page = team.anna.get("/appointments?done=appointment").text
    assert "The appointment is saved." in page
    assert "With Dr. Visser" in text_of(page)
    assert "14:30" in page
    # The clinician sees it too.
    assert len(team.psych.get("/api/v1/appointments").json()) == 1


from tests.web.clinician.test_preparation import DATE_PROBLEM, message_shown  # noqa: E402


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"clinician_id": ""}, "clinician_id", "Choose the clinician you will see."),
        ({"date": "next tuesday"}, "date", DATE_PROBLEM),
        ({"time": "25:99"}, "time", "Choose a time, such as 14:30."),
        ({"date": "2001-01-01"}, "date", "This appointment lies in the past."),
        ({"clinician_id": "nobody"}, "clinician_id", "This is not a valid identifier."),
    ],
)
def test_planning_with_bad_input_keeps_the_form(team, db, fields, field, message):
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    form = {"clinician_id": str(team.users["psych"].id), "date": day, "time": "09:00"} | fields
    response = team.anna.post("/appointments", form)
    assert response.status_code == 422
    assert f'id="appointment-{field}-error"' in response.text
    assert message_shown(message, text_of(response.text))
    assert appointments_of(db, team.users["anna"]) == []


@pytest.mark.parametrize(
    ("locale", "separator"),
    [("en", "-"), ("nl", "/"), ("nl", ".")],
)
def test_a_date_typed_day_first_is_read_and_the_hint_is_a_future_date_in_words(team, db, locale, separator):
    """Without a date picker people type the date as they write it; the hint beside the field
    is an example two weeks ahead in their language, not an ISO date in the past."""
    from datetime import date

    from babel.dates import format_skeleton

    anna = db.get(User, team.users["anna"].id)
    anna.locale = locale
    db.commit()
    page = text_of(team.anna.get("/appointments").text)
    ahead = format_skeleton("yMMMMd", date.today() + timedelta(days=14), locale=locale)
    assert ahead in page and not re.search(r"\d{4}-\d{2}-\d{2}", ahead)
    assert "2025-06-03" not in page
    day = date.today() + timedelta(days=40)
    typed = separator.join([str(day.day), str(day.month), str(day.year)])
    response = team.anna.post(
        "/appointments", {"clinician_id": str(team.users["psych"].id), "date": typed, "time": "09:30"}
    )
    assert response.status_code == 303, text_of(response.text)
    (appointment,) = appointments_of(db, team.users["anna"])
    local = appointment.starts_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert (local.date(), local.hour, local.minute) == (day, 9, 30)


def test_planning_with_someone_outside_the_team_is_refused(team, db):
    stranger = make_user(db, Role.clinician, team=make_team(db))
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    response = team.anna.post(
        "/appointments", {"clinician_id": str(stranger.id), "date": day, "time": "09:00"}
    )
    assert response.status_code == 422
    assert "This person is not in the same care team." in response.text
    assert appointments_of(db, team.users["anna"]) == []


def _plan(team: Team, db: Session, clinician: str = "psych") -> Appointment:
    day = (utcnow() + timedelta(days=7)).date().isoformat()
    response = team.anna.post(
        "/appointments", {"clinician_id": str(team.users[clinician].id), "date": day, "time": "10:00"}
    )
    assert response.status_code == 303
    return appointments_of(db, team.users["anna"])[-1]


def agenda_of(db: Session, appointment: Appointment) -> list[tuple[str, bool]]:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    items = db.exec(
        select(AgendaItem).where(AgendaItem.appointment_id == appointment.id).order_by(AgendaItem.position)
    ).all()
    found = [(str(item.entry_id), item.important) for item in items]
    db.commit()
    return found


def test_build_the_agenda_from_what_the_clinician_can_see(team, db):
    appointment = _plan(team, db)
    psych_id = str(team.users["psych"].id)
    exercises = team.anna.write("Exercises hurt", kind="disagreement")
    sleep = team.anna.write("How do I sleep better?", kind="question")
    physio_only = team.anna.write("For the physio only", kind="question")
    private = team.anna.write("Private", kind="thought")
    team.anna.post(
        "/share", {"entry_ids": [exercises, sleep], "audience": "people", "clinician_ids": psych_id}
    )
    team.anna.post(
        f"/entries/{physio_only}/share", {"audience": "people", "clinician_ids": str(team.users["physio"].id)}
    )

    page = team.anna.get("/appointments").text
    assert f'name="candidate" value="{exercises}"' in page
    assert f'name="candidate" value="{sleep}"' in page
    assert physio_only not in page
    assert private not in page

    # Without scripts: tick, number and mark; "sleep" first, "exercises" matters most.
    candidates = re.findall(r'name="candidate" value="([0-9a-f-]+)"', page)
    positions = {sleep: "1", exercises: "2"}
    response = team.anna.post(
        f"/appointments/{appointment.id}/agenda",
        {
            "candidate": candidates,
            "position": [positions[c] for c in candidates],
            "entry_ids": [exercises, sleep],
            "important_ids": [exercises],
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/appointments?done=agenda#appointment-{appointment.id}"
    assert agenda_of(db, appointment) == [(sleep, False), (exercises, True)]
    page = team.anna.get("/appointments?done=agenda").text
    assert "The agenda is saved." in page
    assert page.index(f'name="candidate" value="{sleep}"') < page.index(
        f'name="candidate" value="{exercises}"'
    )

    # The clinician's preparation shows the agenda in that order.
    preparation = team.psych.get(f"/api/v1/clinician/participants/{team.users['anna'].id}/entries").json()
    assert [entry["id"] for entry in preparation["agenda"]] == [sleep, exercises]

    # Marking one as mattering most puts it on the agenda; unticking takes one off.
    team.anna.post(
        f"/appointments/{appointment.id}/agenda",
        {"candidate": [sleep, exercises], "position": ["1", "2"], "important_ids": [exercises]},
    )
    assert agenda_of(db, appointment) == [(exercises, True)]


def test_an_agenda_with_an_entry_the_clinician_cannot_see_is_refused(team, db):
    appointment = _plan(team, db)
    private = team.anna.write("Private", kind="thought")
    response = team.anna.post(
        f"/appointments/{appointment.id}/agenda",
        {"candidate": [private], "position": ["1"], "entry_ids": [private]},
    )
    assert response.status_code == 422
    assert "Put on the agenda only entries you have shared with this clinician." in response.text
    assert agenda_of(db, appointment) == []


def test_someone_elses_appointment_is_not_found(team, db):
    appointment = _plan(team, db)
    entry_id = team.bram.write("Bram's")
    response = team.bram.post(
        f"/appointments/{appointment.id}/agenda",
        {"candidate": [entry_id], "position": ["1"], "entry_ids": [entry_id]},
    )
    assert response.status_code == 404
    assert "Anna" not in response.text


def test_no_appointments_yet(team):
    page = team.anna.get("/appointments").text
    assert "No appointments are planned." in page
    assert "Dr. Visser (psychologist)" in page


# --- the home page ------------------------------------------------------------------------


def test_home_page_shows_a_big_write_button(team):
    page = team.anna.get("/").text
    assert '<a class="button button--primary button--big button--write" href="/write">' in page


def test_home_page_shows_recent_entries_replies_and_the_next_appointment(team, db):
    empty = text_of(team.anna.get("/").text)
    assert "Nothing written yet." in empty
    assert "Your next appointment" not in empty
    entry_id = team.anna.write("What about my sleep?", kind="question")
    team.anna.post(f"/entries/{entry_id}/share", {"audience": "team"})
    team.psych.post(
        f"/api/v1/entries/{entry_id}/responses", json={"kind": "reply", "body": "Let us talk <b>about</b> it"}
    )
    _plan(team, db)
    page = team.anna.get("/").text
    text = text_of(page)
    assert "What about my sleep?" in text
    assert "Replies from your team" in text
    assert "Let us talk <b>about</b> it" in text
    assert "<b>about</b>" not in page
    assert "Your next appointment" in text
    assert "With Dr. Visser" in text


# --- safe defaults: nobody preselected, the choice before the button ----------------------

NOBODY = "Choose with whom to share: your whole care team, or the people you tick."


def _checked_inputs(page: str) -> list[str]:
    """The audience radios and people boxes that arrive ticked."""
    return re.findall(
        r'<input type="(?:radio|checkbox)"[^>]*name="(?:audience|clinician_ids)"[^>]*\bchecked', page
    )


def test_nobody_is_preselected_on_the_entry_page_or_the_bulk_page(team):
    entry_id = team.anna.write("Not sure yet")
    for page in (team.anna.get(f"/entries/{entry_id}").text, team.anna.get("/share").text):
        assert 'name="audience"' in page
        assert _checked_inputs(page) == []


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_sharing_with_nobody_ticked_is_refused_clearly(team, db, locale):
    entry_id = team.anna.write("Not yet")
    profile = {"display_name": "Anna", "locale": locale, "time_zone": "Europe/Amsterdam"}
    assert team.anna.post("/account/profile", profile).status_code == 303
    message = (
        NOBODY if locale == "en" else "Kies met wie je deelt: je hele zorgteam, of de mensen die je aanvinkt."
    )
    single = team.anna.post(f"/entries/{entry_id}/share", {})
    assert single.status_code == 422
    assert message in text_of(single.text)
    several = team.anna.post("/share", {"entry_ids": entry_id})
    assert several.status_code == 422
    assert message in text_of(several.text)
    assert _checked_inputs(several.text) == []
    assert shares_of(db, entry_id) == []


def test_ticking_people_is_enough_to_choose_them(team, db):
    entry_id = team.anna.write("For the psychologist")
    psych_id = str(team.users["psych"].id)
    assert team.anna.post(f"/entries/{entry_id}/share", {"clinician_ids": psych_id}).status_code == 303
    assert [share.clinician_id for share in shares_of(db, entry_id)] == [team.users["psych"].id]


def test_the_choice_of_people_comes_before_the_button_and_those_it_is_about_first(team):
    entry_id = team.anna.write("The exercises hurt", kind="disagreement", about="discipline:psychologist")
    page = team.anna.get(f"/entries/{entry_id}").text
    box = re.search(r'<details class="share-box".*?</details>', page, re.S)
    assert box
    people = re.findall(r'id="share-person-[^"]+"[^>]*>\s*<label[^>]*>([^<(]+)', box.group(0))
    assert [name.strip() for name in people] == ["Dr. Visser", "Dr. Jansen"]
    assert box.group(0).index('name="audience"') < box.group(0).index('type="submit"')
    bulk = team.anna.get("/share").text
    assert "form-actions--sticky" not in bulk
    assert bulk.index('name="audience"') < bulk.index("Share the chosen entries")
