"""The participant's journal: the timeline, quick capture, one entry (with its sharing and what
the team said), editing without losing a word, and the trash.

Thin like the JSON API and built on the same services: parse the form, call one service
function, then redirect (POST → 303 → GET) or render the form again with the problems next to the
fields and the participant's text kept exactly as typed. A failed action is rolled back before
the page is rendered again. Someone else's entry, a missing one and a malformed id all answer
the same "not found" page.
"""

import contextlib
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import Response

from app.accounts import service as accounts_service
from app.checkins import service as checkins_service
from app.errors import Conflict, DomainError, InvalidInput, NotFound, PreconditionFailed
from app.goals import service as goals_service
from app.i18n import N_, request_locale, translate
from app.journal import service
from app.journal.schemas import MAX_BODY, MAX_GOAL_NOTE, EntryCreate, EntryPublic, EntryUpdate
from app.models.enums import EntryKind, GoalStatus, Importance, Topic
from app.models.types import utcnow
from app.sharing import service as sharing_service
from app.web.dates import days_left
from app.web.forms import FormFields, Refusal, id_or_404, is_uuid, redirect, safe_next, ticked
from app.web.labels import KIND_FILTER_LABELS, PARTICIPANT_KINDS
from app.web.participant import views
from app.web.rendering import local_format, page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 30

_ENTRY_FIELDS = frozenset(
    {
        "kind",
        "body",
        "topic",
        "about",
        "importance",
        "raise_next_session",
        "intensity",
        "goal_status",
        "goal_note",
    }
)
# The service names the two "about" fields; the form has one choice for both.
_FIELD_ALIASES = {"about_discipline": "about", "about_clinician_id": "about"}
BODY_TOO_LONG = N_("This is {count} characters; an entry can hold at most {maximum}. Split it into two?")


def entry_id_or_404(value: str) -> uuid.UUID:
    return id_or_404(value, service.ENTRY_NOT_FOUND)


# --- the entry form -----------------------------------------------------------------------

# A choice or a number as typed; the body generously long, so that an over-long text comes back
# in the form with a clear message instead of an error page.
_Choice = Annotated[str, Field(max_length=100)]


class EntryForm(BaseModel):
    """The entry form of the write and edit pages, as typed: every value a string, so that a
    refused save shows it unchanged."""

    model_config = ConfigDict(frozen=True)

    id: _Choice = ""
    kind: Annotated[str, Field(max_length=40)] = EntryKind.thought.value
    body: Annotated[str, Field(max_length=MAX_BODY * 20)] = ""
    topic: _Choice = ""
    about: _Choice = ""
    importance: _Choice = Importance.normal.value
    raise_next_session: _Choice = ""
    intensity: _Choice = ""
    goal_status: _Choice = ""
    goal_note: Annotated[str, Field(max_length=MAX_GOAL_NOTE * 20)] = ""
    version: Annotated[str, Field(max_length=20)] = ""
    # The appointment a new entry is about (written from a check-in); the write form only.
    appointment_id: _Choice = ""

    @classmethod
    def of(cls, entry: EntryPublic) -> "EntryForm":
        about = ""
        if entry.about_clinician_id:
            about = f"clinician:{entry.about_clinician_id}"
        elif entry.about_discipline:
            about = f"discipline:{entry.about_discipline.value}"
        return cls(
            id=str(entry.id),
            kind=entry.kind.value,
            body=entry.body,
            topic=entry.topic.value if entry.topic else "",
            about=about,
            importance=entry.importance.value,
            raise_next_session="1" if entry.raise_next_session else "",
            intensity="" if entry.intensity is None else str(entry.intensity),
            goal_status=entry.goal_status.value if entry.goal_status else "",
            goal_note=entry.goal_note or "",
            version=str(entry.version),
        )

    @property
    def flagged(self) -> bool:
        return ticked(self.raise_next_session)

    @property
    def has_details(self) -> bool:
        return bool(
            self.topic
            or self.about
            or self.importance != Importance.normal.value
            or self.flagged
            or (self.intensity and self.kind == EntryKind.feeling)
            or (self.goal_status and self.kind == EntryKind.goal)
            or (self.goal_note and self.kind == EntryKind.goal)
        )

    def values(self) -> dict[str, Any]:
        """The fields for EntryCreate/EntryUpdate. A feeling's intensity and a goal's status are
        left out for other kinds: the form shows them as belonging to that kind only."""
        values: dict[str, Any] = {
            "kind": self.kind,
            "body": self.body,
            "topic": self.topic or None,
            "about_discipline": None,
            "about_clinician_id": None,
            "importance": self.importance or Importance.normal.value,
            "raise_next_session": self.flagged,
            "intensity": (self.intensity.strip() or None) if self.kind == EntryKind.feeling else None,
            "goal_status": (self.goal_status or None) if self.kind == EntryKind.goal else None,
            "goal_note": (self.goal_note.strip() or None) if self.kind == EntryKind.goal else None,
        }
        if self.about:
            what, _, value = self.about.partition(":")
            if what == "discipline" and value:
                values["about_discipline"] = value
            elif what == "clinician" and value:
                values["about_clinician_id"] = value
            else:
                raise InvalidInput(N_("This is not one of the allowed choices."), field="about")
        return values

    def refuse(self, visit: Visit, form: str, exc: DomainError | ValidationError) -> Refusal:
        """Why this form was refused, next to its fields; an over-long text says how long it is."""
        locale = request_locale(visit.request)
        too_long = translate(locale, BODY_TOO_LONG, count=len(self.body), maximum=MAX_BODY)
        fields = FormFields(_ENTRY_FIELDS, _FIELD_ALIASES, {("body", "string_too_long"): too_long})
        return visit.refuse(form, exc, fields)


EntryFormData = Annotated[EntryForm, Form()]


def _entry_form_page(
    visit: Visit, name: str, form: EntryForm, refused: Refusal | None, context: dict[str, Any]
) -> Response:
    """The write or edit page: the form as typed, and the team to say it is about."""
    clinicians = accounts_service.team_clinicians(visit.session, actor=visit.user)
    context = {
        "form": form,
        # A page showing what was just submitted must not be overwritten by an older draft.
        "restore_draft": refused is None,
        "clinicians": clinicians,
        "disciplines": views.team_disciplines(clinicians),
        "topics": list(Topic),
        "importances": list(Importance),
        "goal_statuses": list(GoalStatus),
        **context,
    }
    return page(visit.request, name, context, refused=refused)


# --- the journal --------------------------------------------------------------------------


def journal_url(
    *, kind: EntryKind | None = None, flagged: bool = False, q: str = "", cursor: str | None = None
) -> str:
    params: dict[str, str] = {}
    if kind:
        params["kind"] = kind.value
    if flagged:
        params["flagged"] = "1"
    if q:
        params["q"] = q
    if cursor:
        params["cursor"] = cursor
    return "/journal" + ("?" + urlencode(params) if params else "")


@router.get("/journal")
def journal(
    visit: ParticipantVisit,
    kind: Annotated[str, Query(max_length=40)] = "",
    flagged: Annotated[str, Query(max_length=10)] = "",
    q: Annotated[str, Query(max_length=2000)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
    draft: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    chosen = EntryKind(kind) if kind in EntryKind.__members__ else None
    only_flagged = ticked(flagged)
    query = " ".join(q.split())[:200]
    found = service.list_entries(
        visit.session,
        actor=visit.user,
        cursor=cursor or None,
        limit=PAGE_SIZE,
        kind=chosen,
        flagged=True if only_flagged else None,
        q=query or None,
    )
    days = local_format(visit.request).by_day(found.items, lambda entry: entry.created_at)
    chips = [(None, N_("All"), journal_url(flagged=only_flagged, q=query))] + [
        (each, KIND_FILTER_LABELS[each], journal_url(kind=each, flagged=only_flagged, q=query))
        for each in PARTICIPANT_KINDS
    ]
    older = found.next_cursor
    context = {
        "days": days,
        "notes": sharing_service.sharing_summaries(
            visit.session, actor=visit.user, entry_ids=[entry.id for entry in found.items]
        ),
        "chips": chips,
        "chosen_kind": chosen,
        "only_flagged": only_flagged,
        "flag_url": journal_url(kind=chosen, flagged=not only_flagged, q=query),
        "q": query,
        "filtered": bool(chosen or only_flagged or query),
        "first_page": not cursor,
        "older_url": journal_url(kind=chosen, flagged=only_flagged, q=query, cursor=older) if older else None,
        "saved_draft_id": draft if is_uuid(draft) else None,
    }
    return page(visit.request, "participant/journal.html", context)


# --- quick capture ------------------------------------------------------------------------


@router.get("/write")
def write_page(
    visit: ParticipantVisit,
    kind: Annotated[str, Query(max_length=40)] = "",
    check_in: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    # The id is made now, so that sending this form twice saves one entry (the API's replay rule).
    chosen = kind if kind in EntryKind.__members__ else EntryKind.thought.value
    form = EntryForm(id=str(uuid.uuid4()), kind=chosen)
    if is_uuid(check_in):
        # From a check-in that fell below the usual: a feeling about working with the person of
        # that appointment, its date already in the words. Nothing is shared by this.
        told = checkins_service.my_check_in(visit.session, actor=visit.user, check_in_id=uuid.UUID(check_in))
        day = local_format(visit.request).date(told.appointment_at)
        form = form.model_copy(
            update={
                "kind": EntryKind.feeling.value,
                "topic": Topic.working_with_professional.value,
                "about": f"clinician:{told.clinician_id}" if told.clinician_id else "",
                "appointment_id": str(told.appointment_id) if told.appointment_id else "",
                "body": translate(
                    request_locale(visit.request),
                    N_("About my appointment with {name} on {day}: "),
                    name=told.clinician_name or "",
                    day=day,
                ),
            }
        )
    return _entry_form_page(visit, "participant/write.html", form, None, {"nav": "write"})


@router.post("/write")
def write(visit: ParticipantVisit, form: EntryFormData) -> Response:
    form = form.model_copy(update={"id": form.id.strip(), "appointment_id": form.appointment_id.strip()})
    session, user = visit.session, visit.user
    try:
        data = EntryCreate.model_validate(
            {"id": form.id or None, **form.values(), "appointment_id": form.appointment_id or None}
        )
        try:
            entry, _created = service.create_entry(session, actor=user, data=data)
        except Conflict as exc:
            if exc.field != "id":
                raise
            # This form's id was used for an earlier, different save (a draft kept after a
            # save whose answer never arrived): keep both texts, save this one as a new entry.
            session.rollback()
            entry, _created = service.create_entry(
                session, actor=user, data=data.model_copy(update={"id": None})
            )
    except (DomainError, ValidationError) as exc:
        refused = form.refuse(visit, "write", exc)
        if not is_uuid(form.id):
            form = form.model_copy(update={"id": str(uuid.uuid4())})
        if _about_appointment(exc):
            # Said above the form; saving again keeps the words without the link.
            form = form.model_copy(update={"appointment_id": ""})
        return _entry_form_page(visit, "participant/write.html", form, refused, {"nav": "write"})
    return redirect(f"/journal?done=saved&draft={form.id or entry.id}")


def _about_appointment(exc: DomainError | ValidationError) -> bool:
    if isinstance(exc, DomainError):
        return exc.field == "appointment_id"
    return any("appointment_id" in error["loc"] for error in exc.errors())


# --- one entry ----------------------------------------------------------------------------


def entry_page(
    visit: Visit,
    entry_id: uuid.UUID,
    refused: Refusal | None = None,
    share_form: dict[str, Any] | None = None,
) -> Response:
    """The entry with its details, sharing, the team's responses and who read it."""
    session, user = visit.session, visit.user
    entry = service.get_entry(session, actor=user, entry_id=entry_id)
    clinicians = accounts_service.team_clinicians(session, actor=user)
    names = {clinician.id: clinician for clinician in clinicians}
    # Those the entry is about come first when choosing with whom to share (never ticked).
    clinicians = sorted(
        clinicians,
        key=lambda c: (
            c.id != entry.about_clinician_id,
            entry.about_discipline is None or c.discipline != entry.about_discipline,
        ),
    )
    context: dict[str, Any] = {
        "entry": entry,
        "about_person": names.get(entry.about_clinician_id) if entry.about_clinician_id else None,
        "clinicians": clinicians,
        "team_help": accounts_service.team_help(session, actor=user),
        "share_form": share_form or {"audience": "", "clinician_ids": []},
        "current_shares": [],
        "past_shares": [],
        "responses": [],
        "readers": [],
        "days_left": days_left(entry.purge_at, utcnow()),
        "appointment": None,
    }
    if entry.appointment_id is not None:
        # Only ever the participant's own; should one not be, the link is simply not shown.
        with contextlib.suppress(NotFound):
            context["appointment"] = sharing_service.get_appointment(
                session, actor=user, appointment_id=entry.appointment_id
            )
    if entry.deleted_at is None:
        shares = sharing_service.list_shares(session, actor=user, entry_id=entry.id)
        context["current_shares"], context["past_shares"] = views.shares_by_state(shares)
        context["responses"] = sharing_service.list_responses(session, actor=user, entry_id=entry.id)
        context["readers"] = sharing_service.readers_of_entry(session, actor=user, entry_id=entry.id)
        context["raise_choices"] = views.raise_choices(session, actor=user, clinicians=clinicians)
        if entry.kind == EntryKind.goal:
            # Every wording it had, its ratings, and what the team said about each wording.
            context["goal"] = goals_service.my_goal(session, actor=user, goal_id=entry.id)
            context["new_rating_id"] = str(uuid.uuid4())
    return page(visit.request, "participant/entry.html", context, refused=refused)


@router.get("/entries/{entry_id}")
def entry_view(entry_id: str, visit: ParticipantVisit) -> Response:
    return entry_page(visit, entry_id_or_404(entry_id))


# --- editing ------------------------------------------------------------------------------


def _edit_page(
    visit: Visit,
    entry: EntryPublic,
    form: EntryForm,
    refused: Refusal | None = None,
    conflict: EntryPublic | None = None,
) -> Response:
    shares = sharing_service.list_shares(visit.session, actor=visit.user, entry_id=entry.id)
    context = {
        "entry": entry,
        "conflict": conflict,
        "is_shared": any(share.revoked_at is None for share in shares),
    }
    return _entry_form_page(visit, "participant/edit.html", form, refused, context)


@router.get("/entries/{entry_id}/edit")
def edit_page(entry_id: str, visit: ParticipantVisit) -> Response:
    entry = service.get_entry(visit.session, actor=visit.user, entry_id=entry_id_or_404(entry_id))
    if entry.deleted_at is not None:
        return redirect(f"/entries/{entry.id}")
    return _edit_page(visit, entry, EntryForm.of(entry))


@router.post("/entries/{entry_id}/edit")
def edit(entry_id: str, visit: ParticipantVisit, form: EntryFormData) -> Response:
    the_id = entry_id_or_404(entry_id)
    form = form.model_copy(update={"id": str(the_id), "version": form.version.strip()})
    session, user = visit.session, visit.user
    try:
        data = EntryUpdate.model_validate({**form.values(), "version": form.version or None})
        service.update_entry(session, actor=user, entry_id=the_id, data=data, if_match=None)
    except (DomainError, ValidationError) as exc:
        refused = form.refuse(visit, "edit", exc)
        if isinstance(exc, NotFound):
            raise
        current = service.get_entry(session, actor=user, entry_id=the_id)
        if isinstance(exc, PreconditionFailed):
            # Changed elsewhere: show the saved text, and keep theirs in the form on top of it.
            form = form.model_copy(update={"version": str(current.version)})
            return _edit_page(visit, current, form, refused, conflict=current)
        return _edit_page(visit, current, form, refused)
    return redirect(f"/entries/{the_id}?done=edited")


# --- trash --------------------------------------------------------------------------------


@router.get("/entries/{entry_id}/delete")
def delete_page(entry_id: str, visit: ParticipantVisit) -> Response:
    entry = service.get_entry(visit.session, actor=visit.user, entry_id=entry_id_or_404(entry_id))
    if entry.deleted_at is not None:
        return redirect(f"/entries/{entry.id}")
    return page(visit.request, "participant/delete.html", {"entry": entry})


@router.post("/entries/{entry_id}/delete")
def delete(entry_id: str, visit: ParticipantVisit) -> Response:
    service.delete_entry(visit.session, actor=visit.user, entry_id=entry_id_or_404(entry_id))
    return redirect("/journal?done=deleted")


@router.post("/entries/{entry_id}/restore")
def restore(
    entry_id: str, visit: ParticipantVisit, next: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    entry = service.restore_entry(visit.session, actor=visit.user, entry_id=entry_id_or_404(entry_id))
    target = safe_next(next) if next == "/trash" else f"/entries/{entry.id}"
    return redirect(f"{target}?done=restored")


@router.get("/trash")
def trash(visit: ParticipantVisit, cursor: Annotated[str, Query(max_length=200)] = "") -> Response:
    found = service.list_entries(
        visit.session, actor=visit.user, cursor=cursor or None, limit=PAGE_SIZE, in_trash=True
    )
    now = utcnow()
    context = {
        "entries": found.items,
        "days_left": {entry.id: days_left(entry.purge_at, now) for entry in found.items},
        "older_url": f"/trash?{urlencode({'cursor': found.next_cursor})}" if found.next_cursor else None,
    }
    return page(visit.request, "participant/trash.html", context)
