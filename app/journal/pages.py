"""HTML pages of the journal: the timeline, quick capture, one entry (with its sharing and what
the team said), editing without losing a word, and the trash.

Thin like the JSON API and built on the same services: parse the form, call one service
function, then redirect (POST → 303 → GET) or render the form again with the problems next to
the fields and the participant's text kept exactly as typed. A failed action is rolled back
before the page is rendered again. Someone else's entry, a missing one and a malformed id all
answer the same "not found" page.
"""

import uuid
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.accounts.pages import DISCIPLINE_LABELS, FormProblems, _redirect, safe_next
from app.deps import CurrentParticipant, SessionDep
from app.errors import Conflict, DomainError, InvalidInput, NotFound, PreconditionFailed, validation_errors
from app.i18n import N_, request_locale, translate
from app.journal import service, views
from app.journal.schemas import MAX_BODY, EntryCreate, EntryPublic, EntryUpdate
from app.models import User
from app.models.enums import (
    EntryKind,
    GoalStatus,
    Importance,
    Outcome,
    ParticipantView,
    ResponseKind,
    Topic,
)
from app.models.types import utcnow
from app.pages import render
from app.sharing import service as sharing_service

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 30

# Shown in the reader's language; the templates call _() on these.
KINDS = [EntryKind.thought, EntryKind.feeling, EntryKind.disagreement, EntryKind.question, EntryKind.goal]
KIND_LABELS = {
    EntryKind.thought: N_("Thought"),
    EntryKind.feeling: N_("Feeling"),
    EntryKind.disagreement: N_("Disagreement"),
    EntryKind.question: N_("Question"),
    EntryKind.goal: N_("Goal"),
}
KIND_FILTER_LABELS = {
    EntryKind.thought: N_("Thoughts"),
    EntryKind.feeling: N_("Feelings"),
    EntryKind.disagreement: N_("Disagreements"),
    EntryKind.question: N_("Questions"),
    EntryKind.goal: N_("Goals"),
}
# In the participant's own words (first person), as in the product notes.
TOPIC_LABELS = {
    Topic.diagnosis: N_("My diagnosis"),
    Topic.cause_of_pain: N_("The cause of my pain"),
    Topic.treatment_plan: N_("The treatment plan"),
    Topic.exercises: N_("Exercises and tasks"),
    Topic.goals: N_("Goals"),
    Topic.working_with_professional: N_("Working with a professional"),
    Topic.care_organisation: N_("How my care is organised"),
    Topic.daily_life: N_("Daily life"),
    Topic.other: N_("Something else"),
}
IMPORTANCE_LABELS = {
    Importance.low: N_("A little"),
    Importance.normal: N_("Normal"),
    Importance.high: N_("Very much"),
}
GOAL_STATUS_LABELS = {
    GoalStatus.active: N_("Working on it"),
    GoalStatus.achieved: N_("Achieved"),
    GoalStatus.let_go: N_("Let go"),
}
OUTCOME_LABELS = {
    Outcome.agreed: N_("We agreed"),
    Outcome.partly_agreed: N_("We partly agreed"),
    Outcome.still_differ: N_("We still see it differently"),
}
VIEW_LABELS = {
    ParticipantView.matches: N_("Yes, this matches my view"),
    ParticipantView.partly: N_("Partly"),
    ParticipantView.differs: N_("No, I see it differently"),
}
VIEW_SUMMARY_LABELS = {
    ParticipantView.matches: N_("You said this matches your view."),
    ParticipantView.partly: N_("You said this partly matches your view."),
    ParticipantView.differs: N_("You said you see it differently."),
}
RESPONSE_KIND_LABELS = {
    ResponseKind.seen: N_("Seen"),
    ResponseKind.reply: N_("Reply"),
    ResponseKind.discussed: N_("Discussed"),
}
# Gentle, optional invitations per kind: what people in pain rehabilitation tend to leave unsaid.
PROMPTS = {
    EntryKind.thought: [
        N_("What stayed with you after your last appointment?"),
        N_("Is there something you wanted to say, but did not?"),
    ],
    EntryKind.feeling: [
        N_("How do you feel about your pain, your treatment or the people who help you?"),
        N_("Every feeling is welcome here, also the difficult ones."),
    ],
    EntryKind.disagreement: [
        N_("What do you see differently about your diagnosis, your plan, your goals or your exercises?"),
        N_("Did something in a conversation not feel right?"),
    ],
    EntryKind.question: [
        N_("What would you like to ask, but have not asked yet?"),
        N_("About the cause of your pain, your plan, your exercises, or what comes next."),
    ],
    EntryKind.goal: [
        N_("What matters to you in your daily life? Say it in your own words."),
        N_("It may be small. Your goal does not have to match anyone else's."),
    ],
}
# Notes after a redirect (?done=...). Only known keys are shown: nothing from the URL is echoed.
DONE_MESSAGES = {
    "saved": N_("Saved. It is private until you choose to share it."),
    "edited": N_("Your changes are saved."),
    "deleted": N_("Moved to the trash. You can restore it for 30 days."),
    "restored": N_("Restored. It is back in your journal."),
    "shared": N_("Shared. The people you chose can read it now."),
    "unshared": N_("No longer shared. It is hidden from them again."),
    "view": N_("Thank you. Your view is saved next to the outcome."),
    "appointment": N_("The appointment is saved."),
    "agenda": N_("The agenda is saved."),
}
_ENTRY_FIELDS = frozenset(
    {"kind", "body", "topic", "about", "importance", "raise_next_session", "intensity", "goal_status"}
)
# The service names the two "about" fields; the form has one choice for both.
_FIELD_ALIASES = {"about_discipline": "about", "about_clinician_id": "about"}
BODY_TOO_LONG = N_("This is {count} characters; an entry can hold at most {maximum}. Split it into two?")


# --- page helpers (also used by sharing.pages) --------------------------------------------


def local_format(request: Request) -> views.LocalFormat:
    locale = request_locale(request)
    return views.LocalFormat.for_reader(
        getattr(request.state, "time_zone", None),
        locale,
        utcnow(),
        translate(locale, N_("Today")),
        translate(locale, N_("Yesterday")),
    )


def label_context(request: Request) -> dict[str, Any]:
    """What every participant page's templates use: the label maps and the reader's clock."""
    return {
        "kinds": KINDS,
        "kind_labels": KIND_LABELS,
        "topic_labels": TOPIC_LABELS,
        "importance_labels": IMPORTANCE_LABELS,
        "goal_status_labels": GOAL_STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "view_labels": VIEW_LABELS,
        "view_summary_labels": VIEW_SUMMARY_LABELS,
        "response_kind_labels": RESPONSE_KIND_LABELS,
        "discipline_labels": DISCIPLINE_LABELS,
        "prompts": PROMPTS,
        "fmt": local_format(request),
        "excerpt": views.excerpt,
    }


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    done_key = request.query_params.get("done", "") if request.method == "GET" else ""
    msgid = DONE_MESSAGES.get(done_key)
    values: dict[str, Any] = {
        **label_context(request),
        "nav": "journal",
        "problems": None,
        "done": translate(request_locale(request), msgid) if msgid else None,
        "done_key": done_key if msgid else None,
    }
    values.update(context or {})
    return render(request, name, values, status_code=status_code)


def home_context(request: Request, session: Session, user: User) -> dict[str, Any]:
    """What the participant's home page shows (recent entries, replies, the next appointment);
    `accounts.pages._home` adds this to the context of accounts/home_participant.html."""
    return {**label_context(request), "overview": views.home_overview(session, actor=user)}


def entry_id_or_404(value: str) -> uuid.UUID:
    """A malformed id answers exactly like someone else's or a missing one."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(service.ENTRY_NOT_FOUND) from None


def form_problems(
    request: Request,
    form: str,
    exc: DomainError | ValidationError,
    visible: frozenset[str] = frozenset(),
    *,
    body_length: int = 0,
) -> tuple[FormProblems, int]:
    """The problems of a failed form, next to the fields they are about, and the status code."""
    locale = request_locale(request)
    problems = FormProblems(form=form)
    if isinstance(exc, DomainError):
        message = translate(locale, exc.message, **exc.params)
        problems.add(_FIELD_ALIASES.get(exc.field or "", exc.field), message, visible)
        return problems, exc.status
    for error, raw in zip(validation_errors(locale, exc.errors()), exc.errors(), strict=True):
        name = _FIELD_ALIASES.get(error["field"], error["field"])
        message = error["message"]
        if name == "body" and raw.get("type") == "string_too_long":
            message = translate(locale, BODY_TOO_LONG, count=body_length, maximum=MAX_BODY)
        problems.add(name, message, visible)
    return problems, 422


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- the entry form -----------------------------------------------------------------------


@dataclass(frozen=True)
class EntryForm:
    """The entry form as typed: every value a string, so that a failed save shows it unchanged."""

    id: str = ""
    kind: str = EntryKind.thought.value
    body: str = ""
    topic: str = ""
    about: str = ""
    importance: str = Importance.normal.value
    raise_next_session: bool = False
    intensity: str = ""
    goal_status: str = ""
    version: str = ""

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
            raise_next_session=entry.raise_next_session,
            intensity="" if entry.intensity is None else str(entry.intensity),
            goal_status=entry.goal_status.value if entry.goal_status else "",
            version=str(entry.version),
        )

    @property
    def has_details(self) -> bool:
        return bool(
            self.topic
            or self.about
            or self.importance != Importance.normal.value
            or self.raise_next_session
            or (self.intensity and self.kind == EntryKind.feeling)
            or (self.goal_status and self.kind == EntryKind.goal)
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
            "raise_next_session": self.raise_next_session,
            "intensity": (self.intensity.strip() or None) if self.kind == EntryKind.feeling else None,
            "goal_status": (self.goal_status or None) if self.kind == EntryKind.goal else None,
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


def _entry_form(
    id: str,
    kind: str,
    body: str,
    topic: str,
    about: str,
    importance: str,
    raise_next_session: str,
    intensity: str,
    goal_status: str,
    version: str = "",
) -> EntryForm:
    return EntryForm(
        id=id.strip(),
        kind=kind,
        body=body,
        topic=topic,
        about=about,
        importance=importance,
        raise_next_session=raise_next_session.lower() in {"1", "true", "on", "yes"},
        intensity=intensity,
        goal_status=goal_status,
        version=version.strip(),
    )


# Form fields of the entry form (write and edit); each is bounded, the body generously so that
# an over-long text comes back in the form with a clear message instead of an error page.
FormId = Annotated[str, Form(max_length=100)]
FormKind = Annotated[str, Form(max_length=40)]
FormBody = Annotated[str, Form(max_length=MAX_BODY * 20)]
FormChoice = Annotated[str, Form(max_length=100)]


def _form_context(session: Session, user: User) -> dict[str, Any]:
    clinicians = views.team_clinicians(session, actor=user)
    return {
        "clinicians": clinicians,
        "disciplines": views.team_disciplines(clinicians),
        "topics": list(Topic),
        "importances": list(Importance),
        "goal_statuses": list(GoalStatus),
    }


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
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    kind: Annotated[str, Query(max_length=40)] = "",
    flagged: Annotated[str, Query(max_length=10)] = "",
    q: Annotated[str, Query(max_length=2000)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
    draft: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    chosen = EntryKind(kind) if kind in EntryKind.__members__ else None
    only_flagged = flagged.lower() in {"1", "true", "on", "yes"}
    query = " ".join(q.split())[:200]
    found = service.list_entries(
        session,
        actor=user,
        cursor=cursor or None,
        limit=PAGE_SIZE,
        kind=chosen,
        flagged=True if only_flagged else None,
        q=query or None,
    )
    fmt = local_format(request)
    days: list[tuple[str, list[EntryPublic]]] = []
    for entry in found.items:
        heading = fmt.heading(fmt.day_of(entry.created_at))
        if not days or days[-1][0] != heading:
            days.append((heading, []))
        days[-1][1].append(entry)
    chips = [(None, N_("All"), journal_url(flagged=only_flagged, q=query))] + [
        (each, KIND_FILTER_LABELS[each], journal_url(kind=each, flagged=only_flagged, q=query))
        for each in KINDS
    ]
    return page(
        request,
        "journal/journal.html",
        {
            "days": days,
            "notes": views.entry_notes(session, actor=user, entry_ids=[entry.id for entry in found.items]),
            "chips": chips,
            "chosen_kind": chosen,
            "only_flagged": only_flagged,
            "flag_url": journal_url(kind=chosen, flagged=not only_flagged, q=query),
            "q": query,
            "filtered": bool(chosen or only_flagged or query),
            "first_page": not cursor,
            "older_url": journal_url(kind=chosen, flagged=only_flagged, q=query, cursor=found.next_cursor)
            if found.next_cursor
            else None,
            "saved_draft_id": draft if _is_uuid(draft) else None,
        },
    )


# --- quick capture ------------------------------------------------------------------------


def _write_page(
    request: Request,
    session: Session,
    user: User,
    form: EntryForm,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "journal/write.html",
        {
            "nav": "write",
            "form": form,
            "problems": problems,
            # A page showing what was just submitted must not be overwritten by an older draft.
            "restore_draft": problems is None,
            **_form_context(session, user),
        },
        status_code=status_code,
    )


@router.get("/write")
def write_page(
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    kind: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    # The id is made now, so that sending this form twice saves one entry (the API's replay rule).
    chosen = kind if kind in EntryKind.__members__ else EntryKind.thought.value
    return _write_page(request, session, user, EntryForm(id=str(uuid.uuid4()), kind=chosen))


@router.post("/write")
def write(
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    id: FormId = "",
    kind: FormKind = "",
    body: FormBody = "",
    topic: FormChoice = "",
    about: FormChoice = "",
    importance: FormChoice = "",
    raise_next_session: FormChoice = "",
    intensity: FormChoice = "",
    goal_status: FormChoice = "",
) -> Response:
    form = _entry_form(id, kind, body, topic, about, importance, raise_next_session, intensity, goal_status)
    try:
        data = EntryCreate.model_validate({"id": form.id or None, **form.values()})
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
        session.rollback()
        problems, status_code = form_problems(request, "write", exc, _ENTRY_FIELDS, body_length=len(body))
        if not _is_uuid(form.id):
            form = replace(form, id=str(uuid.uuid4()))
        return _write_page(request, session, user, form, problems=problems, status_code=status_code)
    return _redirect(f"/journal?done=saved&draft={form.id or entry.id}")


# --- one entry ----------------------------------------------------------------------------


def entry_page(
    request: Request,
    session: Session,
    user: User,
    entry_id: uuid.UUID,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
    share_form: dict[str, Any] | None = None,
) -> Response:
    """The entry with its details, sharing, the team's responses and who read it."""
    entry = service.get_entry(session, actor=user, entry_id=entry_id)
    clinicians = views.team_clinicians(session, actor=user)
    names = {clinician.id: clinician for clinician in clinicians}
    context: dict[str, Any] = {
        "entry": entry,
        "about_person": names.get(entry.about_clinician_id) if entry.about_clinician_id else None,
        "clinicians": clinicians,
        "problems": problems,
        "share_form": share_form or {"audience": "team", "clinician_ids": []},
        "current_shares": [],
        "past_shares": [],
        "responses": [],
        "readers": [],
        "days_left": views.days_left(entry.purge_at, utcnow()),
    }
    if entry.deleted_at is None:
        shares = sharing_service.list_shares(session, actor=user, entry_id=entry.id)
        context["current_shares"], context["past_shares"] = views.shares_by_state(shares)
        context["responses"] = sharing_service.list_responses(session, actor=user, entry_id=entry.id)
        context["readers"] = views.readers_of(session, actor=user, entry_id=entry.id)
    return page(request, "journal/entry.html", context, status_code=status_code)


@router.get("/entries/{entry_id}")
def entry_view(entry_id: str, request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    return entry_page(request, session, user, entry_id_or_404(entry_id))


# --- editing ------------------------------------------------------------------------------


def _edit_page(
    request: Request,
    session: Session,
    user: User,
    entry: EntryPublic,
    form: EntryForm,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
    conflict: EntryPublic | None = None,
) -> Response:
    shares = sharing_service.list_shares(session, actor=user, entry_id=entry.id)
    return page(
        request,
        "journal/edit.html",
        {
            "entry": entry,
            "form": form,
            "problems": problems,
            "conflict": conflict,
            "is_shared": any(share.revoked_at is None for share in shares),
            "restore_draft": problems is None,
            **_form_context(session, user),
        },
        status_code=status_code,
    )


@router.get("/entries/{entry_id}/edit")
def edit_page(entry_id: str, request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    entry = service.get_entry(session, actor=user, entry_id=entry_id_or_404(entry_id))
    if entry.deleted_at is not None:
        return _redirect(f"/entries/{entry.id}")
    return _edit_page(request, session, user, entry, EntryForm.of(entry))


@router.post("/entries/{entry_id}/edit")
def edit(
    entry_id: str,
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    version: Annotated[str, Form(max_length=20)] = "",
    kind: FormKind = "",
    body: FormBody = "",
    topic: FormChoice = "",
    about: FormChoice = "",
    importance: FormChoice = "",
    raise_next_session: FormChoice = "",
    intensity: FormChoice = "",
    goal_status: FormChoice = "",
) -> Response:
    the_id = entry_id_or_404(entry_id)
    form = _entry_form(
        str(the_id), kind, body, topic, about, importance, raise_next_session, intensity, goal_status, version
    )
    try:
        data = EntryUpdate.model_validate({**form.values(), "version": form.version or None})
        service.update_entry(session, actor=user, entry_id=the_id, data=data, if_match=None)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            raise
        problems, status_code = form_problems(request, "edit", exc, _ENTRY_FIELDS, body_length=len(body))
        current = service.get_entry(session, actor=user, entry_id=the_id)
        conflict = None
        if isinstance(exc, PreconditionFailed):
            # Changed elsewhere: show the saved text, and keep theirs in the form on top of it.
            conflict = current
            form = replace(form, version=str(current.version))
        return _edit_page(
            request,
            session,
            user,
            current,
            form,
            problems=problems,
            status_code=status_code,
            conflict=conflict,
        )
    return _redirect(f"/entries/{the_id}?done=edited")


# --- trash --------------------------------------------------------------------------------


@router.get("/entries/{entry_id}/delete")
def delete_page(entry_id: str, request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    entry = service.get_entry(session, actor=user, entry_id=entry_id_or_404(entry_id))
    if entry.deleted_at is not None:
        return _redirect(f"/entries/{entry.id}")
    return page(request, "journal/delete.html", {"entry": entry})


@router.post("/entries/{entry_id}/delete")
def delete(entry_id: str, user: CurrentParticipant, session: SessionDep) -> Response:
    service.delete_entry(session, actor=user, entry_id=entry_id_or_404(entry_id))
    return _redirect("/journal?done=deleted")


@router.post("/entries/{entry_id}/restore")
def restore(
    entry_id: str,
    user: CurrentParticipant,
    session: SessionDep,
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    entry = service.restore_entry(session, actor=user, entry_id=entry_id_or_404(entry_id))
    target = safe_next(next) if next == "/trash" else f"/entries/{entry.id}"
    return _redirect(f"{target}?done=restored")


@router.get("/trash")
def trash(
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    found = service.list_entries(session, actor=user, cursor=cursor or None, limit=PAGE_SIZE, in_trash=True)
    now = utcnow()
    return page(
        request,
        "journal/trash.html",
        {
            "entries": found.items,
            "days_left": {entry.id: views.days_left(entry.purge_at, now) for entry in found.items},
            "older_url": f"/trash?{urlencode({'cursor': found.next_cursor})}" if found.next_cursor else None,
        },
    )
