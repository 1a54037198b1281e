"""FHIR downloads: the participant's own record, and a clinician's shared summary of one
participant. JSON of the FHIR media type, as an attachment, never cached."""

import json
import uuid
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from app.accounts.deps import CurrentClinician, CurrentParticipant
from app.deps import SessionDep, records_access
from app.fhir import service

router = APIRouter(prefix="/api/v1", tags=["fhir"])

FHIR_JSON = "application/fhir+json"
_DOC = {200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}, "description": "A FHIR R4 Bundle"}}


def _download(bundle: dict[str, Any], name: str) -> Response:
    body = json.dumps(bundle, ensure_ascii=False, sort_keys=True, indent=1)
    return Response(
        body,
        media_type=FHIR_JSON,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/me/export/fhir", response_class=Response, responses=_DOC)  # type: ignore[arg-type]
@records_access
def my_record(user: CurrentParticipant, session: SessionDep) -> Response:
    """Everything of mine as a FHIR R4 Bundle (type collection), to keep or take elsewhere."""
    return _download(service.participant_record(session, actor=user), "stem-record.fhir.json")


@router.get("/clinician/participants/{participant_id}/fhir", response_class=Response, responses=_DOC)  # type: ignore[arg-type]
@records_access
def shared_summary(participant_id: uuid.UUID, user: CurrentClinician, session: SessionDep) -> Response:
    """Only what this participant shares with me now, as a FHIR R4 Bundle; the read is recorded."""
    return _download(
        service.shared_summary(session, actor=user, participant_id=participant_id),
        "stem-shared-summary.fhir.json",
    )
