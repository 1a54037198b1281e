"""The participant's own data as a readable, printable page, and erasing everything."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.accounts.api import CLEAR_SITE_DATA, clear_session_cookie
from app.accounts.pages import FormProblems, _domain_problems, _page, _redirect, _validation_problems
from app.deps import CurrentParticipant, SessionDep
from app.errors import DomainError
from app.models import User
from app.privacy import service
from app.privacy.schemas import EraseRequest

router = APIRouter(include_in_schema=False)

_ERASE_FIELDS = frozenset({"password", "confirm"})


def _my_data(
    request: Request,
    session: Session,
    user: User,
    *,
    problems: FormProblems | None = None,
    status_code: int = 200,
) -> Response:
    export = service.export_participant(session, actor=user)
    context = {"nav": "account", "export": export, "problems": problems}
    return _page(request, "privacy/my_data.html", context, status_code=status_code)


@router.get("/my-data")
def my_data(request: Request, user: CurrentParticipant, session: SessionDep) -> Response:
    return _my_data(request, session, user)


@router.post("/my-data/erase")
def erase(
    request: Request,
    user: CurrentParticipant,
    session: SessionDep,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        data = EraseRequest(password=password, confirm=confirm == "yes")
        service.erase_participant(session, actor=user, data=data)
    except ValidationError as error:
        session.rollback()
        problems = _validation_problems(request, "erase", error, _ERASE_FIELDS)
        return _my_data(request, session, user, problems=problems, status_code=422)
    except DomainError as error:
        session.rollback()
        problems = _domain_problems(request, "erase", error, _ERASE_FIELDS)
        return _my_data(request, session, user, problems=problems, status_code=error.status)
    response = _redirect("/login?done=erased")
    clear_session_cookie(request, response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
