"""An appointment's agenda shows only its own participant's entries, even to a clinician who may
see another participant's entry (a row written before set_agenda checked ownership)."""

import uuid

from app.models import AgendaItem
from tests.sharing.conftest import in_future


def test_a_clinician_never_sees_another_participants_entry_on_an_agenda(world, db):
    fellow, physio = world.clients["fellow"], world.clients["physio"]
    created = fellow.post(
        "/api/v1/appointments",
        json={"clinician_id": str(world.users["physio"].id), "starts_at": in_future()},
    )
    assert created.status_code == 201, created.text
    appointment_id = uuid.UUID(created.json()["id"])
    # The owner's team-shared entry, which the physio may read, on the fellow's appointment.
    db.add(AgendaItem(appointment_id=appointment_id, entry_id=uuid.UUID(world.entry_id("team")), position=1))
    db.commit()

    listed = physio.get("/api/v1/appointments")
    assert listed.status_code == 200
    (appointment,) = [a for a in listed.json() if a["id"] == str(appointment_id)]
    assert appointment["agenda"] == []
    one = physio.get(f"/api/v1/appointments/{appointment_id}")
    assert one.status_code == 200
    assert one.json()["agenda"] == []
    # The owner's own preparation is untouched by this: the entry is still there for the physio.
    prep = physio.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries")
    assert world.entry_id("team") in prep.text
