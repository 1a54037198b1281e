"""All my data: the participant's own data as a readable, printable page, and erasing everything."""

from typing import Annotated

from fastapi import APIRouter, Form, Response
from pydantic import ValidationError

from app.accounts.deps import CLEAR_SITE_DATA, clear_session_cookie
from app.deps import records_access
from app.errors import DomainError
from app.privacy import service
from app.privacy.schemas import EraseRequest
from app.web.forms import FormFields, Refusal, redirect
from app.web.rendering import page
from app.web.visits import ParticipantVisit, Visit

router = APIRouter(include_in_schema=False)

_ERASE_FIELDS = FormFields(frozenset({"password", "confirm"}))


def _my_data(visit: Visit, refused: Refusal | None = None) -> Response:
    export = service.export_participant(visit.session, actor=visit.user)
    return page(
        visit.request, "participant/my_data.html", {"nav": "account", "export": export}, refused=refused
    )


@router.get("/my-data")
@records_access  # the export it shows records an audit event
def my_data(visit: ParticipantVisit) -> Response:
    return _my_data(visit)


@router.post("/my-data/erase")
def erase(
    visit: ParticipantVisit, password: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = ""
) -> Response:
    try:
        data = EraseRequest(password=password, confirm=confirm == "yes")
        service.erase_participant(visit.session, actor=visit.user, data=data)
    except (DomainError, ValidationError) as exc:
        return _my_data(visit, visit.refuse("erase", exc, _ERASE_FIELDS))
    response = redirect("/login?done=erased")
    clear_session_cookie(visit.request, response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
