"""The sender of reminders, end to end: a real push service on 127.0.0.1 (a tiny HTTP server in a
thread) gets the encrypted request, which the test decrypts with the fake browser's own keys."""

import base64
import json
import os
import stat
import subprocess
import sys
import threading
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlmodel import select

from app.maintenance import run_push_sender
from app.models import Appointment, PushOutboxItem, PushSubscription, ReminderSettings
from app.models.enums import Role
from app.reminders import service
from tests.factories import login, make_team, make_user
from tests.reminders.fake_push import Browser, b64

# 2026-12-03 in Amsterdam (UTC+1): the reminder of an appointment on the 4th is due at 18:00
# local, 17:00 UTC.
TODAY_1700_UTC = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
TOMORROW_1000_LOCAL = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SECRET_WORDS = "canary-of-the-journal-7f3a"


def participant_with_device(db, push_service, name: str, **user_fields):  # type: ignore[no-untyped-def]
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team, **user_fields)
    clinician = make_user(db, Role.clinician, team=team)
    browser = Browser.new()
    db.add(
        PushSubscription(
            user_id=participant.id,
            endpoint=push_service.url(name),
            p256dh=browser.p256dh,
            auth=b64(browser.auth),
        )
    )
    db.commit()
    return participant, clinician, browser


def appointment(db, participant, clinician, starts_at: datetime) -> Appointment:  # type: ignore[no-untyped-def]
    made = Appointment(participant_id=participant.id, clinician_id=clinician.id, starts_at=starts_at)
    db.add(made)
    db.commit()
    return made


def outbox(db) -> list[PushOutboxItem]:  # type: ignore[no-untyped-def]
    db.commit()  # a new snapshot: the senders wrote in sessions of their own
    db.expire_all()
    return list(db.exec(select(PushOutboxItem)).all())


def test_the_reminder_goes_once_at_the_chosen_local_time_and_holds_no_journal_text(db, client, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, browser = participant_with_device(db, push_service, "anna")
    login(client, participant)
    written = client.post("/api/v1/entries", json={"kind": "thought", "body": f"{SECRET_WORDS} my words"})
    assert written.status_code == 201, written.text
    appointment(db, participant, clinician, TOMORROW_1000_LOCAL)

    early = run_push_sender(now=TODAY_1700_UTC - timedelta(minutes=1))
    assert early["enqueued"] == 1 and early["sent"] == 0
    assert push_service.received == []

    on_time = run_push_sender(now=TODAY_1700_UTC)
    assert on_time["sent"] == 1
    [request] = push_service.to("anna")
    headers = {name.lower(): value for name, value in request["headers"].items()}  # type: ignore[attr-defined]
    assert headers["content-encoding"] == "aes128gcm"
    assert str(headers["authorization"]).startswith("vapid t=")
    assert int(headers["ttl"]) > 0
    body = request["body"]
    assert isinstance(body, bytes)
    assert SECRET_WORDS.encode() not in body
    payload = browser.decrypt(body)
    assert payload == {
        "title": "Stem",
        "body": "Your appointment is tomorrow. Anything you want to put on the agenda?",
        "url": "/appointments",
        "kind": "appointment_tomorrow",
    }
    text = json.dumps(payload)
    assert SECRET_WORDS not in text and participant.display_name not in text
    assert clinician.display_name not in text

    again = run_push_sender(now=TODAY_1700_UTC + timedelta(minutes=5))
    assert again["enqueued"] == 0 and again["sent"] == 0
    assert len(push_service.received) == 1
    [item] = outbox(db)
    assert item.status == "sent" and item.attempts == 1 and item.sent_at == TODAY_1700_UTC


def test_the_words_are_in_the_persons_language(db, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, browser = participant_with_device(db, push_service, "nl", locale="nl")
    appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    assert run_push_sender(now=TODAY_1700_UTC)["sent"] == 1
    payload = browser.decrypt(push_service.to("nl")[0]["body"])  # type: ignore[arg-type]
    assert payload["body"] == "Je afspraak is morgen. Wil je iets op de agenda zetten?"


def test_a_chosen_time_in_the_quiet_hours_waits_for_their_end(db, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, _ = participant_with_device(db, push_service, "early")
    db.add(
        ReminderSettings(
            user_id=participant.id,
            appointment_tomorrow=True,
            appointment_tomorrow_at=time(7, 30),
            quiet_from=time(21, 0),
            quiet_until=time(8, 0),
        )
    )
    db.commit()
    appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    # 07:30 local on the 3rd is 06:30 UTC: in the quiet hours, so at 08:00 local (07:00 UTC)
    assert run_push_sender(now=datetime(2026, 12, 3, 6, 45, tzinfo=UTC))["sent"] == 0
    assert push_service.received == []
    assert run_push_sender(now=datetime(2026, 12, 3, 7, 0, tzinfo=UTC))["sent"] == 1


def test_an_appointment_made_in_the_quiet_hours_is_reminded_after_them_or_not_at_all(db, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, _ = participant_with_device(db, push_service, "late")
    # Made at 22:00 local on the 3rd; one at 09:00 on the 4th, one at 07:30 on the 4th.
    late_evening = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)
    nine = appointment(db, participant, clinician, datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    appointment(db, participant, clinician, datetime(2026, 12, 4, 6, 30, tzinfo=UTC))
    counts = run_push_sender(now=late_evening)
    assert counts["sent"] == 0
    [item] = outbox(db)  # the 07:30 one: the quiet hours end after it starts
    assert item.appointment_id == nine.id
    assert item.due_at == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # 08:00 local
    assert run_push_sender(now=datetime(2026, 12, 4, 6, 59, tzinfo=UTC))["sent"] == 0
    assert run_push_sender(now=datetime(2026, 12, 4, 7, 0, tzinfo=UTC))["sent"] == 1


def test_nothing_before_opting_in_and_nothing_when_switched_off(db, push_service):  # type: ignore[no-untyped-def]
    team = make_team(db)
    no_device = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team)
    appointment(db, no_device, clinician, TOMORROW_1000_LOCAL)
    switched_off, clinician2, _ = participant_with_device(db, push_service, "off")
    db.add(
        ReminderSettings(
            user_id=switched_off.id,
            appointment_tomorrow=False,
            appointment_tomorrow_at=time(18, 0),
            quiet_from=time(21, 0),
            quiet_until=time(8, 0),
        )
    )
    db.commit()
    appointment(db, switched_off, clinician2, TOMORROW_1000_LOCAL)
    assert run_push_sender(now=TODAY_1700_UTC) == {"enqueued": 0, "sent": 0}
    assert outbox(db) == []


def test_at_most_three_pushes_a_day(db, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, _ = participant_with_device(db, push_service, "busy")
    for hour in (9, 10, 11, 12):
        appointment(db, participant, clinician, datetime(2026, 12, 4, hour, 0, tzinfo=UTC))
    counts = run_push_sender(now=TODAY_1700_UTC)
    assert counts["enqueued"] == 4 and counts["sent"] == 3
    assert len(push_service.received) == 3
    statuses = sorted(item.status for item in outbox(db))
    assert statuses == ["dropped", "sent", "sent", "sent"]  # the next day is too late for the 4th


def test_a_gone_subscription_is_removed(db, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, _ = participant_with_device(db, push_service, "gone")
    push_service.answers["/push/gone"] = 410
    appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    counts = run_push_sender(now=TODAY_1700_UTC)
    assert counts["devices_removed"] == 1 and counts["sent"] == 0
    db.commit()
    assert db.exec(select(PushSubscription)).all() == []
    [item] = outbox(db)
    assert item.status == "dropped"


def test_failures_are_retried_with_backoff_then_given_up(db, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, _ = participant_with_device(db, push_service, "flaky")
    push_service.answers["/push/flaky"] = 503
    appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    now = TODAY_1700_UTC
    assert run_push_sender(now=now)["retried"] == 1
    [item] = outbox(db)
    assert item.status == "pending" and item.attempts == 1 and item.last_error == "503", item
    assert item.lease_until is None, item
    assert item.due_at == now + timedelta(minutes=2)
    assert run_push_sender(now=now + timedelta(minutes=1))["sent"] == 0  # not yet due
    waits = [2, 4, 8, 16]
    for attempt, wait in enumerate(waits, start=2):
        now = outbox(db)[0].due_at
        counts = run_push_sender(now=now)
        item = outbox(db)[0]
        assert item.attempts == attempt, (counts, now, item)
        if attempt < service.MAX_ATTEMPTS:
            assert item.due_at == now + timedelta(minutes=wait * 2)
    assert counts["failed"] == 1 and outbox(db)[0].status == "failed"
    assert len(push_service.to("flaky")) == service.MAX_ATTEMPTS
    assert run_push_sender(now=now + timedelta(hours=1))["sent"] == 0
    # a push service that answers again: the next reminder goes
    push_service.answers.clear()


def test_two_senders_at_once_send_each_reminder_once(db, push_service):  # type: ignore[no-untyped-def]
    """Two processes' senders (threads with their own sessions and connections) at the same
    moment: each item is claimed by one of them, and each device gets one push."""
    names = [f"p{number}" for number in range(6)]
    for name in names:
        participant, clinician, _ = participant_with_device(db, push_service, name)
        appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    push_service.delay = 0.2  # the first sender is still sending while the second looks
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            start.wait()
            results.append(run_push_sender(now=TODAY_1700_UTC))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(result["sent"] for result in results) == len(names)
    assert sorted(str(each["path"]) for each in push_service.received) == sorted(f"/push/{n}" for n in names)
    assert all(item.status == "sent" and item.attempts == 1 for item in outbox(db))
    # and again, later: nothing more
    assert run_push_sender(now=TODAY_1700_UTC + timedelta(minutes=10))["sent"] == 0
    assert len(push_service.received) == len(names)


# One sender in a process of its own: it imports the app and opens a connection, makes its ready
# file, waits for the go file, runs once at the given moment and prints what it did as JSON.
SENDER_PROCESS = """
import json, sys, time
from datetime import datetime
from pathlib import Path

from app.db import get_engine
from app.maintenance import run_push_sender
from app.reminders import vapid

now, ready, go = datetime.fromisoformat(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
with get_engine().connect():
    pass
vapid.signing_key()
ready.touch()
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no go file within 60 s")
    time.sleep(0.001)
print(json.dumps(run_push_sender(now=now)), flush=True)
"""


def test_two_sender_processes_at_once_send_each_reminder_once(db, push_service, tmp_path):  # type: ignore[no-untyped-def]
    """The issue's "exactly once with two sender processes": two OS processes, each with its own
    engine and connections, run the sender at the same moment against the same database and
    the same push service; each device gets one push. On PostgreSQL the row locks and the lease
    decide; on SQLite the write lock across processes and the lease (it runs on both)."""
    from app.config import get_settings
    from app.db import get_engine
    from app.reminders import vapid

    names = [f"q{number}" for number in range(6)]
    for name in names:
        participant, clinician, _ = participant_with_device(db, push_service, name)
        appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    push_service.delay = 0.3  # the first sender is still sending while the second looks
    vapid.signing_key()  # the key exists before the children start: both read this one
    settings = get_settings()
    environment = {
        **os.environ,
        "STEM_DATABASE_URL": get_engine().url.render_as_string(hide_password=False),
        "STEM_DATA_DIR": str(settings.data_dir),
    }
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{number}" for number in range(2)]
    root = Path(__file__).resolve().parents[2]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", SENDER_PROCESS, TODAY_1700_UTC.isoformat(), str(file), str(go)],
            cwd=root,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for file in ready
    ]
    try:
        deadline = clock.monotonic() + 60
        while not all(file.exists() for file in ready):  # both imported and connected
            if clock.monotonic() > deadline or any(child.poll() is not None for child in children):
                break
            clock.sleep(0.01)
        go.touch()  # the same moment for both
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert [child.returncode for child in children] == [0, 0], outputs
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(result["sent"] for result in results) == len(names), results
    assert sorted(str(each["path"]) for each in push_service.received) == sorted(f"/push/{n}" for n in names)
    items = outbox(db)
    assert len(items) == len(names)
    assert all(item.status == "sent" and item.attempts == 1 for item in items), items
    # and again, later: nothing more
    assert run_push_sender(now=TODAY_1700_UTC + timedelta(minutes=10))["sent"] == 0
    assert len(push_service.received) == len(names)


def test_the_vapid_key_is_generated_into_the_data_directory_for_its_owner_only():  # type: ignore[no-untyped-def]
    from app.config import get_settings
    from app.reminders import vapid

    key = base64.urlsafe_b64decode(vapid.application_server_key() + "==")
    assert len(key) == 65 and key[0] == 4
    path = get_settings().data_dir / vapid.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_sender_that_died_holding_an_item_lets_it_go_when_its_lease_ends(db, push_service):  # type: ignore[no-untyped-def]
    """At most once while the lease holds; after it (the sender died between claim and send), the
    item goes after all."""
    from app.db import open_session

    participant, clinician, _ = participant_with_device(db, push_service, "lease")
    appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    with open_session(write=True) as session:
        service.enqueue_due(session, now=TODAY_1700_UTC)
        assert len(service.claim_due(session, now=TODAY_1700_UTC)) == 1
        session.commit()  # claimed, never sent: this sender is gone
    assert run_push_sender(now=TODAY_1700_UTC + timedelta(minutes=1))["sent"] == 0
    assert push_service.received == []
    assert run_push_sender(now=TODAY_1700_UTC + service.LEASE + timedelta(seconds=1))["sent"] == 1
    assert len(push_service.to("lease")) == 1


def test_a_cancelled_appointment_is_not_reminded(db, push_service):  # type: ignore[no-untyped-def]
    participant, clinician, _ = participant_with_device(db, push_service, "cancelled")
    made = appointment(db, participant, clinician, TOMORROW_1000_LOCAL)
    assert run_push_sender(now=TODAY_1700_UTC - timedelta(hours=1))["enqueued"] == 1
    db.delete(db.get(Appointment, made.id))
    db.commit()
    assert outbox(db) == []  # the item went with it
    assert run_push_sender(now=TODAY_1700_UTC)["sent"] == 0
    assert push_service.received == []
