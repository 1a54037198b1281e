"""Pages of the care-team assisted reset (issue 17, item 3): a clinician starts it from the
preparation page, a second person approves it on its own page, the starter then makes the code
(shown once); the participant is told on their home page and can stop one under way.

Thin: every rule is in `accounts.resets`; a refusal is that service's error, shown on the error
page in the person's language."""

import uuid

from fastapi import APIRouter
from starlette.responses import Response

from app.accounts import resets
from app.models.enums import Role
from app.web.forms import id_or_404, redirect
from app.web.rendering import page
from app.web.visits import AnyVisit, ClinicianVisit, ParticipantVisit, StaffVisit

router = APIRouter(include_in_schema=False)


def _reset_id(value: str) -> uuid.UUID:
    return id_or_404(value, resets.RESET_NOT_FOUND)


@router.post("/clinician/participants/{participant_id}/account-reset")
def start(participant_id: str, visit: ClinicianVisit) -> Response:
    the_participant = id_or_404(participant_id, resets.PARTICIPANT_NOT_FOUND)
    started = resets.start(visit.session, actor=visit.user, participant_id=the_participant)
    return redirect(f"/account-resets/{started.id}?done=reset_started")


@router.get("/account-resets/{reset_id}")
def reset_page(reset_id: str, visit: StaffVisit) -> Response:
    reset = resets.read(visit.session, actor=visit.user, reset_id=_reset_id(reset_id))
    return page(visit.request, "accounts/reset.html", {"reset": reset})


@router.post("/account-resets/{reset_id}/approve")
def approve(reset_id: str, visit: StaffVisit) -> Response:
    approved = resets.approve(visit.session, actor=visit.user, reset_id=_reset_id(reset_id))
    return redirect(f"/account-resets/{approved.id}?done=reset_approved")


@router.post("/account-resets/{reset_id}/code")
def make_code(reset_id: str, visit: ClinicianVisit) -> Response:
    """The code on a page of its own, shown this once and never cached."""
    the_id = _reset_id(reset_id)
    issued = resets.make_code(visit.session, actor=visit.user, reset_id=the_id)
    reset = resets.read(visit.session, actor=visit.user, reset_id=the_id)
    response = page(visit.request, "accounts/reset_code.html", {"reset": reset, "issued": issued})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account-resets/{reset_id}/cancel")
def cancel(reset_id: str, visit: AnyVisit) -> Response:
    stopped = resets.cancel(visit.session, actor=visit.user, reset_id=_reset_id(reset_id))
    if visit.user.role == Role.participant:
        return redirect("/?done=reset_stopped")
    return redirect(f"/account-resets/{stopped.id}?done=reset_stopped")


@router.post("/account-resets/{reset_id}/read")
def read_notice(reset_id: str, visit: ParticipantVisit) -> Response:
    resets.mark_read(visit.session, actor=visit.user, reset_id=_reset_id(reset_id))
    return redirect("/")
