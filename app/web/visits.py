"""What every page handler needs, as one dependency: the request, its database session and who
is signed in (`Visit`), for each role a page may serve.

A refused form is shown again after the request's transaction is rolled back (`Visit.refuse`),
so nothing half-done of the refused action is committed with the page.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlmodel import Session

from app.accounts.deps import (
    AuthDep,
    Authenticated,
    CurrentAdmin,
    CurrentClinician,
    CurrentParticipant,
    CurrentStaff,
)
from app.deps import SessionDep
from app.errors import DomainError
from app.models import LoginSession, User
from app.web.forms import NO_FIELDS, FormFields, Refusal, refusal


@dataclass(frozen=True)
class Visit:
    request: Request
    session: Session
    auth: Authenticated

    @property
    def user(self) -> User:
        return self.auth.user

    @property
    def login_session(self) -> LoginSession:
        return self.auth.login_session

    def refuse(
        self, form: str, exc: DomainError | ValidationError, fields: FormFields = NO_FIELDS
    ) -> Refusal:
        """Roll back what the refused action did, and say what to show next to the form."""
        self.session.rollback()
        return refusal(self.request, form, exc, fields)


async def _visit(request: Request, session: SessionDep, auth: AuthDep) -> Visit:
    return Visit(request, session, auth)


# The role aliases check the role; the visit then reads the same cached `authenticated`.
async def _participant(visit: Annotated[Visit, Depends(_visit)], _: CurrentParticipant) -> Visit:
    return visit


async def _clinician(visit: Annotated[Visit, Depends(_visit)], _: CurrentClinician) -> Visit:
    return visit


async def _staff(visit: Annotated[Visit, Depends(_visit)], _: CurrentStaff) -> Visit:
    return visit


async def _admin(visit: Annotated[Visit, Depends(_visit)], _: CurrentAdmin) -> Visit:
    return visit


AnyVisit = Annotated[Visit, Depends(_visit)]
ParticipantVisit = Annotated[Visit, Depends(_participant)]
ClinicianVisit = Annotated[Visit, Depends(_clinician)]
StaffVisit = Annotated[Visit, Depends(_staff)]
AdminVisit = Annotated[Visit, Depends(_admin)]
