"""The other kinds of reminder, end to end through the real sender and a push service on 127.0.0.1:
a participant's check-in after an appointment, and a clinician's "a participant sent you something
for tomorrow's appointment". Each goes once at its moment, waits for the quiet hours, can be
switched off, and carries generic words and a path with ids only. The clinician's follows
sharing's one rule up to the moment it is sent: a revoke, a deletion or a share with someone else
means nothing is sent."""

import json
from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from app.maintenance import run_push_sender
from app.models import Appointment, PushOutboxItem, PushSubscription, ReminderSettings, User
from app.models.enums import Role
from app.models.types import utcnow
from tests.factories import login, make_team, make_user
from tests.reminders.fake_push import Browser, PushService, b64

CANARY = "canary-of-the-journal-41c9"
CHECK_IN_WORDS = "How did your appointment go? A short check-in, if you want."
SHARED_WORDS = "A participant sent you something for tomorrow's appointment."
# Amsterdam is UTC+1 in these weeks.
MONDAY_1000_LOCAL = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FRIDAY_1000_LOCAL = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
THURSDAY_1800_LOCAL = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)


def with_device(db, push_service: PushService, user: User, name: str) -> Browser:  # type: ignore[no-untyped-def]
    browser = Browser.new()
    db.add(
        PushSubscription(
            user_id=user.id, endpoint=push_service.url(name), p256dh=browser.p256dh, auth=b64(browser.auth)
        )
    )
    db.commit()
    return browser


def settings(db, user: User, **changes: object) -> None:  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "appointment_tomorrow": True,
        "appointment_checkin": True,
        "shared_for_appointment": True,
        "appointment_tomorrow_at": time(18, 0),
        "quiet_from": time(21, 0),
        "quiet_until": time(8, 0),
    }
    db.add(ReminderSettings(user_id=user.id, **(values | changes)))
    db.commit()


def appointment(db, participant: User, clinician: User, starts_at: datetime) -> Appointment:  # type: ignore[no-untyped-def]
    made = Appointment(participant_id=participant.id, clinician_id=clinician.id, starts_at=starts_at)
    db.add(made)
    db.commit()
    return made


def outbox(db) -> list[PushOutboxItem]:  # type: ignore[no-untyped-def]
    db.commit()
    db.expire_all()
    return list(db.exec(select(PushOutboxItem)).all())


def assert_no_private_words(payload: dict[str, object], *people: User) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    assert CANARY not in text
    for person in people:
        assert person.display_name not in text and person.username not in text


# --- the participant's check-in --------------------------------------------------------------


def test_the_check_in_reminder_goes_once_an_hour_after_the_start(db, client, push_service):  # type: ignore[no-untyped-def]
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team)
    browser = with_device(db, push_service, participant, "anna")
    made = appointment(db, participant, clinician, MONDAY_1000_LOCAL)
    login(client, participant)
    written = client.post(
        "/api/v1/entries",
        json={"kind": "thought", "body": f"{CANARY} about it", "appointment_id": str(made.id)},
    )
    assert written.status_code == 201, written.text

    early = run_push_sender(now=MONDAY_1000_LOCAL + timedelta(minutes=59))
    assert early["enqueued"] == 1 and early["sent"] == 0
    assert push_service.received == []
    on_time = run_push_sender(now=MONDAY_1000_LOCAL + timedelta(hours=1))
    assert on_time["sent"] == 1
    [request] = push_service.to("anna")
    assert CANARY.encode() not in request["body"]  # type: ignore[operator]
    payload = browser.decrypt(request["body"])  # type: ignore[arg-type]
    assert payload == {
        "title": "Stem",
        "body": CHECK_IN_WORDS,
        "url": f"/check-ins/new?appointment={made.id}",
        "kind": "appointment_checkin",
    }
    assert_no_private_words(payload, participant, clinician)

    later = run_push_sender(now=MONDAY_1000_LOCAL + timedelta(hours=2))
    assert later["enqueued"] == 0 and later["sent"] == 0
    assert len(push_service.received) == 1
    [item] = outbox(db)
    assert (item.kind, item.status, item.attempts) == ("appointment_checkin", "sent", 1)
    assert item.expires_at == MONDAY_1000_LOCAL + timedelta(days=3)


def test_the_check_in_reminder_is_in_dutch_for_a_dutch_reader(db, push_service):  # type: ignore[no-untyped-def]
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team, locale="nl")
    clinician = make_user(db, Role.clinician, team=team)
    browser = with_device(db, push_service, participant, "nl")
    appointment(db, participant, clinician, MONDAY_1000_LOCAL)
    assert run_push_sender(now=MONDAY_1000_LOCAL + timedelta(hours=1))["sent"] == 1
    payload = browser.decrypt(push_service.to("nl")[0]["body"])  # type: ignore[arg-type]
    assert payload["body"] == "Hoe ging je afspraak? Een korte terugblik, als je wilt."


def test_the_check_in_reminder_waits_for_the_end_of_the_quiet_hours(db, push_service):  # type: ignore[no-untyped-def]
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team)
    with_device(db, push_service, participant, "evening")
    evening = datetime(2026, 11, 30, 19, 30, tzinfo=UTC)  # 20:30 local: over at 21:30, quiet
    appointment(db, participant, clinician, evening)
    assert run_push_sender(now=evening + timedelta(hours=1))["sent"] == 0
    [item] = outbox(db)
    assert item.due_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 08:00 local the next day
    assert run_push_sender(now=datetime(2026, 12, 1, 6, 59, tzinfo=UTC))["sent"] == 0
    assert push_service.received == []
    assert run_push_sender(now=datetime(2026, 12, 1, 7, 0, tzinfo=UTC))["sent"] == 1


def test_no_check_in_reminder_when_switched_off_given_already_or_too_late(db, client, push_service):  # type: ignore[no-untyped-def]
    team = make_team(db)
    clinician = make_user(db, Role.clinician, team=team)
    switched_off = make_user(db, Role.participant, team=team)
    with_device(db, push_service, switched_off, "off")
    settings(db, switched_off, appointment_checkin=False)
    appointment(db, switched_off, clinician, MONDAY_1000_LOCAL)
    # Checked in between the enqueue and the send: dropped.
    quick = make_user(db, Role.participant, team=team)
    with_device(db, push_service, quick, "quick")
    quick_one = appointment(db, quick, clinician, MONDAY_1000_LOCAL)
    assert run_push_sender(now=MONDAY_1000_LOCAL + timedelta(minutes=30)) == {"enqueued": 1, "sent": 0}
    login(client, quick)
    given = client.post("/api/v1/me/check-ins", json={"appointment_id": str(quick_one.id), "heard": 7})
    assert given.status_code == 201, given.text
    assert run_push_sender(now=MONDAY_1000_LOCAL + timedelta(hours=1))["sent"] == 0
    assert [item.status for item in outbox(db)] == ["dropped"]
    # Reminders turned on more than three days after the appointment: none for it.
    late = make_user(db, Role.participant, team=team)
    appointment(db, late, clinician, MONDAY_1000_LOCAL)
    with_device(db, push_service, late, "late")
    assert run_push_sender(now=MONDAY_1000_LOCAL + timedelta(days=3, minutes=1))["enqueued"] == 0
    assert push_service.received == []


def test_no_check_in_reminder_about_a_clinician_who_left(db, push_service):  # type: ignore[no-untyped-def]
    """The home page offers no check-in about an inactive clinician: no reminder either, also
    when they left between the enqueue and the send."""
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team)
    gone = make_user(db, Role.clinician, team=team, is_active=False)
    leaving = make_user(db, Role.clinician, team=team)
    with_device(db, push_service, participant, "left")
    appointment(db, participant, gone, MONDAY_1000_LOCAL)
    appointment(db, participant, leaving, MONDAY_1000_LOCAL + timedelta(minutes=5))
    assert run_push_sender(now=MONDAY_1000_LOCAL + timedelta(minutes=30))["enqueued"] == 1
    leaving_row = db.get(User, leaving.id)
    leaving_row.is_active = False
    db.commit()
    assert run_push_sender(now=MONDAY_1000_LOCAL + timedelta(hours=2))["sent"] == 0
    assert push_service.received == []


def test_the_check_in_reminder_opens_the_check_in_form(db, client, push_service):  # type: ignore[no-untyped-def]
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team)
    browser = with_device(db, push_service, participant, "form")
    starts_at = utcnow().replace(second=0, microsecond=0) - timedelta(days=1)
    appointment(db, participant, clinician, starts_at)
    run_push_sender(now=starts_at + timedelta(hours=1))
    [item] = outbox(db)
    run_push_sender(now=item.due_at)  # later, if that hour fell in the quiet hours
    assert len(push_service.to("form")) == 1
    url = str(browser.decrypt(push_service.to("form")[0]["body"])["url"])  # type: ignore[arg-type]
    login(client, participant)
    form = client.get(url)
    assert form.status_code == 200 and 'action="/check-ins"' in form.text


# --- the clinician's "sent you something" ----------------------------------------------------


def clinic(db, push_service: PushService, *, locale: str = "en"):  # type: ignore[no-untyped-def]
    """A team: a participant, the clinician of the appointment (with a device), a colleague in
    the same team (with a device too), and Friday's appointment."""
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team, locale=locale)
    colleague = make_user(db, Role.clinician, team=team)
    browser = with_device(db, push_service, clinician, "clinician")
    with_device(db, push_service, colleague, "colleague")
    made = appointment(db, participant, clinician, FRIDAY_1000_LOCAL)
    return participant, clinician, colleague, browser, made


def write(client, appointment: Appointment | None = None) -> str:  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"kind": "question", "body": f"{CANARY} for Friday"}
    if appointment is not None:
        body["appointment_id"] = str(appointment.id)
    written = client.post("/api/v1/entries", json=body)
    assert written.status_code == 201, written.text
    return str(written.json()["id"])


def share(client, entry_id: str, **audience: object) -> str:  # type: ignore[no-untyped-def]
    shared = client.post(f"/api/v1/entries/{entry_id}/shares", json=audience)
    assert shared.status_code == 201, shared.text
    return str(shared.json()[0]["id"])


def test_the_clinician_hears_once_the_day_before_and_the_colleague_never(db, client, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, colleague, browser, made = clinic(db, push_service)
    login(client, participant)
    share(client, write(client, made), audience="team")  # the colleague may read it too

    early = run_push_sender(now=THURSDAY_1800_LOCAL - timedelta(minutes=1))
    assert early == {"enqueued": 1, "sent": 0}
    on_time = run_push_sender(now=THURSDAY_1800_LOCAL)
    assert on_time["sent"] == 1
    assert push_service.to("colleague") == []
    [request] = push_service.to("clinician")
    assert CANARY.encode() not in request["body"]  # type: ignore[operator]
    payload = browser.decrypt(request["body"])  # type: ignore[arg-type]
    assert payload == {
        "title": "Stem",
        "body": SHARED_WORDS,
        "url": f"/clinician/participants/{participant.id}",
        "kind": "shared_for_appointment",
    }
    assert_no_private_words(payload, participant, clinician, colleague)

    assert run_push_sender(now=THURSDAY_1800_LOCAL + timedelta(hours=1)) == {"enqueued": 0, "sent": 0}
    assert len(push_service.received) == 1
    [item] = outbox(db)
    assert (item.user_id, item.status) == (clinician.id, "sent")
    # The page it opens is the clinician's preparation for this participant.
    login(client, clinician)
    assert client.get(str(payload["url"])).status_code == 200


def test_an_entry_on_the_agenda_counts_and_the_words_are_dutch_for_a_dutch_reader(db, client, push_service):  # type: ignore[no-untyped-def]
    participant, _clinician, _colleague, browser, made = clinic(db, push_service, locale="nl")
    login(client, participant)
    entry_id = write(client)  # about no appointment, but put on its agenda
    share(client, entry_id, clinician_ids=[str(made.clinician_id)])
    agenda = client.put(f"/api/v1/appointments/{made.id}/agenda", json={"entry_ids": [entry_id]})
    assert agenda.status_code == 200, agenda.text
    assert run_push_sender(now=THURSDAY_1800_LOCAL)["sent"] == 1
    payload = browser.decrypt(push_service.to("clinician")[0]["body"])  # type: ignore[arg-type]
    assert payload["body"] == "Een deelnemer heeft je iets gestuurd voor de afspraak van morgen."


def test_a_revoke_or_a_deletion_before_the_send_means_nothing_is_sent(db, client_factory, push_service):  # type: ignore[no-untyped-def]
    revoking, _c1, _k1, _b1, made = clinic(db, push_service)
    phone = client_factory()
    login(phone, revoking)
    revoked_entry = write(phone, made)
    share_id = share(phone, revoked_entry, clinician_ids=[str(made.clinician_id)])

    other_team = make_team(db)
    deleting = make_user(db, Role.participant, team=other_team)
    other_clinician = make_user(db, Role.clinician, team=other_team)
    with_device(db, push_service, other_clinician, "other")
    other_made = appointment(db, deleting, other_clinician, FRIDAY_1000_LOCAL)
    other_phone = client_factory()
    login(other_phone, deleting)
    deleted_entry = write(other_phone, other_made)
    share(other_phone, deleted_entry, audience="team")

    assert run_push_sender(now=THURSDAY_1800_LOCAL - timedelta(minutes=5))["enqueued"] == 2
    revoked = phone.delete(f"/api/v1/entries/{revoked_entry}/shares/{share_id}")
    assert revoked.status_code == 200, revoked.text
    assert other_phone.delete(f"/api/v1/entries/{deleted_entry}").status_code in (200, 204)
    assert run_push_sender(now=THURSDAY_1800_LOCAL) == {"enqueued": 0, "sent": 0}
    assert push_service.received == []
    assert sorted(item.status for item in outbox(db)) == ["dropped", "dropped"]


def test_nothing_for_a_clinician_who_cannot_see_anything_for_the_appointment(db, client, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, colleague, _browser, made = clinic(db, push_service)
    login(client, participant)
    write(client, made)  # private: shared with nobody
    share(client, write(client, made), clinician_ids=[str(colleague.id)])  # the colleague only
    share(client, write(client), clinician_ids=[str(clinician.id)])  # shared, but about no appointment
    assert run_push_sender(now=THURSDAY_1800_LOCAL) == {"enqueued": 0, "sent": 0}
    assert push_service.received == []
    assert outbox(db) == []


def test_the_clinicians_reminder_waits_for_the_quiet_hours_and_can_be_switched_off(db, client, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, colleague, _browser, made = clinic(db, push_service)
    settings(db, clinician, appointment_tomorrow_at=time(7, 0))  # in the quiet hours (until 08:00)
    settings(db, colleague, shared_for_appointment=False)
    colleagues_own = appointment(db, participant, colleague, FRIDAY_1000_LOCAL + timedelta(hours=2))
    login(client, participant)
    share(client, write(client, made), audience="team")
    share(client, write(client, colleagues_own), audience="team")
    thursday_0700_local = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert run_push_sender(now=thursday_0700_local)["sent"] == 0
    assert run_push_sender(now=thursday_0700_local + timedelta(minutes=59))["sent"] == 0
    assert push_service.received == []
    assert run_push_sender(now=thursday_0700_local + timedelta(hours=1))["sent"] == 1
    assert len(push_service.to("clinician")) == 1
    assert run_push_sender(now=THURSDAY_1800_LOCAL)["sent"] == 0
    assert push_service.to("colleague") == []  # switched off
    assert [item.user_id for item in outbox(db)] == [clinician.id]


def test_something_shared_in_the_quiet_evening_is_not_pushed_on_the_day_itself(db, client, push_service):  # type: ignore[no-untyped-def]
    """'Tomorrow' would be wrong on Friday morning: shared at 22:00 on Thursday, nothing is sent."""
    participant, _clinician, _colleague, _browser, made = clinic(db, push_service)
    login(client, participant)
    share(client, write(client, made), audience="team")
    thursday_2200_local = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)
    assert run_push_sender(now=thursday_2200_local) == {"enqueued": 0, "sent": 0}
    assert run_push_sender(now=datetime(2026, 12, 4, 7, 0, tzinfo=UTC)) == {"enqueued": 0, "sent": 0}
    assert push_service.received == []
