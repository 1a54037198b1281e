"""The participant's "My story" pages (issue 15): write it over several sittings (the form is
kept on the device as a draft, offline too), every saved version kept and readable, shared as a
whole with the team or chosen clinicians, taken back at once.

The form has a field per section and numbered fields per earlier treatment (`treatment-0-what`,
…), so that the draft on the device keeps each row apart."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from app.accounts import service as accounts_service
from app.errors import Conflict, DomainError, NotFound
from app.i18n import N_, request_locale, translate
from app.models.enums import StorySection, TreatmentEffect
from app.story import service
from app.story.schemas import MAX_TREATMENTS, StoryWrite
from app.web.forms import FormFields, Refusal, id_or_404, redirect
from app.web.labels import STORY_SECTION_LABELS
from app.web.participant.sharing import Audience, FormIds, share_data
from app.web.rendering import page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

BLANK_ROWS = 2  # empty treatment rows under the filled ones, to add one in a tap
SHARE_NOT_FOUND = N_("This share does not exist, or it is not yours.")
_STORY_FIELDS = FormFields(
    frozenset(section.value for section in StorySection),
    aliases={f"sections.{section.value}": section.value for section in StorySection},
)
_SHARE_FIELDS = FormFields(frozenset({"clinician_ids"}))


async def _form(request: Request) -> FormData:
    return await request.form(max_fields=400)


def _typed(form: FormData) -> dict[str, Any]:
    """What the participant typed, as the page shows it again and as the API takes it."""
    sections = {section.value: str(form.get(section.value, "")) for section in StorySection}
    treatments = []
    for index in range(MAX_TREATMENTS + BLANK_ROWS):
        what = str(form.get(f"treatment-{index}-what", ""))
        when = str(form.get(f"treatment-{index}-when", ""))
        effect = str(form.get(f"treatment-{index}-effect", ""))
        if what.strip() or when.strip():
            treatments.append({"what": what, "when": when, "effect": effect or None})
    raw_version = str(form.get("version", "0"))
    return {
        "base_version": int(raw_version) if raw_version.isdigit() else -1,
        "sections": sections,
        "treatments": treatments,
    }


def _story_page(
    visit: Visit,
    *,
    typed: dict[str, Any] | None = None,
    refused: Refusal | None = None,
    share_form: dict[str, Any] | None = None,
) -> Response:
    session, user = visit.session, visit.user
    story = service.my_story(session, actor=user)
    if typed is None:
        typed = {
            "base_version": story.version,
            "sections": {section.value: story.sections.get(section, "") for section in StorySection},
            "treatments": [item.model_dump(mode="json") for item in story.treatments],
        }
    rows = [*typed["treatments"], *({"what": "", "when": "", "effect": None} for _ in range(BLANK_ROWS))]
    context = {
        "story": story,
        "form": typed,
        "rows": rows[: MAX_TREATMENTS + BLANK_ROWS],
        "effects": list(TreatmentEffect),
        "clinicians": accounts_service.team_clinicians(session, actor=user),
        "share_form": share_form or {"audience": "", "clinician_ids": []},
        "live_shares": [share for share in story.shares if share.revoked_at is None],
        "readers": service.readers(session, actor=user)[:5],
        "team_help": accounts_service.team_help(session, actor=user),
        "problem_labels": {
            section.value: translate(request_locale(visit.request), label)
            for section, label in STORY_SECTION_LABELS.items()
        }
        | {"clinician_ids": translate(request_locale(visit.request), N_("Share with"))},
    }
    return page(visit.request, "participant/story.html", context, refused=refused)


@router.get("/story")
def story_page(visit: ParticipantVisit) -> Response:
    return _story_page(visit)


@router.post("/story")
def save_story(visit: ParticipantVisit, form: Annotated[FormData, Depends(_form)]) -> Response:
    typed = _typed(form)
    try:
        service.save(visit.session, actor=visit.user, data=StoryWrite.model_validate(typed))
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("story", exc, _STORY_FIELDS)
        if isinstance(exc, Conflict):
            # Changed elsewhere: the newest version is the base now, the typed words stay.
            typed["base_version"] = service.my_story(visit.session, actor=visit.user).version
        return _story_page(visit, typed=typed, refused=refused)
    return redirect("/story?done=story_saved")


@router.get("/story/versions")
def versions_page(visit: ParticipantVisit) -> Response:
    versions = service.versions(visit.session, actor=visit.user)
    return page(visit.request, "participant/story_versions.html", {"versions": versions})


@router.get("/story/versions/{number}")
def version_page(number: str, visit: ParticipantVisit) -> Response:
    if not number.isdigit() or len(number) > 9:
        raise NotFound(service.VERSION_NOT_FOUND)
    version = service.version(visit.session, actor=visit.user, number=int(number))
    return page(visit.request, "participant/story_version.html", {"version": version})


@router.post("/story/share")
def share_story(visit: ParticipantVisit, audience: Audience = "", clinician_ids: FormIds = None) -> Response:
    """Nothing is preselected: with nobody chosen, nothing is shared."""
    try:
        service.share(visit.session, actor=visit.user, data=share_data(audience, clinician_ids))
    except (DomainError, ValidationError) as exc:
        refused = visit.refuse("share", exc, _SHARE_FIELDS)
        share_form = {"audience": audience, "clinician_ids": clinician_ids or []}
        return _story_page(visit, refused=refused, share_form=share_form)
    return redirect("/story?done=story_shared#sharing")


@router.post("/story/shares/{story_share_id}/revoke")
def revoke_story_share(story_share_id: str, visit: ParticipantVisit) -> Response:
    the_share = id_or_404(story_share_id, SHARE_NOT_FOUND)
    service.revoke(visit.session, actor=visit.user, share_id=the_share)
    return redirect("/story?done=story_unshared#sharing")
