"""Appointments in the participant's own calendar app (issue 18, item 4): a file to open once, and
a private calendar link (shown once, only its hash kept, replaced or turned off at once). An event
says "Appointment (Stem)", when, and the clinician's discipline: never a name, an agenda, or
anything written in Stem."""

import hashlib
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from app.models import Appointment, AuditEvent, CalendarFeed, User
from app.models.types import utcnow
from tests.sharing.conftest import CANARY
from tests.web.page_client import Browser, text_of

# The clinician's name, which no calendar event may carry.
PSYCH_NAME = "Dr Pietersen-Canary"


def _plan(
    world, db, *, hours: float = 48, clinician: str = "psych", participant: str = "owner"
) -> SimpleNamespace:
    starts_at = (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    appointment = Appointment(
        participant_id=world.users[participant].id,
        clinician_id=world.users[clinician].id,
        starts_at=starts_at,
    )
    db.add(appointment)
    db.commit()
    planned = SimpleNamespace(id=appointment.id, starts_at=starts_at)
    # No read transaction stays open in the test's session while the app writes (SQLite).
    db.rollback()
    return planned


def _with_agenda(world, db) -> SimpleNamespace:
    """An appointment with the psychologist whose agenda holds the owner's shared entry, and a
    clinician with a name that must never reach a calendar."""
    psych = db.get(User, world.users["psych"].id)
    psych.display_name = PSYCH_NAME
    db.commit()
    appointment = _plan(world, db)
    body = {"entry_ids": [world.entry_id("psych_only")]}
    response = world.clients["owner"].put(f"/api/v1/appointments/{appointment.id}/agenda", json=body)
    assert response.status_code == 200, response.text
    return appointment


def _browser(world, db, client_factory, who: str = "owner") -> Browser:
    browser = Browser(client_factory(), db.get(User, world.users[who].id))
    db.rollback()
    return browser


def _events(body: bytes) -> list:
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0"
    assert "Stem" in str(calendar["PRODID"])
    return list(calendar.walk("VEVENT"))


def _assert_no_content(world, body: str) -> None:
    """No words of Stem's: the entries' texts (the agenda's one included), the canary, names."""
    for entry in world.entries.values():
        assert entry["body"] not in body
    for forbidden in (CANARY, PSYCH_NAME, "Anna", "Only for the psychologist"):
        assert forbidden not in body


def _link_of(page: str) -> str:
    found = re.search(r'value="(https?://[^"]+/calendar/[^"]+\.ics)"', page)
    assert found, "no calendar link on the page"
    return found.group(1)


def _feed_path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


# --- files ----------------------------------------------------------------------------------------


def test_one_appointment_as_a_file_with_its_time_uid_and_no_content(world, db, client_factory):
    appointment = _with_agenda(world, db)
    browser = _browser(world, db, client_factory)
    page = browser.get("/appointments").text
    assert f'href="/appointments/{appointment.id}/calendar.ics"' in page
    response = browser.get(f"/appointments/{appointment.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    assert "no-store" in response.headers["cache-control"]
    _assert_no_content(world, response.text)
    (event,) = _events(response.content)
    assert str(event["UID"]) == f"appointment-{appointment.id}@stem"
    assert str(event["SUMMARY"]) == "Appointment (Stem)"
    assert str(event["DESCRIPTION"]) == "Psychologist"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == appointment.starts_at
    assert start.utcoffset() == timedelta(0)
    assert end - start == timedelta(hours=1)
    assert "DTSTART:" in response.text and re.search(r"DTSTART:\d{8}T\d{6}Z", response.text)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert "LOCATION" not in event and "ATTENDEE" not in event and "ORGANIZER" not in event


def test_all_upcoming_appointments_in_one_file_in_dutch(world, db, client_factory):
    owner = db.get(User, world.users["owner"].id)
    owner.locale = "nl"
    db.commit()
    soon, later = _plan(world, db, hours=24, clinician="physio"), _plan(world, db, hours=24 * 14)
    long_ago = _plan(world, db, hours=-24 * 3)
    _plan(world, db, participant="fellow", clinician="physio")  # someone else's
    browser = _browser(world, db, client_factory)
    page = browser.get("/appointments").text
    assert "Zet alle komende afspraken in mijn kalender" in text_of(page)
    response = browser.get("/appointments/calendar.ics")
    assert response.status_code == 200
    events = _events(response.content)
    assert [str(e["UID"]) for e in events] == [f"appointment-{a.id}@stem" for a in (soon, later)]
    assert str(long_ago.id) not in response.text
    assert {str(e["SUMMARY"]) for e in events} == {"Afspraak (Stem)"}
    assert [str(e["DESCRIPTION"]) for e in events] == ["Fysiotherapeut", "Psycholoog"]


def test_the_same_uid_each_time_so_a_second_import_updates(world, db, client_factory):
    appointment = _plan(world, db)
    browser = _browser(world, db, client_factory)
    first = _events(browser.get(f"/appointments/{appointment.id}/calendar.ics").content)
    again = _events(browser.get("/appointments/calendar.ics").content)
    assert str(first[0]["UID"]) == str(again[0]["UID"])


@pytest.mark.parametrize("bad", ["not-an-id", str(uuid.uuid4()), "1"])
def test_an_unknown_or_malformed_id_is_a_clear_404(world, db, client_factory, bad):
    browser = _browser(world, db, client_factory)
    response = browser.get(f"/appointments/{bad}/calendar.ics")
    assert response.status_code == 404
    assert "This appointment does not exist, or it is not yours." in text_of(response.text)


def test_nobody_else_gets_an_appointment_file(world, db, client_factory):
    appointment = _with_agenda(world, db)
    url = f"/appointments/{appointment.id}/calendar.ics"
    # Another participant: as if it did not exist. Clinicians (its own one too) and admins: not
    # a participant's page. Anonymous: to the sign-in page.
    expected = {"fellow": 404, "psych": 403, "physio": 403, "outsider": 403, "admin": 403}
    for who, status in expected.items():
        response = world.clients[who].get(url, follow_redirects=False)
        assert response.status_code == status, who
        assert "BEGIN:VCALENDAR" not in response.text
        # a participant's own file holds their own appointments only
        assert str(appointment.id) not in world.clients[who].get("/appointments/calendar.ics").text
    anonymous = client_factory().get(url, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")


# --- the private link -----------------------------------------------------------------------------


def test_the_link_is_shown_once_works_without_a_session_and_holds_no_content(world, db, client_factory):
    appointment = _with_agenda(world, db)
    recent = _plan(world, db, hours=-24 * 7)
    forgotten = _plan(world, db, hours=-24 * 60)
    browser = _browser(world, db, client_factory)
    page = browser.get("/appointments").text
    assert "Turn on the calendar link" in text_of(page)
    made = browser.post("/appointments/calendar-link")
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    link = _link_of(made.text)
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    assert f'href="webcal://{link.split("://", 1)[1]}"' in made.text
    # Only the hash is kept, and the page does not show the link again.
    row = db.exec(select(CalendarFeed)).one()
    db.rollback()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    again = browser.get("/appointments").text
    assert token not in again
    assert "Your calendar link is on" in text_of(again)

    feed = client_factory().get(_feed_path(link))  # a calendar app: no cookie, no session
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "no-store" in feed.headers["cache-control"] and "private" in feed.headers["cache-control"]
    assert "set-cookie" not in feed.headers
    _assert_no_content(world, feed.text)
    uids = [str(e["UID"]) for e in _events(feed.content)]
    # recent visits stay a while, older ones leave the feed
    assert uids == [f"appointment-{recent.id}@stem", f"appointment-{appointment.id}@stem"]
    assert str(forgotten.id) not in feed.text


def test_a_cancelled_appointment_leaves_the_feed(world, db, client_factory):
    appointment = _plan(world, db)
    browser = _browser(world, db, client_factory)
    link = _link_of(browser.post("/appointments/calendar-link").text)
    calendar_app = client_factory()
    assert str(appointment.id) in calendar_app.get(_feed_path(link)).text
    assert browser.post(f"/appointments/{appointment.id}/cancel").status_code == 303
    after = calendar_app.get(_feed_path(link))
    assert after.status_code == 200
    assert str(appointment.id) not in after.text
    assert _events(after.content) == []


def test_a_new_link_stops_the_old_one_at_once_and_turning_off_stops_all(world, db, client_factory):
    _plan(world, db)
    browser = _browser(world, db, client_factory)
    calendar_app = client_factory()
    first = _link_of(browser.post("/appointments/calendar-link").text)
    assert calendar_app.get(_feed_path(first)).status_code == 200
    renewed = browser.post("/appointments/calendar-link")
    assert "Your old link no longer works." in text_of(renewed.text)
    second = _link_of(renewed.text)
    assert second != first
    old = calendar_app.get(_feed_path(first))
    assert old.status_code == 404
    assert old.text == "Not found."  # no detail: whether it ever existed is not said
    assert calendar_app.get(_feed_path(second)).status_code == 200
    stopped = browser.post("/appointments/calendar-link/stop")
    assert stopped.status_code == 303
    assert "The calendar link is turned off." in text_of(browser.get(stopped.headers["location"]).text)
    assert calendar_app.get(_feed_path(second)).status_code == 404
    assert db.exec(select(CalendarFeed)).all() == []
    # in the audit chain, without the link: made twice, stopped once
    events = db.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("calendar."))).all()
    assert sorted(e.action for e in events) == [
        "calendar.link_made",
        "calendar.link_made",
        "calendar.link_stopped",
    ]
    assert not any(first.rsplit("/", 1)[1] in repr(e) or second.rsplit("/", 1)[1] in repr(e) for e in events)


def test_unknown_links_answer_404_alike_and_many_tries_are_refused(world, db, client_factory):
    calendar_app = client_factory()
    for token in ("x", "A" * 43, "A" * 500, str(uuid.uuid4())):
        response = calendar_app.get(f"/calendar/{token}.ics")
        assert response.status_code == 404
        assert response.text == "Not found."
    statuses = [calendar_app.get(f"/calendar/guess-{n}.ics").status_code for n in range(40)]
    assert statuses[-1] == 429
    assert 404 in statuses
    refused = calendar_app.get("/calendar/guess-last.ics")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0


def test_a_link_of_a_deactivated_account_stops_working(world, db, client_factory):
    _plan(world, db)
    link = _link_of(_browser(world, db, client_factory).post("/appointments/calendar-link").text)
    db.rollback()
    owner = db.get(User, world.users["owner"].id)
    owner.is_active = False
    db.commit()
    assert client_factory().get(_feed_path(link)).status_code == 404


def test_the_secret_of_the_link_is_not_in_the_logs(world, db, client_factory, caplog):
    _plan(world, db)
    link = _link_of(_browser(world, db, client_factory).post("/appointments/calendar-link").text)
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    with caplog.at_level(logging.INFO):
        assert client_factory().get(_feed_path(link)).status_code == 200
        assert client_factory().get("/calendar/" + "B" * 43 + ".ics").status_code == 404
    # Stem's own lines (the test client's httpx logs the URL it sends, as a calendar app might)
    logged = "\n".join(
        record.getMessage() + repr(record.__dict__)
        for record in caplog.records
        if record.name.startswith("stem")
    )
    assert "/calendar/{token}.ics" in logged  # the lines are there, with the route's template
    assert token not in logged
    assert "B" * 43 not in logged


def test_clinicians_and_admins_cannot_make_a_link(world, db, client_factory):
    for who in ("psych", "admin"):
        response = world.clients[who].post("/appointments/calendar-link", follow_redirects=False)
        assert response.status_code == 403
    assert db.exec(select(CalendarFeed)).all() == []


def test_the_file_survives_an_appointment_at_the_edge_of_time(world, db, client_factory):
    """Display code survives any stored value: far ahead, and at midnight UTC."""
    appointment = db.get(Appointment, _plan(world, db).id)
    appointment.starts_at = datetime(2099, 12, 31, 23, 30, tzinfo=UTC)
    db.commit()
    (event,) = _events(_browser(world, db, client_factory).get("/appointments/calendar.ics").content)
    assert event.decoded("DTEND") == datetime(2100, 1, 1, 0, 30, tzinfo=UTC)


def test_uvicorns_own_access_line_shows_the_template_not_the_secret(app, caplog):
    """In development uvicorn writes its own access line, with the path as sent."""
    import app.observability as observability

    observability.hide_secret_paths()  # (create_app does it; the `app` fixture has made the app)
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, observability.SecretPathFilter) for f in access.filters) == 1
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        path = "/calendar/" + "S3cr3t_-x" * 5 + ".ics"
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
    (record,) = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert record.getMessage() == '127.0.0.1:5000 - "GET /calendar/{token}.ics HTTP/1.1" 200'


def test_the_feed_speaks_the_owners_language_whoever_fetches_it(world, db, client_factory):
    _plan(world, db, clinician="physio")
    link = _link_of(_browser(world, db, client_factory).post("/appointments/calendar-link").text)
    owner = db.get(User, world.users["owner"].id)
    owner.locale = "nl"
    db.commit()
    feed = client_factory().get(_feed_path(link), headers={"Accept-Language": "en"})
    (event,) = _events(feed.content)
    assert (str(event["SUMMARY"]), str(event["DESCRIPTION"])) == ("Afspraak (Stem)", "Fysiotherapeut")


def test_making_or_stopping_a_link_needs_the_forms_csrf_token(world, db, client_factory):
    browser = _browser(world, db, client_factory)
    assert browser.post("/appointments/calendar-link", csrf=False).status_code == 403
    assert db.exec(select(CalendarFeed)).all() == []
    db.rollback()
    assert browser.post("/appointments/calendar-link").status_code == 200
    assert browser.post("/appointments/calendar-link/stop", csrf=False).status_code == 403
    assert len(db.exec(select(CalendarFeed)).all()) == 1
