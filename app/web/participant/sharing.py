"""The participant's sharing: share and take back on the entry page, give one's view on an outcome,
share several entries for an appointment, what the team said, and who viewed what I shared.

Thin like the JSON API and built on the same services (`sharing.service`); the entry page
itself is rendered by `journal.entry_page`. After a POST the browser is sent back (303); a
failed action is rolled back and the page is shown again with the problem next to the form.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form
from pydantic import ValidationError
from starlette.responses import Response

from app.accounts import resets
from app.accounts import service as accounts_service
from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_
from app.journal import service as journal_service
from app.sharing import service
from app.sharing.schemas import (
    MessageCreate,
    ParticipantViewCreate,
    RaiseCreate,
    ShareCreate,
    TeamJoinerDecision,
)
from app.story import service as story_service
from app.web.forms import Choice, FormFields, LongText, Refusal, id_or_404, redirect
from app.web.participant import views
from app.web.participant.journal import entry_id_or_404, entry_page
from app.web.rendering import local_format, page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

SHARE_LIST_SIZE = 100
SHARE_NOT_FOUND = N_("This share does not exist, or it is not yours.")
APPOINTMENT_NOT_FOUND = N_("This appointment does not exist, or it is not yours.")
RESPONSE_NOT_FOUND = N_("This response does not exist, or it is not about your entry.")

FormIds = Annotated[list[str] | None, Form(max_length=200)]
Audience = Annotated[str, Form(max_length=20)]
_SHARE_FIELDS = FormFields(frozenset({"clinician_ids"}))
_BULK_SHARE_FIELDS = FormFields(frozenset({"clinician_ids", "entry_ids", "agenda"}))
_VIEW_FIELDS = FormFields(frozenset({"view", "note"}))
_MESSAGE_FIELDS = FormFields(frozenset({"body"}))
_RAISE_FIELDS = FormFields(frozenset({"with"}), aliases={"appointment_id": "with", "clinician_id": "with"})


NOBODY_CHOSEN = N_("Choose with whom to share: your whole care team, or the people you tick.")


def share_data(audience: str, clinician_ids: list[str] | None) -> ShareCreate:
    """Nobody is preselected on the form: with nothing chosen, nothing is shared."""
    if audience == "team":
        return ShareCreate(audience="team")
    people = [i.strip() for i in clinician_ids or [] if i.strip()]
    if not people and audience != "people":
        raise InvalidInput(NOBODY_CHOSEN, field="clinician_ids")
    return ShareCreate.model_validate({"clinician_ids": people})


# --- on the entry page --------------------------------------------------------------------


@router.post("/entries/{entry_id}/share")
def share_entry(
    entry_id: str, visit: ParticipantVisit, audience: Audience = "", clinician_ids: FormIds = None
) -> Response:
    the_id = entry_id_or_404(entry_id)
    try:
        data = share_data(audience, clinician_ids)
        service.share_entries(visit.session, actor=visit.user, entry_ids=[the_id], data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("share", exc, _SHARE_FIELDS)
        if isinstance(exc, NotFound):
            raise
        share_form = {"audience": audience, "clinician_ids": clinician_ids or []}
        return entry_page(visit, the_id, refused, share_form)
    return redirect(f"/entries/{the_id}?done=shared#sharing")


@router.post("/entries/{entry_id}/shares/{share_id}/revoke")
def revoke_share(entry_id: str, share_id: str, visit: ParticipantVisit) -> Response:
    the_id = entry_id_or_404(entry_id)
    the_share = id_or_404(share_id, SHARE_NOT_FOUND)
    service.revoke_share(visit.session, actor=visit.user, entry_id=the_id, share_id=the_share)
    return redirect(f"/entries/{the_id}?done=unshared#sharing")


@router.post("/entries/{entry_id}/responses/{response_id}/view")
def give_view(
    entry_id: str,
    response_id: str,
    visit: ParticipantVisit,
    view: Annotated[Choice, Form()] = "",
    note: Annotated[LongText, Form()] = "",
) -> Response:
    """The participant says whether a recorded outcome matches their view: theirs is the last word."""
    the_id = entry_id_or_404(entry_id)
    the_response = id_or_404(response_id, RESPONSE_NOT_FOUND)
    try:
        data = ParticipantViewCreate.model_validate({"view": view, "note": note.strip() or None})
        service.record_participant_view(
            visit.session, actor=visit.user, entry_id=the_id, response_id=the_response, data=data
        )
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse(f"view-{the_response}", exc, _VIEW_FIELDS)
        if isinstance(exc, NotFound):
            raise
        return entry_page(visit, the_id, refused)
    return redirect(f"/entries/{the_id}?done=view#response-{the_response}")


@router.post("/team-joiners/{clinician_id}")
def decide_team_joiner(
    clinician_id: str, visit: ParticipantVisit, allowed: Annotated[Choice, Form()] = ""
) -> Response:
    """The participant's answer on the home page: may a clinician who joined the team later read
    what was shared with the whole team before?"""
    the_clinician = id_or_404(clinician_id, service.JOINER_NOT_FOUND)
    if allowed not in ("yes", "no"):
        raise InvalidInput(N_("Choose yes or no."), field="allowed")
    data = TeamJoinerDecision(allowed=allowed == "yes")
    service.decide_team_joiner(visit.session, actor=visit.user, clinician_id=the_clinician, data=data)
    return redirect("/?done=" + ("joiner_allowed" if data.allowed else "joiner_kept_out"))


@router.post("/entries/{entry_id}/messages")
def answer(entry_id: str, visit: ParticipantVisit, body: Annotated[LongText, Form()] = "") -> Response:
    """The participant answers in the thread of their shared entry."""
    the_id = entry_id_or_404(entry_id)
    try:
        data = MessageCreate.model_validate({"body": body})
        message = service.add_participant_message(visit.session, actor=visit.user, entry_id=the_id, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("message", exc, _MESSAGE_FIELDS)
        if isinstance(exc, NotFound):
            raise
        return entry_page(visit, the_id, refused)
    return redirect(f"/entries/{the_id}?done=message#response-{message.id}")


@router.post("/entries/{entry_id}/raise")
def raise_at_next_session(
    entry_id: str, visit: ParticipantVisit, with_whom: Annotated[str, Form(alias="with", max_length=100)] = ""
) -> Response:
    """One step: shared with the chosen person only, and on the agenda of our next appointment."""
    the_id = entry_id_or_404(entry_id)
    what, _, value = with_whom.partition(":")
    try:
        if what not in ("appointment", "clinician"):
            raise InvalidInput(N_("Choose whom you want to raise this with."), field="with")
        data = RaiseCreate.model_validate({f"{what}_id": value.strip()})
        raised = service.raise_at_next_session(visit.session, actor=visit.user, entry_id=the_id, data=data)
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("raise", exc, _RAISE_FIELDS)
        if isinstance(exc, NotFound):
            raise
        return entry_page(visit, the_id, refused)
    done = "raised_agenda" if raised.appointment else "raised"
    return redirect(f"/entries/{the_id}?done={done}#sharing")


# --- share several for an appointment -----------------------------------------------------


def _share_page(
    visit: Visit,
    refused: Refusal | None = None,
    chosen: list[str] | None = None,
    share_form: dict[str, Any] | None = None,
) -> Response:
    session, user = visit.session, visit.user
    entries = journal_service.list_entries(session, actor=user, limit=SHARE_LIST_SIZE).items
    # What the participant marked for the next session comes first; otherwise newest first.
    entries = sorted(entries, key=lambda entry: not entry.raise_next_session)
    context = {
        "entries": entries,
        "notes": service.sharing_summaries(session, actor=user, entry_ids=[entry.id for entry in entries]),
        "clinicians": accounts_service.team_clinicians(session, actor=user),
        "team_help": accounts_service.team_help(session, actor=user),
        "chosen": set(chosen or []),
        # Named on the page, and its agenda offered: "share for your next appointment" means this one.
        "next_appointment": next(iter(service.list_appointments(session, actor=user)), None),
        "share_form": share_form or {"audience": "", "clinician_ids": []},
    }
    return page(visit.request, "participant/share.html", context, refused=refused)


@router.get("/share")
def share_page(visit: ParticipantVisit) -> Response:
    return _share_page(visit)


@router.post("/share")
def share_several(
    visit: ParticipantVisit,
    entry_ids: FormIds = None,
    audience: Audience = "",
    clinician_ids: FormIds = None,
    agenda: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    chosen = [value.strip() for value in entry_ids or []]
    try:
        if not chosen:
            raise InvalidInput(N_("Choose at least one entry to share."), field="entry_ids")
        ids = [id_or_404(value, journal_service.ENTRY_NOT_FOUND) for value in chosen]
        data = share_data(audience, clinician_ids)
        service.share_entries(visit.session, actor=visit.user, entry_ids=ids, data=data)
        if agenda:
            appointment_id = id_or_404(agenda, APPOINTMENT_NOT_FOUND)
            service.append_to_agenda(
                visit.session, actor=visit.user, appointment_id=appointment_id, entry_ids=ids
            )
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("share", exc, _BULK_SHARE_FIELDS)
        share_form = {"audience": audience, "clinician_ids": clinician_ids or [], "agenda": agenda}
        return _share_page(visit, refused, chosen, share_form)
    return redirect("/share?done=shared_agenda" if agenda else "/share?done=shared")


# --- what my team said, who viewed what I shared ------------------------------------------


@router.get("/team-said")
def team_said(visit: ParticipantVisit) -> Response:
    items = service.responses_to_me(visit.session, actor=visit.user)
    return page(visit.request, "participant/team_said.html", {"items": items})


@router.get("/access-log")
def access_log(visit: ParticipantVisit) -> Response:
    visits = views.reading_visits(visit.session, actor=visit.user)
    days = local_format(visit.request).by_day(visits, lambda each: each.at)
    account_resets = resets.of_my_account(visit.session, actor=visit.user)
    story_readers = story_service.readers(visit.session, actor=visit.user)
    context = {"days": days, "account_resets": account_resets, "story_readers": story_readers}
    return page(visit.request, "participant/access_log.html", context)
