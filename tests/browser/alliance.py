"""The owner's goal and the physiotherapist's tasks of issue 14, made through the API, for the
pages that show them (screenshots, accessibility, text at 200%)."""

from datetime import date, timedelta
from typing import Any

from app.models.types import utcnow


def _ok(response: Any) -> Any:
    """The answer's JSON, after checking that the API did what was asked."""
    assert response.status_code in {200, 201}, response.text
    return response.json()


def goal_with_history(world: Any) -> str:
    """A goal written weeks ago, rated now and then, reworded once, shared with the team."""
    owner = world.clients["owner"]
    now = utcnow()
    goal = _ok(
        owner.post(
            "/api/v1/entries",
            json={
                "kind": "goal",
                "body": "Walk my daughter to school.",
                "written_at": (now - timedelta(days=40)).isoformat(),
            },
        )
    )
    for days_ago, value in [(38, 2), (30, 3), (23, 3), (15, 5), (8, 4), (2, 6)]:
        rated = owner.post(
            f"/api/v1/me/goals/{goal['id']}/ratings",
            json={"value": value, "rated_at": (now - timedelta(days=days_ago)).isoformat()},
        )
        assert rated.status_code == 201, rated.text
    reworded = owner.patch(
        f"/api/v1/entries/{goal['id']}",
        json={"body": "Walk my daughter to school, with one rest on the bench by the bakery.", "version": 1},
    )
    assert reworded.status_code == 200, reworded.text
    _ok(owner.post(f"/api/v1/entries/{goal['id']}/shares", json={"audience": "team"}))
    return str(goal["id"])


def tasks_from_physio(world: Any, goal_id: str) -> str:
    """Three tasks from the physiotherapist: one the owner doubts, tried twice and partly sent;
    one that fits; one not answered yet. Returns the first."""
    owner, physio = world.clients["owner"], world.clients["physio"]
    url = f"/api/v1/clinician/participants/{world.users['owner'].id}/tasks"
    until = (date.today() + timedelta(days=28)).isoformat()
    doubted = _ok(
        physio.post(
            url,
            json={
                "body": "Walk to the corner and back after lunch, at your own pace. Stop when the pain goes above 6.",
                "how_often": "Every day",
                "until": until,
                "goal_id": goal_id,
            },
        )
    )
    fits = _ok(
        physio.post(url, json={"body": "Stretch your calves before you get up.", "how_often": "Mornings"})
    )
    _ok(physio.post(url, json={"body": "Write down what you did on a good day.", "until": until}))
    task = f"/api/v1/me/tasks/{doubted['id']}"
    _ok(
        owner.put(
            f"{task}/answer",
            json={
                "answer": "doubts",
                "note": "My knee hurts on the stairs at the corner. Could I walk in the park instead?",
            },
        )
    )
    _ok(owner.post(f"{task}/tries", json={"outcome": "partly", "note": "Two streets, then I went home."}))
    _ok(owner.post(f"{task}/send"))
    _ok(owner.post(f"{task}/tries", json={"outcome": "too_painful", "note": "The stairs again."}))
    _ok(owner.put(f"/api/v1/me/tasks/{fits['id']}/answer", json={"answer": "fits"}))
    _ok(owner.post(f"/api/v1/me/tasks/{fits['id']}/tries", json={"outcome": "did_it"}))
    _ok(owner.post(f"/api/v1/me/tasks/{fits['id']}/send"))
    return str(doubted["id"])


def check_ins_with_drop(world: Any, db: Any) -> tuple[str, str]:
    """Three check-ins about the physiotherapist, all sent: two at the owner's usual level, then
    one that falls clearly below it (with a note); and yesterday's appointment, not answered yet.
    Returns the low check-in and the appointment whose check-in is offered."""
    from app.models import Appointment

    owner, physio = world.users["owner"], world.users["physio"]

    def appointment(days_ago: float) -> str:
        made = Appointment(
            participant_id=owner.id, clinician_id=physio.id, starts_at=utcnow() - timedelta(days=days_ago)
        )
        db.add(made)
        db.commit()
        return str(made.id)

    answers = [
        (23, {"heard": 8, "goals": 7, "approach": 7, "voice": 6}),
        (16, {"heard": 8, "goals": 8, "approach": 7, "voice": 7}),
        (5, {"heard": 5, "goals": 7, "approach": 4, "voice": 7, "note": "Rushed; no time for my questions."}),
    ]
    made: dict[str, Any] = {}
    for days_ago, values in answers:
        made = _ok(
            world.clients["owner"].post(
                "/api/v1/me/check-ins", json={"appointment_id": appointment(days_ago), **values}
            )
        )
        _ok(world.clients["owner"].post(f"/api/v1/me/check-ins/{made['id']}/send"))
    return str(made["id"]), appointment(1)
